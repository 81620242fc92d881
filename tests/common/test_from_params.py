"""Building objects from configs: type conversion, nested objects, and errors that name the key path."""

from __future__ import annotations

import copy
from typing import Dict, List, Literal, Optional, Tuple, Union

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.from_params import Lazy, construct, constructor_parameters, type_name
from swapnlp.common.params import Params
from swapnlp.common.registry import Registrable


# -- a small registry of our own ---------------------------------------------------------------------
class Shape(Registrable):
    pass


@Shape.register("square")
class Square(Shape):
    def __init__(self, side: int) -> None:
        self.side = side


@Shape.register("circle")
class Circle(Shape):
    def __init__(self, radius: float = 1.0) -> None:
        self.radius = radius


@Shape.register("unit_square", constructor="unit")
class UnitSquare(Square):
    @classmethod
    def unit(cls, scale: int = 1) -> "UnitSquare":
        return cls(scale)


class Drawing:
    def __init__(
        self,
        shapes: List[Shape],
        named: Dict[str, Shape],
        main: Shape,
        extra: Optional[Shape] = None,
        corner: Tuple[int, float] = (0, 0.0),
        sizes: Tuple[int, ...] = (),
        tags: List[str] = (),  # type: ignore[assignment]
        mode: Literal["fast", "slow"] = "fast",
        width: Union[int, str] = 1,
        note: Optional[str] = None,
    ) -> None:
        self.shapes, self.named, self.main, self.extra = shapes, named, main, extra
        self.corner, self.sizes, self.tags, self.mode, self.width, self.note = corner, sizes, tags, mode, width, note


class NeedsContext:
    def __init__(self, name: str, context: object, later: Lazy[Shape]) -> None:
        self.name, self.context, self.later = name, context, later


def minimal_drawing(**more):
    return {"shapes": [], "named": {}, "main": {"type": "circle"}, **more}


def test_nested_lists_dicts_optional_and_tuples_are_built():
    drawing = construct(Drawing, {
        "shapes": [{"type": "square", "side": 2}, {"type": "circle", "radius": 3}],
        "named": {"a": {"type": "square", "side": 5}},
        "main": {"type": "circle"},
        "extra": None,
        "corner": [4, 5],
        "sizes": [1, 2, 3],
        "tags": ["x", "y"],
        "mode": "slow",
        "width": "wide",
    })
    assert [type(s) for s in drawing.shapes] == [Square, Circle]
    assert drawing.shapes[0].side == 2 and drawing.shapes[1].radius == 3.0
    assert isinstance(drawing.shapes[1].radius, float)  # an int in the config becomes the hinted float
    assert isinstance(drawing.named["a"], Square) and drawing.named["a"].side == 5
    assert isinstance(drawing.main, Circle) and drawing.main.radius == 1.0
    assert drawing.extra is None
    assert drawing.corner == (4, 5.0) and isinstance(drawing.corner, tuple)
    assert drawing.sizes == (1, 2, 3)
    assert drawing.tags == ["x", "y"]
    assert drawing.mode == "slow"
    assert drawing.width == "wide"


def test_optional_object_is_built_when_given():
    drawing = construct(Drawing, minimal_drawing(extra={"type": "square", "side": 1}, note="hi"))
    assert isinstance(drawing.extra, Square) and drawing.note == "hi"


def test_string_shorthand_equals_type_object():
    short = construct(Drawing, minimal_drawing(main="circle", shapes=["circle"]))
    long = construct(Drawing, minimal_drawing(main={"type": "circle"}, shapes=[{"type": "circle"}]))
    assert type(short.main) is type(long.main) is Circle
    assert short.main.radius == long.main.radius
    assert type(short.shapes[0]) is Circle


def test_optimizer_string_shorthand_adam():
    import torch

    from swapnlp.training.optimizers import AdamOptimizer, Optimizer

    parameters = [("w", torch.nn.Parameter(torch.zeros(2)))]
    lazy_short = construct_lazy_optimizer("adam")
    lazy_long = construct_lazy_optimizer({"type": "adam"})
    built_short = lazy_short.construct(model_parameters=parameters)
    built_long = lazy_long.construct(model_parameters=parameters)
    assert isinstance(built_short, AdamOptimizer) and isinstance(built_long, AdamOptimizer)
    assert built_short.defaults == built_long.defaults
    assert isinstance(Optimizer.from_params({"type": "sgd", "lr": 0.5}, model_parameters=parameters),
                      torch.optim.SGD)


def construct_lazy_optimizer(value):
    from swapnlp.common.from_params import construct_value
    from swapnlp.training.optimizers import Optimizer

    return construct_value(Lazy[Optimizer], value, "trainer.optimizer", {})


