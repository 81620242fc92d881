"""SimpleClassifier: output keys and shapes, loss with labels, dimension checks, readable labels, padding."""

from __future__ import annotations

import copy

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.data import ClassificationTsvReader, SimpleDataLoader, Vocabulary
from swapnlp.data.batch import batch_instances
from swapnlp.models import Model, SimpleClassifier
from swapnlp.nn.util import get_text_field_mask


@pytest.fixture
def reader():
    return ClassificationTsvReader()


@pytest.fixture
def vocab(reader, tiny_dataset):
    return Vocabulary.from_instances(reader.read(tiny_dataset.train))


def build(tiny_config, vocab, **model_changes) -> SimpleClassifier:
    torch.manual_seed(0)
    config = copy.deepcopy(tiny_config["model"])
    config.update(model_changes)
    return Model.from_params(Params(config, "model."), vocab=vocab).eval()


def batch_of(reader, vocab, texts, labels=None):
    instances = [reader.text_to_instance(text, label) for text, label in zip(texts, labels or [None] * len(texts))]
    for instance in instances:
        instance.index_fields(vocab)
    return batch_instances(instances)


def test_forward_without_labels_gives_logits_and_probs(tiny_config, vocab, reader):
    model = build(tiny_config, vocab)
    output = model(**batch_of(reader, vocab, ["a good film", "bad", "the plot was dull really"]))
    assert set(output) == {"logits", "probs"}
    assert output["logits"].shape == output["probs"].shape == (3, vocab.get_vocab_size("labels")) == (3, 2)
    assert torch.allclose(output["probs"].sum(-1), torch.ones(3))
    assert torch.allclose(output["probs"], torch.softmax(output["logits"], -1))


def test_forward_with_labels_adds_the_loss_and_counts_accuracy(tiny_config, vocab, reader):
    model = build(tiny_config, vocab)
    batch = batch_of(reader, vocab, ["a good film", "bad"], ["pos", "neg"])
    output = model(**batch)
    assert output["loss"].dim() == 0 and output["loss"].item() > 0
    expected = torch.nn.functional.cross_entropy(output["logits"], batch["label"])
    assert torch.allclose(output["loss"], expected)
    correct = (output["logits"].argmax(-1) == batch["label"]).float().mean().item()
    assert model.get_metrics(reset=True) == {"accuracy": pytest.approx(correct)}
    assert model.get_metrics() == {"accuracy": 0.0}  # reset


def test_loss_gives_gradients_to_every_part(tiny_config, vocab, reader):
    model = build(tiny_config, vocab).train()
    model(**batch_of(reader, vocab, ["a good film", "bad"], ["pos", "neg"]))["loss"].backward()
    assert model.classifier.weight.grad is not None and model.classifier.weight.grad.abs().sum() > 0
    embedding = model.embedder.token_embedders["tokens"].weight
    assert embedding.grad is not None and embedding.grad.abs().sum() > 0


def test_dimension_mismatch_between_embedder_and_encoder_is_a_clear_error(tiny_config, vocab):
    with pytest.raises(ConfigurationError) as error:
        build(tiny_config, vocab, encoder={"type": "bag_of_embeddings", "embedding_dim": 6})
    message = str(error.value)
    assert "model.embedder gives 8-dim vectors" in message
    assert "model.encoder expects 6-dim inputs" in message


def test_a_single_label_is_not_a_classifier(tiny_config):
    vocab = Vocabulary()
    vocab.add_tokens(["film"])
    vocab.add_tokens(["pos"], "labels")
    with pytest.raises(ConfigurationError, match='"labels" has 1 label'):
        build(tiny_config, vocab)


def test_make_output_human_readable_gives_label_strings(tiny_config, vocab, reader):
    model = build(tiny_config, vocab)
    output = model.make_output_human_readable(model(**batch_of(reader, vocab, ["good", "bad", "film"])))
    expected = [vocab.get_token_from_index(i, "labels") for i in output["probs"].argmax(-1).tolist()]
    assert output["label"] == expected
    assert set(output["label"]) <= {"pos", "neg"}


def test_forward_on_instances_splits_the_batch(tiny_config, vocab, reader):
    model = build(tiny_config, vocab)
    instances = [reader.text_to_instance(text) for text in ["good", "a bad film", "fine plot"]]
    results = model.forward_on_instances(instances)
    assert len(results) == 3
    batch = model(**batch_of(reader, vocab, ["good", "a bad film", "fine plot"]))
    for row, result in enumerate(results):
        assert set(result) == {"logits", "probs", "label"}
        assert result["probs"] == pytest.approx(batch["probs"][row].tolist())


@pytest.mark.parametrize("averaged", [True, False])
def test_probs_do_not_depend_on_padding(tiny_config, vocab, reader, averaged):
    model = build(tiny_config, vocab, encoder={"type": "bag_of_embeddings", "embedding_dim": 8, "averaged": averaged})
    with torch.no_grad():
        # make the padding row non-zero: only the mask may keep it out
        model.embedder.token_embedders["tokens"].weight[0].fill_(3.0)
    short = "a good film"
    alone = model(**batch_of(reader, vocab, [short]))["probs"][0]
    long_batch = batch_of(reader, vocab, [short, "the plot was really quite a dull story this cast"])
    assert get_text_field_mask(long_batch["text"])[0].sum() < long_batch["text"]["tokens"]["tokens"].shape[1]
    padded = model(**long_batch)["probs"][0]
    assert torch.allclose(alone, padded, atol=1e-6)


def test_probs_do_not_depend_on_the_other_rows_of_a_loader_batch(tiny_config, vocab, reader, tiny_dataset):
    model = build(tiny_config, vocab)
    instances = reader.read(tiny_dataset.dev)
    loader = SimpleDataLoader(instances, batch_size=8)
    loader.index_with(vocab)
    together = torch.cat([model(**batch)["probs"] for batch in loader])
    one_by_one = torch.cat([model(**batch_instances([instance]))["probs"] for instance in instances])
    assert torch.allclose(together, one_by_one, atol=1e-6)
