"""The registry: names -> classes, clashes, dotted class paths, and the error for an unknown name."""

from __future__ import annotations

import sys
import textwrap

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.registry import Registrable, registrable_bases


class Animal(Registrable):
    default_implementation = "dog"


@Animal.register("dog")
class Dog(Animal):
    pass


@Animal.register("cat")
class Cat(Animal):
    pass


class Unregistered(Animal):
    """Importable by its dotted path, never registered."""


def test_by_name_and_registered_name():
    assert Animal.by_name("dog") is Dog
    assert Animal.by_name("cat") is Cat
    assert Animal.registered_name(Cat) == "cat"
    assert Animal.registered_name(Unregistered) is None


def test_list_available_puts_the_default_first():
    assert Animal.list_available()[0] == "dog"
    assert set(Animal.list_available()) >= {"dog", "cat"}


def test_each_base_class_has_its_own_registry():
    class Plant(Registrable):
        pass

    @Plant.register("dog")  # the same name on another base is no clash
    class DogRose(Plant):
        pass

    assert Plant.by_name("dog") is DogRose
    assert Animal.by_name("dog") is Dog
    assert Animal in registrable_bases() and Plant in registrable_bases()


def test_registering_a_taken_name_is_an_error_naming_the_owner():
    with pytest.raises(ConfigurationError) as error:
        @Animal.register("dog")
        class OtherDog(Animal):
            pass
    message = str(error.value)
    assert 'name "dog" is already registered' in message
    assert f"{Dog.__module__}.Dog" in message
    assert "exist_ok=True" in message
    assert Animal.by_name("dog") is Dog  # the old registration is kept


def test_registering_the_same_class_twice_is_fine_and_exist_ok_replaces():
    Animal.register("cat")(Cat)
    assert Animal.by_name("cat") is Cat

    class Puma(Animal):
        pass

    try:
        Animal.register("cat", exist_ok=True)(Puma)
        assert Animal.by_name("cat") is Puma
    finally:
        Animal.register("cat", exist_ok=True)(Cat)
    assert Animal.by_name("cat") is Cat


def define_ferret(sound: str) -> type:
    """What a notebook cell defining (and registering) a component creates each time it is run."""
    class Ferret(Animal):
        pass

    Ferret.sound = sound
    return Ferret


def test_registering_the_same_class_again_replaces_it_quietly():
    first = Animal.register("ferret")(define_ferret("first run"))
    second = Animal.register("ferret")(define_ferret("second run"))  # the cell run again: a new class object
    assert first is not second and first.__qualname__ == second.__qualname__
    assert Animal.by_name("ferret") is second and Animal.registered_name(second) == "ferret"


def test_a_different_class_under_a_taken_name_is_still_refused():
    Animal.register("ferret")(define_ferret("kept"))

    class Ferret(Animal):  # the same name, but another class (another qualified name)
        pass

    with pytest.raises(ConfigurationError, match='name "ferret" is already registered'):
        Animal.register("ferret")(Ferret)
    assert Animal.by_name("ferret").sound == "kept"


def test_unknown_name_suggests_a_close_one_and_lists_what_is_available():
    with pytest.raises(ConfigurationError) as error:
        Animal.by_name("dgo")
    message = str(error.value)
    assert '"dgo" is not a registered Animal' in message
    assert 'Did you mean "dog"' in message
    assert "Available: dog, cat" in message
    assert "--include-package" in message and '@Animal.register("dgo")' in message


def test_unknown_name_without_a_close_match_has_no_suggestion():
    with pytest.raises(ConfigurationError) as error:
        Animal.by_name("zzzzzz")
    assert "Did you mean" not in str(error.value)


def test_dotted_class_path_fallback_needs_no_registration():
    assert Animal.by_name(f"{__name__}.Unregistered") is Unregistered
    assert Animal.resolve(f"{__name__}.Unregistered") == (Unregistered, None)


def test_dotted_class_path_from_a_module_of_ones_own(tmp_path, monkeypatch):
    (tmp_path / "swapnlp_test_zoo.py").write_text(textwrap.dedent(f"""
        from {__name__} import Animal

        class Ferret(Animal):
            pass
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert Animal.by_name("swapnlp_test_zoo.Ferret").__name__ == "Ferret"
    finally:
        sys.modules.pop("swapnlp_test_zoo", None)


@pytest.mark.parametrize("name", ["no_such_module_xyz.Thing", f"{__name__}.NoSuchClass"])
def test_bad_dotted_class_path_is_a_clear_error(name):
    with pytest.raises(ConfigurationError, match="is neither a registered Animal nor an importable class"):
        Animal.by_name(name)


@pytest.mark.parametrize("name", [f"{__name__}.Registrable", f"{__name__}.define_ferret", "subprocess.Popen"])
def test_a_dotted_path_must_name_a_subclass_of_the_base(name):
    with pytest.raises(ConfigurationError, match="that is not a subclass of Animal"):
        Animal.by_name(name)


def test_inside_only_registered_a_dotted_path_imports_nothing():
    from swapnlp.common.registry import only_registered

    with only_registered("this test"):
        assert Animal.by_name(f"{__name__}.Unregistered") is Unregistered  # its module is already imported
        with pytest.raises(ConfigurationError, match="this test may not import modules"):
            Animal.by_name("no_such_module_xyz.Thing")


def test_registered_constructor_method_is_resolved():
    from swapnlp.data.vocabulary import Vocabulary

    assert Vocabulary.resolve("from_instances") == (Vocabulary, "from_instances")
    assert Vocabulary.resolve("from_files") == (Vocabulary, "from_files")


def test_builtin_names_are_registered():
    import swapnlp.data  # noqa: F401  (registers)
    import swapnlp.models  # noqa: F401
    import swapnlp.predictors  # noqa: F401
    import swapnlp.training  # noqa: F401
    from swapnlp.data import DatasetReader, TokenIndexer, Tokenizer
    from swapnlp.models import Model
    from swapnlp.modules import Seq2VecEncoder, TokenEmbedder
    from swapnlp.predictors import Predictor
    from swapnlp.training import Optimizer

    assert "whitespace" in Tokenizer.list_available()
    assert "single_id" in TokenIndexer.list_available()
    assert "classification-tsv" in DatasetReader.list_available()
    assert "embedding" in TokenEmbedder.list_available()
    assert {"bag_of_embeddings", "cnn", "lstm", "gru"} <= set(Seq2VecEncoder.list_available())
    assert "simple_classifier" in Model.list_available()
    assert {"adam", "adamw", "sgd"} <= set(Optimizer.list_available())
    assert "sentence_classifier" in Predictor.list_available()
