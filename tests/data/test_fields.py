"""Fields and instances: counting, indexing, padding lengths, tensors."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.data import Instance, LabelField, SingleIdTokenIndexer, TextField, Token, Vocabulary


def text_field(text, **indexer_options):
    return TextField([Token(w) for w in text.split()], {"tokens": SingleIdTokenIndexer(**indexer_options)})


@pytest.fixture
def vocab():
    vocab = Vocabulary()
    vocab.add_tokens(["a", "good", "film"])
    vocab.add_tokens(["pos", "neg"], "labels")
    return vocab


def test_text_field_counts_indexes_and_pads(vocab):
    field = text_field("a good film")
    counter = defaultdict(Counter)
    field.count_vocab_items(counter)
    assert counter["tokens"] == Counter({"a": 1, "good": 1, "film": 1})
    field.index(vocab)
    assert field.get_padding_lengths() == {"tokens.tokens": 3}
    tensors = field.as_tensor({"tokens.tokens": 5})
    assert tensors["tokens"]["tokens"].tolist() == [2, 3, 4, 0, 0]
    assert tensors["tokens"]["tokens"].dtype == torch.long


def test_text_field_min_padding_length(vocab):
    field = text_field("good", token_min_padding_length=4)
    field.index(vocab)
    assert field.get_padding_lengths() == {"tokens.tokens": 4}


def test_text_field_batch_tensors_stack(vocab):
    fields = [text_field("a good"), text_field("film")]
    for field in fields:
        field.index(vocab)
    batched = fields[0].batch_tensors([f.as_tensor({"tokens.tokens": 2}) for f in fields])
    assert batched["tokens"]["tokens"].tolist() == [[2, 3], [4, 0]]


def test_text_field_before_indexing_is_an_error():
    with pytest.raises(ConfigurationError, match=r"index_fields\(vocab\)"):
        text_field("a").get_padding_lengths()


def test_text_field_readable_forms():
    field = text_field("one two three four five six seven eight nine")
    assert field.human_readable_repr()[:2] == ["one", "two"] and len(field) == 9
    assert "9 tokens" in repr(field) and "..." in repr(field)


def test_label_field(vocab):
    field = LabelField("neg")
    counter = defaultdict(Counter)
    field.count_vocab_items(counter)
    assert counter == {"labels": Counter({"neg": 1})}
    with pytest.raises(ConfigurationError, match="before indexing"):
        field.as_tensor({})
    field.index(vocab)
    assert field.as_tensor({}).item() == vocab.get_token_index("neg", "labels") == 1
    assert field.human_readable_repr() == "neg"


def test_label_field_skip_indexing():
    field = LabelField(3, skip_indexing=True)
    counter = defaultdict(Counter)
    field.count_vocab_items(counter)
    assert not counter
    assert field.as_tensor({}).item() == 3


def test_label_field_unknown_label(vocab):
    with pytest.raises(ConfigurationError, match='"neutral" is not in the vocabulary namespace "labels"'):
        LabelField("neutral").index(vocab)


def test_instance_indexing_and_tensors(vocab):
    instance = Instance({"text": text_field("a film"), "label": LabelField("pos")})
    assert not instance.indexed and set(instance) == {"text", "label"} and len(instance) == 2
    instance.index_fields(vocab)
    assert instance.indexed
    assert instance.get_padding_lengths() == {"text": {"tokens.tokens": 2}, "label": {}}
    tensors = instance.as_tensor_dict()
    assert tensors["text"]["tokens"]["tokens"].tolist() == [2, 4]
    assert tensors["label"].item() == 0
    assert instance.human_readable_dict() == {"text": ["a", "film"], "label": "pos"}
