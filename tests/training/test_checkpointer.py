"""Background checkpoint writes: isolated from later training steps, flushed by wait(), errors surface."""

import pytest
import torch

from swapnlp.training import checkpointer as checkpointer_module
from swapnlp.nn.weights import load_weights
from swapnlp.training.checkpointer import Checkpointer


def test_a_saved_state_does_not_change_when_training_goes_on(tmp_path):
    weights = torch.zeros(1000)
    checkpointer = Checkpointer(tmp_path)
    checkpointer.save_checkpoint({"w": weights})
    checkpointer.save_best_weights({"w": weights})
    weights.add_(1.0)  # the next optimizer step, while the write may still be running
    assert torch.equal(checkpointer.load_checkpoint()["w"], torch.zeros(1000))
    assert torch.equal(load_weights(checkpointer.best_weights_path())["w"], torch.zeros(1000))


def test_a_failed_background_write_is_raised_by_wait_and_keeps_the_old_file(tmp_path, monkeypatch):
    checkpointer = Checkpointer(tmp_path)
    checkpointer.save_checkpoint({"epoch": 1})
    checkpointer.wait()

    def broken_save(state, path):
        raise OSError("disk full")

    monkeypatch.setattr(checkpointer_module.torch, "save", broken_save)
    checkpointer.save_checkpoint({"epoch": 2})
    with pytest.raises(OSError, match="disk full"):
        checkpointer.wait()
    monkeypatch.undo()
    assert checkpointer.load_checkpoint()["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]  # no temporary file left behind


def test_without_a_background_thread_writes_happen_at_once(tmp_path):
    checkpointer = Checkpointer(tmp_path, background=False)
    checkpointer.save_checkpoint({"epoch": 3})
    assert (tmp_path / "checkpoint.pt").exists()


def test_a_checkpoint_loads_with_weights_only_and_holds_plain_data(tmp_path):
    import random
    from pathlib import Path

    import numpy

    checkpointer = Checkpointer(tmp_path, background=False)
    checkpointer.save_checkpoint({"rng": random.getstate(), "history": [{"loss": numpy.float32(0.5)}],
                                  "array": numpy.arange(3), "where": Path("runs/x"), "w": torch.ones(2)})
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert state["rng"] == random.getstate()
    assert type(state["history"][0]["loss"]) is float and state["where"] == "runs/x"
    assert torch.equal(state["array"], torch.arange(3))


def test_a_checkpoint_refuses_objects_that_are_not_plain_data(tmp_path):
    class Custom:
        pass

    with pytest.raises(TypeError, match=r"checkpoint\['extra'\] holds a .*Custom: a checkpoint keeps tensors"):
        Checkpointer(tmp_path).save_checkpoint({"extra": Custom()})


def test_a_planted_checkpoint_is_refused_with_one_line(tmp_path):
    import os

    from swapnlp.common.errors import ConfigurationError

    class RunsCommand:
        def __reduce__(self):
            return os.system, (f"touch {tmp_path / 'marker'}",)

    torch.save({"epoch": 1, "x": RunsCommand()}, tmp_path / "checkpoint.pt")
    with pytest.raises(ConfigurationError, match=r"refers to code \(posix.system\)"):
        Checkpointer(tmp_path).load_checkpoint()
    assert not (tmp_path / "marker").exists()


def test_opening_a_folder_removes_a_killed_writers_temporaries(tmp_path):
    (tmp_path / ".checkpoint.pt.a1b2c3d4.tmp").write_bytes(b"half a checkpoint")
    (tmp_path / ".best.safetensors.zz_9yy8x.tmp").write_bytes(b"half")
    (tmp_path / "notes.tmp").write_text("mine")
    Checkpointer(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.tmp"]


def test_load_weights_of_a_file_that_is_not_safetensors(tmp_path):
    from swapnlp.common.errors import ConfigurationError

    (tmp_path / "w.safetensors").write_bytes(b"nonsense")
    with pytest.raises(ConfigurationError, match="is not a readable safetensors weights file"):
        load_weights(tmp_path / "w.safetensors")
