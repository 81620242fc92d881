"""choices.py: the wizard's model -- choices in, the config tree out; refused changes say why."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.configure.choices import ConfigChoices
from swapnlp.configure.starter import starter_config

ROOT = Path(__file__).resolve().parents[2]


def contains(big, small) -> bool:
    """Every key/value of `small` is in `big` (recursively)."""
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and contains(big[k], v) for k, v in small.items())
    return big == small


def test_the_starter_is_the_bag_of_embeddings_config():
    choices = ConfigChoices.starter("some/folder")
    assert choices.to_config() == starter_config("some/folder")
    assert choices.problems() == {}
    config = Params.from_file(ROOT / "configs" / "bag_of_embeddings.jsonnet").as_dict()
    starter = starter_config("data/movie_review")
    assert contains(starter, config) and set(starter) == set(config)  # only default "type"s are added


@pytest.mark.parametrize("name", ["bag_of_embeddings", "cnn", "lstm"])
def test_existing_configs_come_back_unchanged(name):
    config = Params.from_file(ROOT / "configs" / f"{name}.jsonnet").as_dict()
    choices = ConfigChoices.from_config(copy.deepcopy(config))
    result = choices.to_config()
    assert contains(result, config)  # only "type"s of default implementations are added
    assert ConfigChoices.from_config(result).to_config() == result


def test_choosing_an_encoder_makes_a_buildable_config():
    choices = ConfigChoices.starter()
    choices.choose("model.encoder", "cnn")
    encoder = choices.to_config()["model"]["encoder"]
    assert encoder == {"type": "cnn", "embedding_dim": 64, "num_filters": 32}  # averaged dropped: cnn has none
    assert choices.problems() == {}
    choices.choose("model.encoder", "lstm")
    assert choices.to_config()["model"]["encoder"] == {"type": "lstm", "embedding_dim": 64, "hidden_size": 64}


def test_the_encoder_input_size_follows_the_embedder_until_set_by_hand():
    choices = ConfigChoices.starter()
    choices.choose("model.encoder", "gru")
    choices.set("model.embedder.token_embedders.tokens.embedding_dim", 24)
    assert choices.value("model.encoder.embedding_dim") == 24
    choices.set("model.encoder.embedding_dim", 10)  # the learner's own (wrong) value stays, and is reported
    choices.set("model.embedder.token_embedders.tokens.embedding_dim", 32)
    assert choices.value("model.encoder.embedding_dim") == 10
    assert "gives 32-dim vectors but model.encoder expects 10-dim" in choices.problems()["model"]


def test_types_are_checked_when_set():
    choices = ConfigChoices.starter()
    with pytest.raises(ConfigurationError, match='trainer.num_epochs: expected int, got str "ten"'):
        choices.set("trainer.num_epochs", "ten")
    with pytest.raises(ConfigurationError, match=r"is not one of \['head', 'tail', 'head\+tail'\]"):
        choices.set("dataset_reader.truncation", "middle")
    with pytest.raises(ConfigurationError, match='has no parameter "num_epoch". Did you mean "num_epochs"'):
        choices.set("trainer.num_epoch", 3)
    with pytest.raises(ConfigurationError, match='model.encoder.type: "cnnn" is not a registered Seq2VecEncoder. '
                                                 'Did you mean "cnn"'):
        choices.choose("model.encoder", "cnnn")
    assert choices.to_config() == starter_config()  # refused changes change nothing


def test_set_also_chooses_types_and_whole_components():
    choices = ConfigChoices.starter()
    choices.set("model.encoder", "cnn")
    assert choices.to_config()["model"]["encoder"]["type"] == "cnn"
    choices.set("model.encoder.type", "bag_of_embeddings")
    assert choices.to_config()["model"]["encoder"]["type"] == "bag_of_embeddings"
    choices.set("model.encoder", {"type": "cnn", "embedding_dim": 64, "num_filters": 5, "ngram_filter_sizes": [2]})
    assert choices.to_config()["model"]["encoder"] == {"type": "cnn", "embedding_dim": 64, "num_filters": 5,
                                                       "ngram_filter_sizes": [2]}


def test_optional_components_can_be_left_out_required_ones_cannot():
    choices = ConfigChoices.starter()
    choices.choose("trainer.learning_rate_scheduler", "linear_with_warmup")
    choices.set("trainer.learning_rate_scheduler.warmup_steps", 2)
    assert choices.to_config()["trainer"]["learning_rate_scheduler"] == {"type": "linear_with_warmup",
                                                                         "warmup_steps": 2}
    choices.unset("trainer.learning_rate_scheduler")
    assert "learning_rate_scheduler" not in choices.to_config()["trainer"]
    with pytest.raises(ConfigurationError, match="left out: choose its type first"):
        choices.set("trainer.learning_rate_scheduler.warmup_steps", 2)
    with pytest.raises(ConfigurationError, match="model.encoder is required"):
        choices.choose("model.encoder", None)


def test_unset_goes_back_to_the_default():
    choices = ConfigChoices.starter()
    choices.unset("trainer.patience")
    assert "patience" not in choices.to_config()["trainer"]


def test_named_entries_must_match_between_indexers_and_embedders():
    choices = ConfigChoices.starter()
    choices.add_entry("dataset_reader.token_indexers", "lowercased")
    choices.set("dataset_reader.token_indexers.lowercased.lowercase_tokens", True)
    assert "use the same names" in choices.problems()[""]
    choices.add_entry("model.embedder.token_embedders", "lowercased")
    assert choices.problems() == {}
    config = choices.to_config()
    assert set(config["model"]["embedder"]["token_embedders"]) == {"tokens", "lowercased"}
    assert choices.value("model.encoder.embedding_dim") == 128  # followed the concatenated embedder size
    with pytest.raises(ConfigurationError, match="is empty, has a dot or is taken"):
        choices.add_entry("model.embedder.token_embedders", "tokens")


def test_missing_data_and_unknown_paths():
    choices = ConfigChoices.starter()
    choices.unset("train_data_path")
    assert choices.problems()[""] == '"train_data_path" is required (str).'
    with pytest.raises(ConfigurationError, match='"model.encodr" is not a component of this config. Did you mean '
                                                 '"encoder"'):
        choices.node("model.encodr.x")


def test_devices():
    choices = ConfigChoices.starter()
    assert choices.devices() == [-1]
    choices.set_devices([0])
    assert choices.to_config()["trainer"]["cuda_device"] == 0
    import torch

    if not torch.cuda.is_available():  # this machine has no GPU: the trainer says so, as training would
        assert "no GPU is available here" in choices.problems()["trainer"]
    choices.set_devices([-1])
    assert "cuda_device" not in choices.to_config()["trainer"] and choices.problems() == {}


def test_top_level_keys_the_wizard_does_not_know_pass_through():
    config = {**starter_config(), "evaluate_on_test": False}
    assert ConfigChoices.from_config(config).to_config()["evaluate_on_test"] is False
