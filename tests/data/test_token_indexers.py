"""Token indexers: single_id maps tokens to vocabulary ids (OOV -> 1), lowercasing, namespaces."""

from __future__ import annotations

from collections import Counter, defaultdict

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
