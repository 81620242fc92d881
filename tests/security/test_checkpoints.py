"""A checkpoint is tensors and plain data: `--recover` never unpickles code, and a broken checkpoint is one line."""

from __future__ import annotations

import copy
import json

import pytest
import torch
from crafted import RunsCommand, single_error_line

from swapnlp.commands.main import main
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.run.train import train_model


@pytest.fixture
def one_epoch_run(tiny_config, tmp_path):
    """(config, serialization dir) of a finished one-epoch run, ready for --recover."""
    config = copy.deepcopy(tiny_config)
    config["trainer"]["num_epochs"] = 1
    run = tmp_path / "run"
    train_model(Params(copy.deepcopy(config)), run)
    return config, run


def test_a_real_checkpoint_loads_with_weights_only(one_epoch_run):
    _, run = one_epoch_run
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    assert state["epoch"] == 1 and isinstance(state["python_rng"], tuple)
    assert all(isinstance(value, torch.Tensor) for value in state["model"].values())


@pytest.mark.parametrize("planted", ["torch.save", "plain pickle"])
def test_recover_refuses_a_planted_checkpoint_without_running_it(one_epoch_run, tmp_path, planted):
    import pickle

    config, run = one_epoch_run
    marker = tmp_path / "marker"
    state = {"epoch": 0, "model": RunsCommand(marker)}
    if planted == "torch.save":
        torch.save(state, run / "checkpoint.pt")
    else:
        (run / "checkpoint.pt").write_bytes(pickle.dumps(state))
    with pytest.raises(ConfigurationError) as error:
        train_model(Params(copy.deepcopy(config)), run, recover=True)
    message = str(error.value)
    assert "\n" not in message and "checkpoint.pt is not a swapnlp checkpoint" in message
    assert "could run code" in message
    assert not marker.exists()


def test_recover_on_the_command_line_prints_one_line(one_epoch_run, tmp_path, capsys):
    config, run = one_epoch_run
    marker = tmp_path / "marker"
    torch.save({"epoch": 0, "model": RunsCommand(marker)}, run / "checkpoint.pt")
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    capsys.readouterr()
    assert main(["train", str(config_file), "-s", str(run), "--recover"]) == 2
    assert "posix.system" in single_error_line(capsys.readouterr().err)
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["truncated", "empty", "not a checkpoint"])
def test_a_damaged_checkpoint_is_one_line(one_epoch_run, damage):
    config, run = one_epoch_run
    path = run / "checkpoint.pt"
    data = {"truncated": path.read_bytes()[:200], "empty": b"", "not a checkpoint": None}[damage]
    if data is None:
        torch.save([1, 2, 3], path)
    else:
        path.write_bytes(data)
    with pytest.raises(ConfigurationError) as error:
        train_model(Params(copy.deepcopy(config)), run, recover=True)
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    assert "not a readable checkpoint" in message or "not a training checkpoint" in message