def test_registered_constructor_classmethod_is_the_schema():
    built = construct(Shape, {"type": "unit_square", "scale": 3})
    assert isinstance(built, UnitSquare) and built.side == 3
    with pytest.raises(ConfigurationError, match='unknown key "side"'):
        construct(Shape, {"type": "unit_square", "side": 3})


def test_dotted_class_path_as_type():
    built = construct(Shape, {"type": f"{__name__}.Square", "side": 4})
    assert isinstance(built, Square) and built.side == 4


def test_default_implementation_is_used_without_type():
    from swapnlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer

    indexer = construct(TokenIndexer, {"lowercase_tokens": True})
    assert isinstance(indexer, SingleIdTokenIndexer) and indexer.lowercase_tokens


def test_missing_type_without_default_lists_the_choices():
    with pytest.raises(ConfigurationError) as error:
        construct(Drawing, minimal_drawing(main={"radius": 2.0}))
    message = str(error.value)
    assert 'missing required key "main.type"' in message
    assert "circle" in message and "square" in message


def test_extras_fill_parameters_the_config_does_not_set_and_lazy_waits():
    context = object()
    built = construct(NeedsContext, {"name": "n", "later": {"type": "square"}}, context=context)
    assert built.context is context
    assert isinstance(built.later, Lazy)
    square = built.later.construct(side=9)  # the missing parameter is supplied later
    assert isinstance(square, Square) and square.side == 9
    # the Lazy can be constructed again (its config is copied, not consumed)
    assert built.later.construct(side=2).side == 2


def test_the_config_value_wins_over_an_extra():
    built = construct(NeedsContext, {"name": "from config", "later": "circle"}, name="extra", context=1)
    assert built.name == "from config"


def test_already_built_objects_pass_through():
    circle = Circle(2.0)
    assert construct(Drawing, minimal_drawing(main=circle)).main is circle


def test_constructor_parameters_follow_kwargs_to_the_base_class():
    class Base:
        def __init__(self, size: int, name: str = "b") -> None:
            pass

    class Child(Base):
        def __init__(self, colour: str, **kwargs) -> None:
            super().__init__(**kwargs)

    names = [p.name for p in constructor_parameters(Child)]
    assert names == ["colour", "size", "name"]
    assert [p.required for p in constructor_parameters(Child)] == [True, True, False]


def test_type_names_are_readable():
    assert type_name(int) == "int"
    assert type_name(List[str]) == "List[str]"
    assert type_name(Optional[Shape]) == "Optional[Shape]"
    assert type_name(Dict[str, int]) == "Dict[str, int]"
    assert type_name(Union[int, str]) == "Union[int, str]"


# -- errors name the key path and the fix --------------------------------------------------------------
def test_list_items_errors_name_their_index():
    with pytest.raises(ConfigurationError) as error:
        construct(Drawing, minimal_drawing(shapes=[{"type": "square", "side": 1}, {"type": "square", "side": "2"}]))
    assert "shapes[1].side: expected int, got str \"2\"" in str(error.value)


def test_tuple_with_the_wrong_number_of_items():
    with pytest.raises(ConfigurationError, match=r"corner: expected 2 items \(Tuple\[int, float\]\), got 3"):
        construct(Drawing, minimal_drawing(corner=[1, 2, 3]))


def test_a_list_where_a_scalar_was_given():
    with pytest.raises(ConfigurationError, match=r'tags: expected a list \(List\[str\]\), got str "x"'):
        construct(Drawing, minimal_drawing(tags="x"))


def test_an_object_where_a_dict_was_expected():
    with pytest.raises(ConfigurationError, match=r"named: expected an object"):
        construct(Drawing, minimal_drawing(named=[1]))


def test_literal_value_not_allowed_suggests_one():
    with pytest.raises(ConfigurationError) as error:
        construct(Drawing, minimal_drawing(mode="fsat"))
    message = str(error.value)
    assert "mode:" in message and "['fast', 'slow']" in message and 'Did you mean "fast"' in message


def test_bool_is_not_accepted_as_an_int_and_a_string_is_not_a_float():
    with pytest.raises(ConfigurationError, match="side: expected int, got bool True"):
        construct(Shape, {"type": "square", "side": True})
    with pytest.raises(ConfigurationError, match=r'radius: expected a number \(float\), got str "2"'):
        construct(Shape, {"type": "circle", "radius": "2"})


def test_null_for_a_required_object():
    with pytest.raises(ConfigurationError, match="main: expected Shape, got null"):
        construct(Drawing, minimal_drawing(main=None))


