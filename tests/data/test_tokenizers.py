"""Tokenizers: whitespace splitting with character offsets; built by name."""

from __future__ import annotations

import pytest

from swapnlp.data import Token, Tokenizer, WhitespaceTokenizer


def test_whitespace_tokenizer_splits_and_records_offsets():
    text = "  a good\tfilm \n ok"
    tokens = WhitespaceTokenizer().tokenize(text)
    assert [t.text for t in tokens] == ["a", "good", "film", "ok"]
    assert [text[t.idx: t.idx + len(t.text)] for t in tokens] == ["a", "good", "film", "ok"]
    assert tokens[0].idx == 2


def test_repeated_words_get_their_own_offsets():
    tokens = WhitespaceTokenizer().tokenize("la la la")
    assert [t.idx for t in tokens] == [0, 3, 6]


def test_empty_text_gives_no_tokens():
    assert WhitespaceTokenizer().tokenize("") == []
    assert WhitespaceTokenizer().tokenize("  \n ") == []


def test_built_by_name_and_by_default():
    assert isinstance(Tokenizer.from_params({"type": "whitespace"}), WhitespaceTokenizer)
    assert isinstance(Tokenizer.from_params({}), WhitespaceTokenizer)


def test_token_is_a_small_value():
    token = Token("film", idx=3)
    assert str(token) == "film" and token.text_id is None and token.type_id is None
    assert token == Token("film", idx=3) and token != Token("film", idx=4)


# -- pretrained_transformer ---------------------------------------------------------------------------
def test_pretrained_tokenizer_gives_wordpieces_with_ids_and_special_tokens(tiny_transformers):
    from transformers import AutoTokenizer

    from swapnlp.data.tokenizers import PretrainedTransformerTokenizer

    for name, folder in tiny_transformers.items():
        tokenizer = PretrainedTransformerTokenizer(str(folder))
        tokens = tokenizer.tokenize("the film was good")
        reference = AutoTokenizer.from_pretrained(str(folder))("the film was good")["input_ids"]
        assert [t.text_id for t in tokens] == reference, name  # exactly what the model's own tokenizer gives
        assert tokenizer.num_special_tokens() == (1, 1)
        hf = AutoTokenizer.from_pretrained(str(folder))
        assert tokens[0].text == hf.cls_token and tokens[-1].text == hf.sep_token


def test_pretrained_tokenizer_max_length_keeps_the_special_tokens(tiny_bert):
    from swapnlp.data.tokenizers import PretrainedTransformerTokenizer

    text = "the film was good but the plot was dull and the acting was bad"
    words = text.split()
    for truncation, kept in (("head", words[:4]), ("tail", words[-4:]), ("head+tail", words[:2] + words[-2:])):
        tokens = PretrainedTransformerTokenizer(tiny_bert, max_length=6, truncation=truncation).tokenize(text)
        assert [t.text for t in tokens] == ["[CLS]", *kept, "[SEP]"], truncation


def test_pretrained_tokenizer_without_special_tokens(tiny_bert):
    from swapnlp.data.tokenizers import PretrainedTransformerTokenizer

    tokenizer = PretrainedTransformerTokenizer(tiny_bert, add_special_tokens=False)
    assert [t.text for t in tokenizer.tokenize("the film")] == ["the", "film"]
    assert tokenizer.num_special_tokens() == (0, 0)


def test_pretrained_tokenizer_max_length_must_leave_room_for_text(tiny_bert):
    from swapnlp.common.errors import ConfigurationError
    from swapnlp.data.tokenizers import PretrainedTransformerTokenizer

    with pytest.raises(ConfigurationError, match="max_length is 2"):
        PretrainedTransformerTokenizer(tiny_bert, max_length=2)
