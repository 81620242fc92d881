"""Token indexers: single_id maps tokens to vocabulary ids (OOV -> 1), lowercasing, namespaces;
pretrained_transformer reads wordpiece ids and folds long texts into segments."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.data import SingleIdTokenIndexer, Token, TokenIndexer, Vocabulary

TOKENS = [Token("Good"), Token("film"), Token("GOOD")]


def count(indexer, tokens=TOKENS):
    counter = defaultdict(Counter)
    for token in tokens:
        indexer.count_vocab_items(token, counter)
    return counter


def test_counts_tokens_in_its_namespace():
    assert count(SingleIdTokenIndexer()) == {"tokens": Counter({"Good": 1, "film": 1, "GOOD": 1})}
    assert count(SingleIdTokenIndexer(namespace="words")) == {"words": Counter({"Good": 1, "film": 1, "GOOD": 1})}


def test_lowercase_tokens_counts_and_indexes_lowercased():
    indexer = SingleIdTokenIndexer(lowercase_tokens=True)
    assert count(indexer)["tokens"] == Counter({"good": 2, "film": 1})
    vocab = Vocabulary(count(indexer))
    ids = indexer.tokens_to_indices(TOKENS, vocab)["tokens"]
    assert ids[0] == ids[2] == vocab.get_token_index("good")


def test_tokens_to_indices_uses_the_vocabulary_and_oov():
    indexer = SingleIdTokenIndexer()
    vocab = Vocabulary()
    vocab.add_tokens(["film", "Good"])
    assert indexer.tokens_to_indices(TOKENS, vocab) == {"tokens": [3, 2, 1]}  # "GOOD" is unknown -> 1


def test_namespace_is_respected():
    indexer = SingleIdTokenIndexer(namespace="words")
    vocab = Vocabulary()
    vocab.add_tokens(["film"], "words")
    vocab.add_tokens(["Good", "film"], "tokens")
    assert indexer.tokens_to_indices([Token("film")], vocab) == {"tokens": [2]}


def test_padding_value_and_min_padding_length():
    indexer = SingleIdTokenIndexer(token_min_padding_length=5)
    assert indexer.padding_value("tokens") == 0
    assert indexer.token_min_padding_length == 5


def test_built_by_name_and_by_default():
    built = TokenIndexer.from_params({"type": "single_id", "namespace": "w", "lowercase_tokens": True})
    assert isinstance(built, SingleIdTokenIndexer) and built.namespace == "w" and built.lowercase_tokens
    assert isinstance(TokenIndexer.from_params({}), SingleIdTokenIndexer)


# -- pretrained_transformer ---------------------------------------------------------------------------
def wordpieces(folder, text):
    from swapnlp.data.tokenizers import PretrainedTransformerTokenizer

    return PretrainedTransformerTokenizer(str(folder)).tokenize(text)


def test_pretrained_indexer_reads_the_wordpiece_ids(tiny_bert):
    from swapnlp.data.token_indexers import PretrainedTransformerIndexer

    tokens = wordpieces(tiny_bert, "the film was good")
    indexed = PretrainedTransformerIndexer(tiny_bert).tokens_to_indices(tokens, Vocabulary())
    assert indexed["token_ids"] == [t.text_id for t in tokens]
    assert indexed["mask"] == [1] * len(tokens) and indexed["type_ids"] == [0] * len(tokens)
    assert "segment_ids" not in indexed


def test_pretrained_indexer_adds_nothing_to_the_vocabulary(tiny_bert):
    from swapnlp.data.token_indexers import PretrainedTransformerIndexer

    assert count(PretrainedTransformerIndexer(tiny_bert), wordpieces(tiny_bert, "the film")) == {}


@pytest.mark.parametrize("architecture", ["bert", "roberta"])
def test_folding_lays_out_segments_each_with_its_special_tokens(tiny_transformers, architecture):
    from swapnlp.data.token_indexers import PretrainedTransformerIndexer

    folder = tiny_transformers[architecture]
    tokens = wordpieces(folder, "the film was good but the plot was dull and the acting bad")
    indexer = PretrainedTransformerIndexer(str(folder), max_length=6)
    indexed = indexer.tokens_to_indices(tokens, Vocabulary())
    ids, segments, mask = indexed["token_ids"], indexed["segment_ids"], indexed["segment_mask"]
    cls, sep, pad = ids[0], ids[-1], indexer.tokenizer.pad_token_id
    assert len(segments) % 6 == 0 and len(segments) == len(mask)
    body = ids[1:-1]
    for number in range(len(segments) // 6):
        segment = [s for s, m in zip(segments[number * 6:(number + 1) * 6], mask[number * 6:(number + 1) * 6]) if m]
        assert segment[0] == cls and segment[-1] == sep  # every segment is a well-formed model input
        assert segment[1:-1] == body[number * 4:(number + 1) * 4]
        assert all(s == pad for s, m in zip(segments[number * 6:(number + 1) * 6], mask[number * 6:]) if not m)
    # every token can be found again: its position in the segments holds its own id
    assert [segments[p] for p in indexed["positions"]] == ids
    assert indexer.padding_value("segment_ids") == pad and indexer.padding_value("positions") == 0


def test_a_short_text_folds_into_one_segment(tiny_bert):
    from swapnlp.data.token_indexers import PretrainedTransformerIndexer

    tokens = wordpieces(tiny_bert, "the film")
    indexed = PretrainedTransformerIndexer(tiny_bert, max_length=8).tokens_to_indices(tokens, Vocabulary())
    assert indexed["segment_ids"][:4] == indexed["token_ids"] and indexed["positions"] == [0, 1, 2, 3]
    assert indexed["segment_mask"] == [1, 1, 1, 1, 0, 0, 0, 0]


def test_pretrained_indexer_needs_wordpieces_from_the_pretrained_tokenizer(tiny_bert):
    from swapnlp.data.token_indexers import PretrainedTransformerIndexer

    with pytest.raises(ConfigurationError, match='"type": "pretrained_transformer"'):
        PretrainedTransformerIndexer(tiny_bert).tokens_to_indices([Token("film")], Vocabulary())