def test_union_error_reports_every_option():
    with pytest.raises(ConfigurationError) as error:
        construct(Drawing, minimal_drawing(width=[1]))
    message = str(error.value)
    assert "width:" in message and "matches none of Union[int, str]" in message


# -- the model config errors the course shows --------------------------------------------------------
@pytest.fixture
def vocab():
    from swapnlp.data.vocabulary import Vocabulary

    vocab = Vocabulary()
    vocab.add_tokens(["good", "bad", "film"], "tokens")
    vocab.add_tokens(["pos", "neg"], "labels")
    return vocab


def build_model(tiny_config, vocab, **encoder):
    from swapnlp.models import Model

    config = copy.deepcopy(tiny_config)
    config["model"]["encoder"] = encoder
    return Model.from_params(Params(config).pop("model"), vocab=vocab)


def test_a_correct_model_config_builds(tiny_config, vocab):
    from swapnlp.models import SimpleClassifier
    from swapnlp.modules import BagOfEmbeddingsEncoder

    model = build_model(tiny_config, vocab, type="bag_of_embeddings", embedding_dim=8)
    assert isinstance(model, SimpleClassifier) and isinstance(model.encoder, BagOfEmbeddingsEncoder)
    assert model.embedder.token_embedders["tokens"].num_embeddings == vocab.get_vocab_size("tokens")


def test_misspelled_type_names_path_and_suggestion(tiny_config, vocab):
    with pytest.raises(ConfigurationError) as error:
        build_model(tiny_config, vocab, type="bag_of_embedding", embedding_dim=8)
    message = str(error.value)
    assert "model.encoder.type" in message
    assert 'Did you mean "bag_of_embeddings"' in message
    assert "Available:" in message and "cnn" in message


def test_unknown_key_names_path_suggestion_and_accepted_parameters(tiny_config, vocab):
    with pytest.raises(ConfigurationError) as error:
        build_model(tiny_config, vocab, type="bag_of_embeddings", embedding_dim=8, averagd=True)
    message = str(error.value)
    assert 'unknown key "model.encoder.averagd"' in message
    assert 'Did you mean "averaged"' in message
    assert "Accepted parameters: embedding_dim: int, averaged: bool" in message


def test_missing_required_key_names_path_and_type(tiny_config, vocab):
    with pytest.raises(ConfigurationError) as error:
        build_model(tiny_config, vocab, type="bag_of_embeddings", averaged=True)
    message = str(error.value)
    assert 'missing required key "model.encoder.embedding_dim" (int)' in message
    assert 'BagOfEmbeddingsEncoder ("bag_of_embeddings")' in message


def test_wrong_type_names_path_expected_type_and_value(tiny_config, vocab):
    with pytest.raises(ConfigurationError) as error:
        build_model(tiny_config, vocab, type="bag_of_embeddings", embedding_dim="3")
    assert 'model.encoder.embedding_dim: expected int, got str "3"' in str(error.value)


def test_deeper_paths_inside_dicts(tiny_config, vocab):
    from swapnlp.models import Model

    config = copy.deepcopy(tiny_config)
    config["model"]["embedder"]["token_embedders"]["tokens"]["embedding_dim"] = 8.5
    with pytest.raises(ConfigurationError) as error:
        Model.from_params(Params(config).pop("model"), vocab=vocab)
    assert "model.embedder.token_embedders.tokens.embedding_dim: expected int, got float 8.5" in str(error.value)


def test_unknown_top_level_key(tiny_config, tmp_path):
    from swapnlp.run.train import train_model

    config = copy.deepcopy(tiny_config)
    config["trainr"] = config.pop("trainer")
    with pytest.raises(ConfigurationError) as error:
        train_model(Params(config), tmp_path / "run")
    message = str(error.value)
    assert 'unknown key "trainr" for the top level of the config' in message
    assert 'Did you mean "trainer"' in message
    assert "Accepted parameters:" in message and "dataset_reader" in message
    assert not (tmp_path / "run").exists()  # nothing written for a config that is wrong


def test_trainer_optimizer_string_shorthand(tiny_config, vocab):
    from swapnlp.data import SimpleDataLoader
    from swapnlp.training import Trainer
    from swapnlp.training.optimizers import AdamOptimizer

    model = build_model(tiny_config, vocab, type="bag_of_embeddings", embedding_dim=8)
    loader = SimpleDataLoader([], batch_size=2)
    short = Trainer.from_params({"optimizer": "adam", "enable_progress_bar": False}, model=model, data_loader=loader)
    long = Trainer.from_params({"optimizer": {"type": "adam"}, "enable_progress_bar": False}, model=model,
                               data_loader=loader)
    assert type(short.optimizer) is type(long.optimizer) is AdamOptimizer
    assert short.optimizer.defaults == long.optimizer.defaults
