"""`swapnlp describe`: kinds and names from the registry, a component's parameters, did-you-mean errors,
--include-package components, and a --help that stays torch-free."""

from __future__ import annotations

import importlib
import json
import sys
import textwrap

import pytest

from swapnlp.commands.main import main
from swapnlp.common.registry import registrable_bases

PLUGIN = "swapnlp_describe_test_plugin"
PLUGIN_SOURCE = textwrap.dedent('''
    from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder


    @Seq2VecEncoder.register("first_token_describe")
    class FirstTokenEncoder(Seq2VecEncoder):
        """The first token's vector (a learner's encoder).

        embedding_dim: the size of the token vectors.
        """

        def __init__(self, embedding_dim: int, scale: float = 1.0) -> None:
            super().__init__()
            self.embedding_dim, self.scale = embedding_dim, scale
''')


def describe(capsys, *argv):
    code = main(["describe", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_without_argument_every_kind_and_its_names(capsys):
    code, out, _ = describe(capsys)
    assert code == 0
    from swapnlp.configure.components import load_components

    load_components()
    for base in registrable_bases():
        if base.list_available():
            line = next(line for line in out.splitlines() if line.startswith(base.__name__ + " "))
            for name in base.list_available()[:2]:
                assert name in out, (base, name)
            assert line
    for kind in ("DatasetReader", "Tokenizer", "TokenIndexer", "TokenEmbedder", "TextFieldEmbedder",
                 "Seq2VecEncoder", "Model", "Optimizer", "LearningRateScheduler", "Trainer", "DataLoader",
                 "Predictor"):
        assert f"\n{kind} " in out
    assert "[config keys: encoder]" in out


@pytest.mark.parametrize("spelling", ["Seq2VecEncoder", "seq2vec_encoder", "seq2vec-encoders", "encoder"])
def test_one_kind_by_any_spelling(capsys, spelling):
    code, out, _ = describe(capsys, spelling)
    assert code == 0
    assert out.startswith("Seq2VecEncoder (config keys: encoder): a sequence of vectors -> one vector")
    for name, cls in (("cnn", "CnnEncoder"), ("lstm", "LstmSeq2VecEncoder"), ("bag_of_embeddings",
                                                                               "BagOfEmbeddingsEncoder")):
        assert any(line.startswith(name) and cls in line for line in out.splitlines())


def test_one_component_with_types_defaults_and_doc(capsys):
    code, out, _ = describe(capsys, "encoder:cnn")
    assert code == 0
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[0] == 'Seq2VecEncoder "cnn": swapnlp.modules.seq2vec_encoders.cnn.CnnEncoder'
    assert "defined in lib/swapnlp/modules/seq2vec_encoders/cnn.py" in lines
    assert "embedding_dim int required" in lines
    assert "ngram_filter_sizes Tuple[int, ...] default [2, 3, 4, 5]" in lines
    assert 'conv_layer_activation str default "relu"' in lines
    assert "output_dim Optional[int] default null" in lines
    assert "n-gram detectors" in out  # the docstring
    assert '{"type": "cnn", "embedding_dim": <int>, "num_filters": <int>}' in out


def test_components_and_run_time_parameters_are_marked(capsys):
    _, out, _ = describe(capsys, "model:simple_classifier")
    assert "a component: `swapnlp describe Seq2VecEncoder` lists them" in out
    assert "Given in Python at run time (hinted Supplied[...]), not in a config: vocab." in out
    _, out, _ = describe(capsys, "optimizer:adam")
    assert "model_parameters" in out.split("Given in Python")[1] and "\n  lr " in out


def test_json_matches_the_constructor(capsys):
    from swapnlp.common.from_params import constructor_parameters
    from swapnlp.modules.token_embedders import Embedding

    _, out, _ = describe(capsys, "token_embedders:embedding", "--json")
    data = json.loads(out)
    assert data["kind"] == "TokenEmbedder" and data["supplied_at_run_time"] == ["vocab"]
    assert [p["name"] for p in data["parameters"]] == [p.name for p in constructor_parameters(Embedding)
                                                       if p.name != "vocab"]
    assert data["parameters"][0] == {"name": "embedding_dim", "type": "int", "required": True, "default": None,
                                     "doc": "", "component": None}


@pytest.mark.parametrize("argument, message", [
    ("encoder:cnnn", '"cnnn" is not a registered Seq2VecEncoder. Did you mean "cnn"?'),
    ("encodr", '"encodr" is not a kind of component. Did you mean "encoder"?'),
    ("Seq2VecEncodr:cnn", 'Did you mean "Seq2VecEncoder"?'),
])
def test_unknown_names_say_did_you_mean(capsys, argument, message):
    code, out, err = describe(capsys, argument)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


@pytest.fixture
def plugin_folder(tmp_path, monkeypatch):
    from swapnlp.common.registry import _REGISTRY
    from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder

    (tmp_path / f"{PLUGIN}.py").write_text(PLUGIN_SOURCE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    sys.modules.pop(PLUGIN, None)
    _REGISTRY.get(Seq2VecEncoder, {}).pop("first_token_describe", None)
    importlib.invalidate_caches()


def test_include_package_components_are_described(capsys, plugin_folder):
    code, out, _ = describe(capsys, "encoder")
    assert "first_token_describe" not in out
    code, out, _ = describe(capsys, "encoder", "--include-package", PLUGIN)
    assert code == 0 and "first_token_describe" in out and "FirstTokenEncoder: The first token's vector" in out
    code, out, _ = describe(capsys, "encoder:first_token_describe", "--include-package", PLUGIN)
    assert code == 0
    assert f"defined in {PLUGIN}.py" in out
    assert "embedding_dim  int    required" in out and "scale          float  default 1.0" in out


def test_describe_config_shows_the_top_level_from_the_training_configs_signature(capsys):
    from swapnlp.commands.main import main

    assert main(["describe", "config"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The top level of a training config: swapnlp.run.config.TrainingConfig")
    for key in ("train_data_path", "dataset_reader", "model", "trainer", "random_seed", "distributed"):
        assert f"\n  {key} " in out
    assert '"type"' not in out.split("In a config:")[1]  # the top level has no type
