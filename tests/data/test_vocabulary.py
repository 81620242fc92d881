"""Vocabulary: counting, min_count, padding/OOV ids, label namespaces, saving and loading."""

from __future__ import annotations

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.data import ClassificationTsvReader, Instance, LabelField, TextField, Token, Vocabulary
from swapnlp.data.token_indexers import SingleIdTokenIndexer
from swapnlp.data.vocabulary import OOV_TOKEN, PADDING_TOKEN


def instance(text, label):
    tokens = [Token(word) for word in text.split()]
    return Instance({"text": TextField(tokens, {"tokens": SingleIdTokenIndexer()}), "label": LabelField(label)})


INSTANCES = [instance("good good good film", "pos"), instance("bad film", "neg"), instance("rare film", "pos")]


def test_padding_and_unknown_come_first_in_token_namespaces():
    vocab = Vocabulary.from_instances(INSTANCES)
    assert vocab.get_token_from_index(0, "tokens") == PADDING_TOKEN == "@@PADDING@@"
    assert vocab.get_token_from_index(1, "tokens") == OOV_TOKEN == "@@UNKNOWN@@"
    assert vocab.get_token_index(PADDING_TOKEN) == 0 and vocab.get_token_index(OOV_TOKEN) == 1


def test_tokens_are_ordered_by_count_then_alphabetically():
    vocab = Vocabulary.from_instances(INSTANCES)
    # counts: film 3, good 3, bad 1, rare 1
    assert [vocab.get_token_from_index(i) for i in range(2, 6)] == ["film", "good", "bad", "rare"]
    assert vocab.get_vocab_size("tokens") == 6


def test_label_namespace_has_no_padding_or_unknown():
    vocab = Vocabulary.from_instances(INSTANCES)
    labels = vocab.get_index_to_token_vocabulary("labels")
    assert labels == {0: "pos", 1: "neg"}  # pos seen twice, neg once
    assert PADDING_TOKEN not in labels.values() and OOV_TOKEN not in labels.values()
    assert not vocab.is_padded("labels") and vocab.is_padded("tokens")
    assert not vocab.is_padded("my_tags") and not vocab.is_padded("sentiment_labels")


def test_unknown_word_gets_the_oov_id():
    vocab = Vocabulary.from_instances(INSTANCES)
    assert vocab.get_token_index("never-seen") == 1


def test_unknown_label_is_an_error_naming_it_and_the_namespace():
    vocab = Vocabulary.from_instances(INSTANCES)
    with pytest.raises(ConfigurationError) as error:
        vocab.get_token_index("neutral", "labels")
    message = str(error.value)
    assert '"neutral" is not in the vocabulary namespace "labels"' in message
    assert "pos" in message and "neg" in message


def test_min_count_drops_rare_words_to_oov():
    vocab = Vocabulary.from_instances(INSTANCES, min_count={"tokens": 2})
    known = set(vocab.get_token_to_index_vocabulary("tokens"))
    assert known == {PADDING_TOKEN, OOV_TOKEN, "good", "film"}
    assert vocab.get_token_index("rare") == vocab.get_token_index("bad") == 1
    assert vocab.get_vocab_size("labels") == 2  # min_count of another namespace does not apply here


def test_max_vocab_size_keeps_the_most_frequent():
    vocab = Vocabulary.from_instances(INSTANCES, max_vocab_size={"tokens": 1})
    assert vocab.get_vocab_size("tokens") == 3
    assert vocab.get_token_from_index(2) in {"good", "film"}


def test_built_from_a_config_with_the_default_type(tiny_dataset):
    instances = ClassificationTsvReader().read(tiny_dataset.train)
    vocab = Vocabulary.from_params(Params({"min_count": {"tokens": 2}}, "vocabulary."), instances=instances)
    assert vocab == Vocabulary.from_instances(instances, min_count={"tokens": 2})
    assert set(vocab.get_token_to_index_vocabulary("labels")) == {"pos", "neg"}


def test_add_tokens_keeps_existing_ids():
    vocab = Vocabulary()
    vocab.add_tokens(["a", "b"])
    vocab.add_tokens(["b", "c"])
    assert vocab.get_token_to_index_vocabulary() == {PADDING_TOKEN: 0, OOV_TOKEN: 1, "a": 2, "b": 3, "c": 4}


def test_save_and_load_round_trip(tmp_path):
    vocab = Vocabulary.from_instances(INSTANCES)
    vocab.add_tokens(["line\nbreak", "back\\slash", "\\n", "tail\\", "tab\there", "ünï"], "tokens")
    vocab.save_to_files(tmp_path / "vocabulary")
    loaded = Vocabulary.from_files(tmp_path / "vocabulary")
    assert loaded == vocab
    for namespace in ("tokens", "labels"):
        assert loaded.get_token_to_index_vocabulary(namespace) == vocab.get_token_to_index_vocabulary(namespace)
    assert loaded.get_token_index("line\nbreak") == vocab.get_token_index("line\nbreak") > 1
    assert loaded.get_token_index("\\n") != loaded.get_token_index("line\nbreak")
    assert loaded.non_padded_namespaces == vocab.non_padded_namespaces
    assert not loaded.is_padded("labels")
    assert not list((tmp_path / "vocabulary").glob("*.tmp"))  # atomic writes leave no temp files


def test_round_trip_of_a_carriage_return_token(tmp_path):
    vocab = Vocabulary()
    vocab.add_tokens(["a\rb", "c\r\nd", "e"])
    vocab.save_to_files(tmp_path)
    loaded = Vocabulary.from_files(tmp_path)
    assert loaded.get_token_to_index_vocabulary() == vocab.get_token_to_index_vocabulary()


def test_loaded_vocabulary_keeps_custom_non_padded_namespaces(tmp_path):
    vocab = Vocabulary(non_padded_namespaces=["*labels", "ids"])
    vocab.add_tokens(["x", "y"], "ids")
    vocab.save_to_files(tmp_path)
    loaded = Vocabulary.from_files(tmp_path)
    assert loaded.get_token_index("x", "ids") == 0
    assert loaded.non_padded_namespaces == ["*labels", "ids"]


def test_loading_a_folder_that_is_not_a_vocabulary(tmp_path):
    with pytest.raises(ConfigurationError, match="is not a saved vocabulary"):
        Vocabulary.from_files(tmp_path)
