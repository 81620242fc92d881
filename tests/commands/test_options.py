"""--cuda-device on evaluate and predict: -1 runs on the CPU; a GPU that is not there is one line, no traceback."""

from __future__ import annotations

import json

import pytest
import torch

from swapnlp.commands.main import main

needs_no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without a GPU")


def test_evaluate_and_predict_run_on_the_cpu_with_minus_one(trained_run, tmp_path, capsys):
    assert main(["evaluate", str(trained_run.archive), str(trained_run.dataset.test), "--cuda-device", "-1"]) == 0
    assert "accuracy" in json.loads(capsys.readouterr().out)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"sentence": "a good film"}\n')
    assert main(["predict", str(trained_run.archive), str(inputs), "--cuda-device", "-1"]) == 0
    assert json.loads(capsys.readouterr().out)["label"] in ("pos", "neg")


@needs_no_gpu
@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_a_gpu_that_is_not_there_is_a_one_line_error(command, trained_run, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"sentence": "a good film"}\n')
    data = trained_run.dataset.test if command == "evaluate" else inputs
    assert main([command, str(trained_run.archive), str(data), "--cuda-device", "0"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0].startswith("error: --cuda-device is 0, but no GPU is available here")
    assert "Use --cuda-device -1" in lines[0]
