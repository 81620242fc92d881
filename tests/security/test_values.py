"""Values that make no sense, through `swapnlp train`: each is one `error:` line naming the config key path, the
value and the range, with no traceback; a diverging run stops with one line naming the epoch and step; and a
refused run never blocks the next one in the same folder."""

from __future__ import annotations

import copy
import json

import pytest

from swapnlp.commands.main import main


def set_key(config, dotted, value):
    *parents, last = dotted.split(".")
    for part in parents:
        config = config.setdefault(part, {})
    config[last] = value


def train(config, tmp_path, *extra):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return main(["train", str(path), "-s", str(tmp_path / "run"), *extra])


def one_error_line(capsys):
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in err, err
    return errors[0]


LSTM = {"type": "lstm", "embedding_dim": 8, "hidden_size": 4}
TRANSFORMER = {"type": "transformer", "embedding_dim": 8, "num_attention_heads": 2}


@pytest.mark.parametrize("key, value, message", [
    ("trainer.optimizer.lr", -0.1, "trainer.optimizer.lr must be > 0, got -0.1."),
    ("trainer.optimizer.lr", 0, "trainer.optimizer.lr must be > 0, got 0.0."),
    ("trainer.optimizer.betas", [0.9, 1.0], "trainer.optimizer.betas[1] must be >= 0 and < 1, got 1.0."),
    ("trainer.optimizer.betas", [-0.1, 0.9], "trainer.optimizer.betas[0] must be >= 0 and < 1, got -0.1."),
    ("trainer.optimizer.eps", 0, "trainer.optimizer.eps must be > 0, got 0.0."),
    ("trainer.optimizer.weight_decay", -1, "trainer.optimizer.weight_decay must be at least 0, got -1.0."),
    ("trainer.optimizer", {"type": "sgd", "lr": 0.1, "momentum": -0.5},
     "trainer.optimizer.momentum must be at least 0, got -0.5."),
    ("trainer.optimizer", {"type": "huggingface_adamw", "lr": -1e-5},
     "trainer.optimizer.lr must be > 0, got -1e-05."),
    ("trainer.optimizer.parameter_groups", [[["bias"], {"lr": -1}]],
     "trainer.optimizer.parameter_groups[0][1].lr must be > 0, got -1."),
    ("trainer.grad_norm", -1, "trainer.grad_norm must be > 0, got -1.0."),
    ("trainer.grad_norm", 0, "trainer.grad_norm must be > 0, got 0.0."),
    ("trainer.num_epochs", 0, "trainer.num_epochs must be at least 1, got 0."),
    ("trainer.num_gradient_accumulation_steps", 0,
     "trainer.num_gradient_accumulation_steps must be at least 1, got 0."),
    ("trainer.patience", 0, "trainer.patience must be at least 1, got 0."),
    ("trainer.learning_rate_scheduler", {"type": "linear_with_warmup", "warmup_proportion": 1.5},
     "trainer.learning_rate_scheduler.warmup_proportion must be >= 0 and <= 1, got 1.5."),
    ("trainer.learning_rate_scheduler", {"type": "linear_with_warmup", "warmup_steps": -3},
     "trainer.learning_rate_scheduler.warmup_steps must be at least 0, got -3."),
    ("model.dropout", 2, "model.dropout must be >= 0 and < 1, got 2.0."),
    ("model.dropout", 1, "model.dropout must be >= 0 and < 1, got 1.0."),
    ("model.encoder.embedding_dim", 0, "model.encoder.embedding_dim must be at least 1, got 0."),
    ("model.embedder.token_embedders.tokens.embedding_dim", -3,
     "model.embedder.token_embedders.tokens.embedding_dim must be at least 1, got -3."),
    ("model.encoder", {**LSTM, "dropout": 1.0}, "model.encoder.dropout must be >= 0 and < 1, got 1.0."),
    ("model.encoder", {**LSTM, "hidden_size": 0}, "model.encoder.hidden_size must be at least 1, got 0."),
    ("model.encoder", {**LSTM, "num_layers": 0}, "model.encoder.num_layers must be at least 1, got 0."),
    ("model.encoder", {**TRANSFORMER, "num_attention_heads": 0},
     "model.encoder.num_attention_heads must be at least 1, got 0."),
    ("model.encoder", {**TRANSFORMER, "dropout": -0.1}, "model.encoder.dropout must be >= 0 and < 1, got -0.1."),
    ("model.encoder", {"type": "cnn", "embedding_dim": 8, "num_filters": 0},
     "model.encoder.num_filters must be at least 1, got 0."),
    ("data_loader.batch_size", 0, "data_loader.batch_size must be at least 1, got 0."),
    ("validation_data_loader", {"batch_size": -2}, "validation_data_loader.batch_size must be at least 1, got -2."),
    ("dataset_reader.max_tokens", 0, "dataset_reader.max_tokens must be at least 1, got 0."),
    ("vocabulary", {"min_count": {"tokens": 0}}, "vocabulary.min_count.tokens must be at least 1, got 0."),
])
def test_a_value_out_of_range_is_one_line_with_its_key_path(tiny_config, tmp_path, capsys, key, value, message):
    config = copy.deepcopy(tiny_config)
    set_key(config, key, value)
    assert train(config, tmp_path) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"error: {message}"), line


def test_a_nan_from_the_overrides_is_refused(tiny_config, tmp_path, capsys):
    assert train(tiny_config, tmp_path, "-o", '{"trainer.optimizer.lr": NaN}') == 2
    assert "trainer.optimizer.lr must be > 0, got nan." in one_error_line(capsys)


def test_values_from_python_name_the_parameter():
    import torch

    from swapnlp.common.checks import SettingError
    from swapnlp.training.optimizers import AdamOptimizer

    with pytest.raises(SettingError, match=r"^lr must be > 0, got -1"):
        AdamOptimizer([("w", torch.nn.Parameter(torch.zeros(2)))], lr=-1)


def test_num_epochs_0_is_refused_and_does_not_block_the_next_run(tiny_config, tmp_path, capsys):
    config = copy.deepcopy(tiny_config)
    config["trainer"]["num_epochs"] = 0
    assert train(config, tmp_path) == 2
    assert "trainer.num_epochs must be at least 1, got 0." in one_error_line(capsys)
    config["trainer"]["num_epochs"] = 1
    assert train(config, tmp_path) == 0  # the same folder, without --force
    assert (tmp_path / "run" / "model.tar.gz").exists()


def test_a_diverging_run_stops_with_one_line_naming_epoch_step_and_causes(tiny_config, tmp_path, capsys):
    config = copy.deepcopy(tiny_config)
    config["trainer"]["optimizer"]["lr"] = 1e30
    assert train(config, tmp_path) == 2
    line = one_error_line(capsys)
    assert "the loss is nan at epoch 1, step " in line or "the loss is inf at epoch 1, step " in line, line
    assert "trainer.optimizer.lr" in line and "trainer.grad_norm" in line
    config["trainer"]["optimizer"]["lr"] = 0.05
    assert train(config, tmp_path) == 0  # nothing was checkpointed: the fixed config runs in the same folder


def test_the_divergence_error_is_a_configuration_error_the_tuner_can_tell_apart():
    from swapnlp.common.errors import ConfigurationError, LossNotFiniteError

    assert issubclass(LossNotFiniteError, ConfigurationError) and not issubclass(LossNotFiniteError, ValueError)
