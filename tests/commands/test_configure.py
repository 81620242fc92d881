"""`swapnlp configure`: the non-interactive path (--defaults, --set, --from), the prompts (input()),
--include-package components, and the written config training with `swapnlp train`."""

from __future__ import annotations

import builtins
import importlib
import json
import sys
import textwrap

import pytest

from swapnlp.commands.main import main
from swapnlp.common.params import Params
from swapnlp.configure.starter import starter_config

PLUGIN = "swapnlp_configure_test_plugin"
PLUGIN_SOURCE = textwrap.dedent('''
    from swapnlp.modules.seq2vec_encoders import BagOfEmbeddingsEncoder, Seq2VecEncoder


    @Seq2VecEncoder.register("mean_configure")
    class MeanEncoder(BagOfEmbeddingsEncoder):
        """The mean of the token vectors (a learner's encoder)."""

        def __init__(self, embedding_dim: int) -> None:
            super().__init__(embedding_dim, averaged=True)
''')


def fast(dataset_folder):
    """--set arguments that make the starter config train in a few seconds on the tiny data set."""
    return ["--data-dir", str(dataset_folder), "--set", "trainer.optimizer.lr=0.05", "--set", "trainer.num_epochs=4",
            "--set", "model.embedder.token_embedders.tokens.embedding_dim=8", "--set",
            "trainer.enable_progress_bar=false"]


def scripted(monkeypatch, answers):
    """input() answers from a list; an exhausted list is the end of input (EOFError)."""
    remaining = list(answers)
    prompts = []

    def fake_input(prompt=""):
        prompts.append(prompt)
        if not remaining:
            raise EOFError
        return remaining.pop(0)

    monkeypatch.setattr(builtins, "input", fake_input)
    return prompts


def test_defaults_write_the_starter_config(tmp_path, capsys):
    target = tmp_path / "starter.jsonnet"
    assert main(["configure", str(target), "--defaults"]) == 0
    assert Params.from_file(target).as_dict() == starter_config()
    out = capsys.readouterr().out
    assert f"wrote {target}" in out and f"swapnlp train {target} -s runs/starter" in out


