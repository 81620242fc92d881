"""components.py: kinds by friendly names, component schemas read from the constructors."""

from __future__ import annotations

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.from_params import constructor_parameters
from swapnlp.configure.components import (bases, component_info, config_keys_of, find_base, first_line,
                                          load_components, parameter_doc, top_level_info)
from swapnlp.data import DatasetReader, TokenIndexer, Tokenizer
from swapnlp.models import Model
from swapnlp.modules import Seq2VecEncoder, TextFieldEmbedder, TokenEmbedder
from swapnlp.training import LearningRateScheduler, Optimizer, Trainer

load_components()


@pytest.mark.parametrize("spelling, base", [
    ("Seq2VecEncoder", Seq2VecEncoder), ("seq2vec_encoder", Seq2VecEncoder), ("seq2vec-encoders", Seq2VecEncoder),
    ("encoder", Seq2VecEncoder), ("ENCODER", Seq2VecEncoder), ("embedder", TextFieldEmbedder),
    ("token_embedders", TokenEmbedder), ("token-embedder", TokenEmbedder), ("token_indexers", TokenIndexer),
    ("tokenizer", Tokenizer), ("dataset_reader", DatasetReader), ("reader", DatasetReader), ("model", Model),
    ("optimizer", Optimizer), ("scheduler", LearningRateScheduler), ("learning_rate_scheduler", LearningRateScheduler),
    ("trainer", Trainer),
])
def test_friendly_kind_names(spelling, base):
    assert find_base(spelling) is base


def test_an_unknown_kind_says_did_you_mean():
    with pytest.raises(ConfigurationError, match='"encodr" is not a kind of component. Did you mean "encoder"'):
        find_base("encodr")


def test_config_keys_come_from_the_constructors():
    assert config_keys_of(Seq2VecEncoder) == ["encoder"]
    assert config_keys_of(TokenEmbedder) == ["token_embedders"]
    every_key = {key for base in bases() for key in config_keys_of(base)}
    assert "vocab" not in every_key and "vocabulary" in every_key  # vocab is supplied, not configured


def test_every_component_schema_is_its_constructor_minus_what_code_supplies():
    seen = 0
    for base in bases():
        for name in base.list_available():
            info = component_info(base, name)
            cls, constructor = base.resolve(name)
            parameters = constructor_parameters(cls, constructor)
            assert [p.name for p in info.parameters] == [p.name for p in parameters if p.name not in info.supplied]
            assert set(info.supplied) == {p.name for p in parameters if p.supplied} | (
                {"epoch_callbacks"} & {p.name for p in parameters})  # callables are Python-only too
            seen += 1
    assert seen >= 15


def test_supplied_parameters_are_read_from_the_signature():
    assert component_info(Trainer, "gradient_descent").supplied[:4] == [
        "model", "data_loader", "validation_data_loader", "serialization_dir"]
    assert component_info(Optimizer, "adam").supplied == ["model_parameters"]
    assert component_info(Model, "simple_classifier").supplied == ["vocab"]


def test_the_top_level_is_the_training_configs_signature():
    names = [p.name for p in top_level_info().parameters]
    assert names[:4] == ["train_data_path", "validation_data_path", "test_data_path", "dataset_reader"]
    assert {"model", "trainer", "data_loader", "vocabulary", "random_seed", "distributed"} <= set(names)


def test_cnn_schema():
    info = component_info(Seq2VecEncoder, "cnn")
    parameters = {p.name: p for p in info.parameters}
    assert parameters["embedding_dim"].required and parameters["embedding_dim"].type_text == "int"
    assert parameters["ngram_filter_sizes"].default == (2, 3, 4, 5)
    assert parameters["ngram_filter_sizes"].type_text == "Tuple[int, ...]"
    assert info.source == "lib/swapnlp/modules/seq2vec_encoders/cnn.py"
    assert "n-gram detectors" in info.doc


def test_component_parameters_are_marked_as_components():
    parameters = {p.name: p for p in component_info(Model, "simple_classifier").parameters}
    assert (parameters["encoder"].kind, parameters["encoder"].base) == ("component", Seq2VecEncoder)
    assert parameters["dropout"].kind == "value"
    embedder = {p.name: p for p in component_info(TextFieldEmbedder, "basic").parameters}
    assert (embedder["token_embedders"].kind, embedder["token_embedders"].base) == ("components", TokenEmbedder)
    trainer = {p.name: p for p in component_info(Trainer, "gradient_descent").parameters}
    assert trainer["optimizer"].base is Optimizer  # inside Union[Lazy[Optimizer], torch Optimizer, None]


def test_unknown_component_name_says_did_you_mean():
    with pytest.raises(ConfigurationError, match='Did you mean "cnn"'):
        component_info(Seq2VecEncoder, "cnnn")


def test_docs_per_parameter_and_first_line():
    doc = "Does things.\n\nalpha: the first one. beta=2: the second\n    one, wrapped.\ngamma: last."
    assert parameter_doc(doc, "alpha") == "the first one."
    assert parameter_doc(doc, "beta") == "beta=2: the second one, wrapped."
    assert parameter_doc(doc, "delta") == ""
    assert first_line('CnnEncoder ("cnn"): n-gram detectors. More text.') == "n-gram detectors."


def test_a_component_defined_interactively_has_no_file_but_a_schema():
    from swapnlp.common.registry import _REGISTRY

    namespace = {"__name__": "__main__"}
    exec("from swapnlp.modules import Seq2VecEncoder\n"
         "@Seq2VecEncoder.register('interactive_test_encoder')\n"
         "class Mine(Seq2VecEncoder):\n"
         "    def __init__(self, size: int) -> None:\n"
         "        super().__init__()\n", namespace)
    try:
        info = component_info(Seq2VecEncoder, "interactive_test_encoder")
        assert info.source == "(this notebook / session)" and [p.name for p in info.parameters] == ["size"]
    finally:
        _REGISTRY[Seq2VecEncoder].pop("interactive_test_encoder")
