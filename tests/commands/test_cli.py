"""The `swapnlp` command line end to end: train -> evaluate -> predict, exit codes and error messages."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
import textwrap

import pytest

from swapnlp.commands.main import main


def write_config(path, config):
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def one_epoch(config):
    config = copy.deepcopy(config)
    config["trainer"]["num_epochs"] = 1
    return config


def write_jsonl(path, lines):
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_train_evaluate_predict_end_to_end(tiny_config, tiny_dataset, tmp_path, capsys):
    config = write_config(tmp_path / "config.json", tiny_config)
    run = tmp_path / "run"
    assert main(["train", str(config), "-s", str(run), "-o", '{"trainer.num_epochs": 2}']) == 0
    assert "model archived at" in capsys.readouterr().out
    archive = run / "model.tar.gz"
    assert archive.exists()
    assert json.loads((run / "config.json").read_text())["trainer"]["num_epochs"] == 2
    assert json.loads((run / "metrics.json").read_text())["epoch"] == 2

    metrics_file = tmp_path / "eval" / "metrics.json"
    assert main(["evaluate", str(archive), str(tiny_dataset.test), "--output-file", str(metrics_file)]) == 0
    metrics = json.loads(metrics_file.read_text())
    assert {"accuracy", "loss"} <= set(metrics)
    assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["loss"] > 0
    assert json.loads(capsys.readouterr().out) == metrics  # printed as well

    inputs = write_jsonl(tmp_path / "inputs.jsonl", [json.dumps({"sentence": "a good film"}), "",
                                                     json.dumps({"sentence": "awful plot"}),
                                                     json.dumps({"sentence": "the cast"})])
    predictions_file = tmp_path / "predictions.jsonl"
    assert main(["predict", str(archive), str(inputs), "--output-file", str(predictions_file),
                 "--batch-size", "2"]) == 0
    lines = predictions_file.read_text().splitlines()
    assert len(lines) == 3  # one per non-empty input line, in order
    predictions = [json.loads(line) for line in lines]
    for prediction in predictions:
        assert set(prediction) == {"label", "probs"} and set(prediction["probs"]) == {"pos", "neg"}
        assert sum(prediction["probs"].values()) == pytest.approx(1.0, abs=1e-6)
    capsys.readouterr()

    assert main(["predict", str(archive), str(inputs)]) == 0  # without --output-file: printed
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [p["label"] for p in printed] == [p["label"] for p in predictions]
    for alone, batched in zip(printed, predictions):  # other batch sizes: equal up to float rounding
        assert alone["probs"] == pytest.approx(batched["probs"], abs=1e-6)


def test_predict_reads_stdin(trained_run, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"sentence": "good"}\n{"sentence": "bad"}\n'))
    assert main(["predict", str(trained_run.archive), "-"]) == 0
    assert len([line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]) == 2


def test_bad_config_exits_2_with_an_error_line(tiny_config, tmp_path, capsys):
    config = one_epoch(tiny_config)
    config["model"]["encoder"]["type"] = "bag_of_embedding"
    path = write_config(tmp_path / "bad.json", config)
    assert main(["train", str(path), "-s", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "model.encoder.type" in err and 'Did you mean "bag_of_embeddings"' in err
    assert "Traceback" not in err


def test_invalid_overrides_exit_2(tiny_config, tmp_path, capsys):
    path = write_config(tmp_path / "config.json", one_epoch(tiny_config))
    assert main(["train", str(path), "-s", str(tmp_path / "run"), "-o", "{trainer: 1}"]) == 2
    assert "error: --overrides must be a JSON object" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_training_into_an_existing_run_needs_force_or_recover(tiny_config, tmp_path, capsys):
    path = write_config(tmp_path / "config.json", one_epoch(tiny_config))
    run = str(tmp_path / "run")
    assert main(["train", str(path), "-s", run]) == 0
    assert main(["train", str(path), "-s", run]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "--recover" in err and "--force" in err
    assert main(["train", str(path), "-s", run, "--force"]) == 0
    assert main(["train", str(path), "-s", run, "--recover"]) == 0


def test_force_and_recover_are_mutually_exclusive_on_the_command_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "config.json", "-s", str(tmp_path), "--force", "--recover"])
    assert exit_info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_bad_json_line_in_predict_input_names_file_and_line(trained_run, tmp_path, capsys):
    inputs = write_jsonl(tmp_path / "in.jsonl", ['{"sentence": "good"}', '{"sentence": "bad"', '{"sentence": "x"}'])
    output = tmp_path / "out.jsonl"
    assert main(["predict", str(trained_run.archive), str(inputs), "--output-file", str(output)]) == 2
    err = capsys.readouterr().err
    assert f"error: {inputs}:2: not valid JSON" in err
    assert len(output.read_text().splitlines()) == 1  # the result of line 1 is kept


def test_invalid_request_in_predict_input_names_file_line_and_field(trained_run, tmp_path, capsys):
    inputs = write_jsonl(tmp_path / "in.jsonl", ['{"sentence": "good"}', "", '{"text": "bad"}'])
    assert main(["predict", str(trained_run.archive), str(inputs)]) == 2
    err = capsys.readouterr().err
    assert f"{inputs}:3:" in err and 'missing field "sentence"' in err


def test_evaluate_a_missing_archive(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nope.tar.gz"), str(tmp_path / "test.tsv")]) == 2
    assert "error: archive not found" in capsys.readouterr().err


def test_evaluate_with_overrides(trained_run, capsys):
    code = main(["evaluate", str(trained_run.archive), str(trained_run.dataset.test),
                 "-o", '{"dataset_reader": {"max_instances": 3}}', "--batch-size", "2"])
    assert code == 0
    captured = capsys.readouterr()
    assert {"accuracy", "loss"} <= set(json.loads(captured.out))
    assert "scored 3 instances" in captured.err  # the user's own override is applied, and said


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "train" in out and "evaluate" in out and "predict" in out


def test_help_of_every_command_imports_nothing_heavy():
    """`swapnlp --help` and each command's --help stay instant: no torch, transformers, numpy, optuna,
    ipywidgets or fastapi (a command imports those only when it runs). New commands are covered as added."""
    snippet = textwrap.dedent("""
        import argparse, contextlib, io, sys
        from swapnlp.commands.main import build_parser, main
        commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
        assert len(commands) >= 8, sorted(commands)
        for argv in [["--help"]] + [[name, "--help"] for name in commands]:
            with contextlib.redirect_stdout(io.StringIO()) as out:
                try:
                    main(argv)
                except SystemExit as exit:
                    assert exit.code == 0, (argv, exit.code)
            assert "usage: swapnlp" in out.getvalue(), argv
        heavy = sorted(m for m in sys.modules
                       if m.split(".")[0] in ("torch", "transformers", "numpy", "optuna", "ipywidgets", "fastapi"))
        print("HEAVY:", heavy[:5])
    """)
    result = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "HEAVY: []" in result.stdout
