"""Tokenizers: whitespace splitting with character offsets; built by name."""

from __future__ import annotations

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


def test_batch_tokenize():
    assert [[t.text for t in tokens] for tokens in WhitespaceTokenizer().batch_tokenize(["a b", "c"])] == \
        [["a", "b"], ["c"]]


def test_built_by_name_and_by_default():
    assert isinstance(Tokenizer.from_params({"type": "whitespace"}), WhitespaceTokenizer)
    assert isinstance(Tokenizer.from_params({}), WhitespaceTokenizer)


def test_token_is_a_small_value():
    token = Token("film", idx=3)
    assert str(token) == "film" and token.text_id is None and token.type_id is None
    assert token == Token("film", idx=3) and token != Token("film", idx=4)
