"""--include-package: a learner's own Seq2VecEncoder, in their own module, works everywhere a built-in does."""

from __future__ import annotations

import copy
import json
import textwrap

import pytest

from swapnlp.commands.main import main
from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder

PLUGIN = "swapnlp_test_plugin"  # a name no other test module uses

PLUGIN_SOURCE = textwrap.dedent("""
    import torch

    from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder


    @Seq2VecEncoder.register("max_pool")
    class MaxPoolEncoder(Seq2VecEncoder):
        \"\"\"The elementwise maximum over the real (unpadded) tokens.\"\"\"

        def __init__(self, embedding_dim: int) -> None:
            super().__init__()
            self.embedding_dim = embedding_dim

        def get_input_dim(self) -> int:
            return self.embedding_dim

        def get_output_dim(self) -> int:
            return self.embedding_dim

        def forward(self, tokens, mask=None):
            if mask is not None:
                tokens = tokens.masked_fill(~mask.unsqueeze(-1), -1e4)
            return tokens.max(dim=1).values
""")


def write_config(path, config):
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def plugin(learner_module):
    """The learner's module with the "max_pool" encoder, in the current folder, not imported yet."""
    return learner_module(PLUGIN, PLUGIN_SOURCE, {Seq2VecEncoder: "max_pool"})


@pytest.fixture
def plugin_folder(plugin):
    return plugin.folder


@pytest.fixture
def plugin_config(tiny_config, plugin_folder):
    config = copy.deepcopy(tiny_config)
    config["model"]["encoder"] = {"type": "max_pool", "embedding_dim": 8}
    config["trainer"]["num_epochs"] = 1
    return write_config(plugin_folder / "max_pool.json", config)


def test_plugin_trains_evaluates_and_predicts(plugin, plugin_config, plugin_folder, tiny_dataset, capsys):
    run = plugin_folder / "run"
    # without --include-package, the error says what is missing and how to fix it
    assert main(["train", str(plugin_config), "-s", str(run)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "model.encoder.type" in err
    assert '"max_pool" is not a registered Seq2VecEncoder' in err
    assert "--include-package" in err and '@Seq2VecEncoder.register("max_pool")' in err

    # the same command with --include-package (and the same -s folder) now trains
    assert main(["train", str(plugin_config), "-s", str(run), "--include-package", PLUGIN]) == 0
    assert (run / "model.tar.gz").exists()
    assert Seq2VecEncoder.by_name("max_pool").__module__ == PLUGIN

    # a fresh process knows nothing of the plugin: evaluating the archive needs --include-package too
    plugin.forget()
    capsys.readouterr()
    assert main(["evaluate", str(run / "model.tar.gz"), str(tiny_dataset.test)]) == 2
    err = capsys.readouterr().err
    assert '"max_pool" is not a registered Seq2VecEncoder' in err and "--include-package" in err

    metrics_file = plugin_folder / "metrics.json"
    assert main(["evaluate", str(run / "model.tar.gz"), str(tiny_dataset.test), "--output-file", str(metrics_file),
                 "--include-package", PLUGIN]) == 0
    assert {"accuracy", "loss"} <= set(json.loads(metrics_file.read_text()))

    plugin.forget()
    inputs = plugin_folder / "inputs.jsonl"
    inputs.write_text('{"sentence": "a good film"}\n{"sentence": "a bad film"}\n')
    predictions = plugin_folder / "predictions.jsonl"
    assert main(["predict", str(run / "model.tar.gz"), str(inputs), "--output-file", str(predictions),
                 "--include-package", PLUGIN]) == 0
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert len(lines) == 2 and all(set(line["probs"]) == {"pos", "neg"} for line in lines)


def test_the_archived_model_uses_the_plugin_encoder(plugin, plugin_config, plugin_folder):
    from swapnlp.archive import load_archive
    from swapnlp.common.plugins import import_plugins

    run = plugin_folder / "run"
    assert main(["train", str(plugin_config), "-s", str(run), "--include-package", PLUGIN]) == 0
    plugin.forget()
    import_plugins([PLUGIN])
    model = load_archive(run / "model.tar.gz").model
    assert type(model.encoder).__name__ == "MaxPoolEncoder"
    assert type(model.encoder).__module__ == PLUGIN


def test_an_unknown_package_is_a_clear_error(plugin_folder, plugin_config, capsys):
    assert main(["train", str(plugin_config), "-s", str(plugin_folder / "run"),
                 "--include-package", "no_such_plugin_xyz"]) == 2
    err = capsys.readouterr().err
    assert 'error: --include-package no_such_plugin_xyz: no module named "no_such_plugin_xyz"' in err
    assert not (plugin_folder / "run").exists()


def test_a_plugin_with_a_broken_import_shows_the_real_problem(learner_module):
    from swapnlp.common.plugins import import_plugins

    learner_module("swapnlp_test_broken_plugin", "import swapnlp_test_not_installed_dependency\n", {})
    with pytest.raises(ModuleNotFoundError, match="swapnlp_test_not_installed_dependency"):
        import_plugins(["swapnlp_test_broken_plugin"])