def test_set_and_train(tmp_path, tiny_dataset, capsys):
    target = tmp_path / "cnn.jsonnet"
    assert main(["configure", str(target), "--defaults", *fast(tiny_dataset.folder), "--set", "model.encoder=cnn",
                 "--set", "model.encoder.ngram_filter_sizes=[1, 2]", "--set", "model.encoder.num_filters=8",
                 "--unset", "test_data_path"]) == 0
    config = Params.from_file(target).as_dict()
    assert config["model"]["encoder"] == {"type": "cnn", "embedding_dim": 8, "num_filters": 8,
                                          "ngram_filter_sizes": [1, 2]}
    assert "test_data_path" not in config
    assert main(["train", str(target), "-s", str(tmp_path / "run")]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["best_validation_accuracy"] >= 0.75


@pytest.mark.parametrize("assignment, message", [
    ("model.encoder.num_filters=8", 'has no parameter "num_filters"'),  # still a bag of embeddings
    ("trainer.num_epochs=three", 'trainer.num_epochs: expected int, got str "three"'),
    ("model.encoder=cnnn", 'Did you mean "cnn"'),
    ("model.encoder.embedding_dim=10", "model: model.embedder gives 64-dim vectors but model.encoder expects 10"),
    ("trainer.num_epochs", "write PATH=VALUE"),
])
def test_a_wrong_setting_is_one_error_line_and_no_file(tmp_path, capsys, assignment, message):
    target = tmp_path / "bad.jsonnet"
    assert main(["configure", str(target), "--defaults", "--set", assignment]) == 2
    err = capsys.readouterr().err
    assert message in err and err.strip().splitlines()[-1].startswith("error: ")
    assert not target.exists()


def test_an_existing_file_is_kept_unless_forced(tmp_path, capsys):
    target = tmp_path / "mine.jsonnet"
    target.write_text("{}")
    assert main(["configure", str(target), "--defaults"]) == 2
    assert "pass --force" in capsys.readouterr().err and target.read_text() == "{}"
    assert main(["configure", str(target), "--defaults", "--force"]) == 0


def test_dash_prints_the_config(capsys, tmp_path):
    assert main(["configure", "-", "--defaults", "--set", "model.encoder=lstm"]) == 0
    out = capsys.readouterr().out
    (tmp_path / "printed.jsonnet").write_text(out)
    assert Params.from_file(tmp_path / "printed.jsonnet").as_dict()["model"]["encoder"]["type"] == "lstm"


def test_from_an_existing_config(tmp_path):
    target = tmp_path / "changed.jsonnet"
    assert main(["configure", str(target), "--from", "configs/cnn.jsonnet", "--defaults",
                 "--set", "trainer.num_epochs=2"]) == 0
    original = Params.from_file("configs/cnn.jsonnet").as_dict()
    changed = Params.from_file(target).as_dict()
    assert changed["trainer"]["num_epochs"] == 2
    assert changed["model"]["encoder"] == original["model"]["encoder"]


def test_the_prompts(monkeypatch, tmp_path, tiny_dataset, capsys):
    target = tmp_path / "asked.jsonnet"
    answers = {
        "train_data_path": str(tiny_dataset.train), "validation_data_path": str(tiny_dataset.dev),
        "model.encoder": "lstm", "hidden_size": "abc",  # a wrong answer is asked again
    }
    given = []

    def fake_input(prompt=""):
        given.append(prompt)
        if "type [bag_of_embeddings]" in prompt:
            return "? lstm" if not any("? lstm" in g for g in given[:-1]) and given.count(prompt) == 1 else "lstm"
        if "hidden_size" in prompt:
            return "abc" if sum("hidden_size" in g for g in given) == 1 else "12"
        for key in ("train_data_path", "validation_data_path"):
            if prompt.strip().startswith(key):
                return answers[key]
        if prompt.strip().startswith("test_data_path"):
            return "-"
        return ""

    monkeypatch.setattr(builtins, "input", fake_input)
    assert main(["configure", str(target)]) == 0
    out = capsys.readouterr().out
    assert "LstmSeq2VecEncoder" in out  # "? lstm" described it
    assert 'model.encoder.hidden_size: expected int, got str "abc"' in out
    assert "✅ every component builds" in out
    config = Params.from_file(target).as_dict()
    assert config["model"]["encoder"] == {"type": "lstm", "embedding_dim": 64, "hidden_size": 12}
    assert config["train_data_path"] == str(tiny_dataset.train) and "test_data_path" not in config
    assert any("[12/15] model.encoder: a Seq2VecEncoder" in line for line in out.splitlines())


def test_end_of_input_is_a_clear_error(monkeypatch, tmp_path, capsys):
    scripted(monkeypatch, [])
    assert main(["configure", str(tmp_path / "x.jsonnet")]) == 2
    assert "--defaults" in capsys.readouterr().err


def test_include_package_components_can_be_chosen(tmp_path, monkeypatch, tiny_dataset, capsys):
    from swapnlp.common.registry import _REGISTRY
    from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder

    (tmp_path / f"{PLUGIN}.py").write_text(PLUGIN_SOURCE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    try:
        target = tmp_path / "plugin.jsonnet"
        assert main(["configure", str(target), "--defaults", "--set", "model.encoder=mean_configure"]) == 2
        assert '"mean_configure" is not a registered Seq2VecEncoder' in capsys.readouterr().err
        assert main(["configure", str(target), "--defaults", *fast(tiny_dataset.folder), "--set",
                     "model.encoder=mean_configure", "--include-package", PLUGIN]) == 0
        assert f"--include-package {PLUGIN}" in target.read_text()
        assert main(["train", str(target), "-s", str(tmp_path / "run"), "--include-package", PLUGIN]) == 0
    finally:
        sys.modules.pop(PLUGIN, None)
        _REGISTRY.get(Seq2VecEncoder, {}).pop("mean_configure", None)
        importlib.invalidate_caches()
