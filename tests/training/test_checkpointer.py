"""Background checkpoint writes: isolated from later training steps, flushed by wait(), errors surface."""

import pytest
import torch

from swapnlp.training import checkpointer as checkpointer_module
from swapnlp.training.checkpointer import Checkpointer, load_weights


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
