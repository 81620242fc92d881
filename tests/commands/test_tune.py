"""`swapnlp tune` from the command line, and two processes sharing one study through a SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import optuna

from swapnlp.commands.main import main

ROOT = Path(__file__).resolve().parents[2]


def write_tunable(folder, tiny_config):
    (folder / "base.json").write_text(json.dumps(tiny_config))
    config = folder / "tunable.jsonnet"
    config.write_text('local base = import "base.json";\n'
                      'base + {"trainer"+: {"optimizer"+: {"lr": std.parseJson(std.extVar("lr"))}}}\n')
    space = folder / "space.json"
    space.write_text(json.dumps({"lr": {"type": "loguniform", "low": 0.005, "high": 0.2}}))
    return config, space


def test_tune_command_prints_the_report_and_writes_it(tiny_config, tmp_path, capsys):
    config, space = write_tunable(tmp_path, tiny_config)
    folder = tmp_path / "tune"
    assert main(["tune", str(config), "--search", str(space), "--trials", "2", "-s", str(folder),
                 "--seed", "1", "--quiet", "--study-name", "cli"]) == 0
    out = capsys.readouterr().out
    assert "study cli: " in out and "best validation accuracy: " in out and "expected best of k trials: k=1" in out
    report = json.loads((folder / "tuning_report.json").read_text())
    assert report["study_name"] == "cli" and len(report["trial_results"]) == 2
    assert (folder / "expected_validation_performance.png").exists() and (folder / "study.db").exists()
    assert report["best"]["serialization_dir"] in out


def test_a_bad_search_space_is_one_error_line(tiny_config, tmp_path, capsys):
    config, space = write_tunable(tmp_path, tiny_config)
    space.write_text(json.dumps({"lr": {"type": "loguniform", "low": 0.0, "high": 0.1}}))
    assert main(["tune", str(config), "--search", str(space), "--trials", "1", "-s", str(tmp_path / "t")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert f'{space}: "lr": a log scale needs "low" > 0' in err


def test_two_processes_share_one_study_through_sqlite(tiny_config, tmp_path):
    config, space = write_tunable(tmp_path, tiny_config)
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    command = [sys.executable, "-m", "swapnlp.commands.main", "tune", str(config), "--search", str(space),
               "--trials", "2", "-s", str(tmp_path / "runs"), "--storage", storage, "--study-name", "shared",
               "--quiet", "--no-pruning"]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT / "lib"))
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
               for _ in range(2)]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    study = optuna.load_study(study_name="shared", storage=storage)
    assert sorted(t.number for t in study.trials) == [0, 1, 2, 3]  # 2 + 2 trials in one study
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    folders = sorted(p.name for p in (tmp_path / "runs").glob("trial_*"))
    assert folders == ["trial_000", "trial_001", "trial_002", "trial_003"]  # numbers from the study: no clash
    assert all((tmp_path / "runs" / name / "model.tar.gz").exists() for name in folders)
    ran = [sorted(int(line.split()[1].rstrip(":")) for line in out.splitlines() if line.startswith("trial "))
           for out, _ in outputs]
    assert sorted(ran[0] + ran[1]) == [0, 1, 2, 3] and all(len(numbers) == 2 for numbers in ran)
