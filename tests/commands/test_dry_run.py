"""`swapnlp dry-run`: prints statistics and two steps, exit 0; a broken config is one error line, exit 2."""

from __future__ import annotations

import json
import sys
import textwrap

from swapnlp.commands.main import main
from swapnlp.common.registry import _REGISTRY
from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder

PLUGIN = "swapnlp_dry_run_test_plugin"  # a name no other test module uses


def write_config(path, config):
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def test_dry_run_prints_the_report_and_writes_nothing(tiny_config, tmp_path, monkeypatch, capsys):
    config = write_config(tmp_path / "config.json", tiny_config)
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert main(["dry-run", str(config)]) == 0
    out = capsys.readouterr().out
    for expected in ("train: 48 instances", "validation: 16 instances", "test: 16 instances",
                     "label: neg 24 (50.0%), pos 24 (50.0%)", "text tokens: min", "p95", "vocabulary: tokens",
                     "validation OOV (tokens)", "model: SimpleClassifier", "device: cpu",
                     "batch 1: inputs text.tokens.tokens (4,", "label (4,) -> outputs logits (4, 2)", "batch 2:",
                     "parameters updated: yes", "validation_metric +accuracy found", "dry run passed"):
        assert expected in out, expected
    assert "batch 3:" not in out
    assert sorted(tmp_path.rglob("*")) == before


def test_overrides_batches_and_output_file(tiny_config, tmp_path, capsys):
    config = write_config(tmp_path / "config.json", tiny_config)
    report_file = tmp_path / "report.json"
    assert main(["dry-run", str(config), "-o", '{"data_loader.batch_size": 6}', "--batches", "3",
                 "--output-file", str(report_file)]) == 0
    report = json.loads(report_file.read_text())
    assert [step["inputs"]["label"] for step in report["batches"]] == [[6], [6], [6]]
    assert "batch 3: inputs" in capsys.readouterr().out


def test_a_broken_config_is_one_error_line_naming_the_keys(tiny_config, tmp_path, capsys):
    tiny_config["model"]["encoder"]["embedding_dim"] = 16
    config = write_config(tmp_path / "config.json", tiny_config)
    assert main(["dry-run", str(config)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and "Traceback" not in captured.err
    assert "model.embedder gives 8-dim vectors but model.encoder expects 16-dim" in captured.err
    assert "dry run passed" not in captured.out


def test_include_package_registers_a_learners_encoder(tiny_config, tmp_path, monkeypatch, capsys):
    (tmp_path / f"{PLUGIN}.py").write_text(textwrap.dedent("""
        from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder

        @Seq2VecEncoder.register("first_token")
        class FirstToken(Seq2VecEncoder):
            def __init__(self, embedding_dim: int) -> None:
                super().__init__()
                self.embedding_dim = embedding_dim
            def get_input_dim(self): return self.embedding_dim
            def get_output_dim(self): return self.embedding_dim
            def forward(self, tokens, mask=None): return tokens[:, 0]
    """))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    tiny_config["model"]["encoder"] = {"type": "first_token", "embedding_dim": 8}
    config = write_config(tmp_path / "config.json", tiny_config)
    try:
        assert main(["dry-run", str(config)]) == 2
        assert '"first_token" is not a registered Seq2VecEncoder' in capsys.readouterr().err
        assert main(["dry-run", str(config), "--include-package", PLUGIN]) == 0
        assert "dry run passed" in capsys.readouterr().out
    finally:
        sys.modules.pop(PLUGIN, None)
        _REGISTRY.get(Seq2VecEncoder, {}).pop("first_token", None)
