"""dry_run: the same building steps as train_model, two real training steps, clear errors, no files."""

from __future__ import annotations

import copy

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.run.dry_run import dry_run, format_report, tensor_shapes


def run(config, **options):
    return dry_run(Params(copy.deepcopy(config)), **options)


def test_report_holds_statistics_shapes_losses_and_parameter_counts(tiny_config):
    report = run(tiny_config)
    assert report["datasets"]["train"]["instances"] == 48
    assert report["datasets"]["validation"]["instances"] == 16 and report["datasets"]["test"]["instances"] == 16
    assert report["datasets"]["train"]["labels"]["label"]["pos"]["count"] == 24
    assert report["vocabulary"]["labels"] == 2 and report["vocabulary"]["tokens"] > 2
    assert report["validation_oov"]["tokens"]["oov_rate"] == 0.0
    tokens = report["vocabulary"]["tokens"]
    assert report["model"]["parameters"] == tokens * 8 + 8 * 2 + 2  # embedding table + linear layer
    assert report["model"]["parameters_by_module"] == {"embedder": tokens * 8, "classifier": 18}
    assert report["device"] == "cpu"
    assert len(report["batches"]) == 2
    for step in report["batches"]:
        assert step["inputs"]["label"] == [4] and step["inputs"]["text.tokens.tokens"][0] == 4
        assert step["outputs"]["logits"] == [4, 2] and step["outputs"]["loss"] == []
        assert step["loss"] > 0 and step["grad_norm"] > 0 and step["parameters_updated"]
        assert step["parameters_without_gradient"] == []
    assert set(report["validation"]["metrics"]) == {"loss", "accuracy"}
    assert report["warnings"] == []
    text = format_report(report)
    assert "train: 48 instances" in text and "batch 2: inputs" in text and "dry run passed" in text


def test_the_number_of_batches_is_configurable(tiny_config):
    assert len(run(tiny_config, num_batches=3)["batches"]) == 3


def test_a_dry_run_builds_the_same_model_as_training(tiny_config, tmp_path, monkeypatch):
    """Same seed, same building steps: the dry run's model starts from the weights training starts from."""
    from swapnlp.run import train as pipeline
    from swapnlp.run.config import TrainingConfig

    captured = {}
    original = TrainingConfig.build_model

    def spy(self, vocab, data):
        model = original(self, vocab, data)
        captured.setdefault("weights", []).append({k: v.clone() for k, v in model.state_dict().items()})
        return model

    monkeypatch.setattr(TrainingConfig, "build_model", spy)
    run(tiny_config, num_batches=1)
    config = copy.deepcopy(tiny_config)
    config["trainer"]["num_epochs"] = 1
    pipeline.train_model(Params(config), tmp_path / "run")
    dry, trained = captured["weights"]
    assert dry.keys() == trained.keys()
    assert all(torch.equal(dry[k], trained[k]) for k in dry)


def test_nothing_is_written(tiny_config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    run(tiny_config)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_dimension_mismatch_fails_with_the_config_keys(tiny_config):
    tiny_config["model"]["encoder"]["embedding_dim"] = 5
    with pytest.raises(ConfigurationError, match="model.embedder gives 8-dim vectors but model.encoder expects 5"):
        run(tiny_config)


def test_an_unknown_validation_metric_fails_before_any_training(tiny_config):
    tiny_config["trainer"]["validation_metric"] = "+f1"
    with pytest.raises(ConfigurationError, match='validation_metric "f1" is not reported.*accuracy'):
        run(tiny_config)


def test_a_missing_test_file_fails_now_not_after_training(tiny_config, tmp_path):
    tiny_config["test_data_path"] = str(tmp_path / "nowhere.tsv")
    with pytest.raises(ConfigurationError, match="data file not found"):
        run(tiny_config)


def test_an_unknown_top_level_key_is_named(tiny_config):
    tiny_config["trainr"] = {}
    with pytest.raises(ConfigurationError, match='unknown key "trainr".*Did you mean "trainer"'):
        run(tiny_config)


def test_a_diverging_loss_is_a_configuration_error(tiny_config):
    tiny_config["trainer"]["optimizer"]["lr"] = 1e30  # (an infinite lr is refused before training starts)
    with pytest.raises(ConfigurationError, match="the loss is (nan|inf) at batch 2"):
        run(tiny_config)


def test_frozen_parameters_and_unbalanced_labels_are_warned_about(tiny_config, tmp_path):
    lines = [f"good film {i}\tpos" for i in range(18)] + ["bad film\tneg", "dull film\tneg"]
    (tmp_path / "skewed.tsv").write_text("\n".join(lines) + "\n")
    tiny_config["train_data_path"] = str(tmp_path / "skewed.tsv")
    tiny_config["model"]["embedder"]["token_embedders"]["tokens"]["trainable"] = False
    tiny_config["trainer"]["optimizer"]["lr"] = 1e-30  # steps too small to change a float32 weight
    warnings = run(tiny_config)["warnings"]
    assert any("train: 90% of the labels are one label" in w for w in warnings), warnings
    assert any("changed no parameter" in w for w in warnings), warnings


def test_tensor_shapes_flattens_nested_dicts():
    batch = {"text": {"tokens": {"tokens": torch.zeros(2, 3)}}, "label": torch.zeros(2), "meta": "x"}
    assert tensor_shapes(batch) == {"text.tokens.tokens": [2, 3], "label": [2]}
