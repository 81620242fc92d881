"""The registry: a name in a config ("cnn") -> the class that implements it.

Each base class (Seq2VecEncoder, Model, ...) subclasses `Registrable` and so gets its own registry:

    @Seq2VecEncoder.register("cnn")
    class CnnEncoder(Seq2VecEncoder): ...

    Seq2VecEncoder.by_name("cnn")            # -> CnnEncoder
    Seq2VecEncoder.list_available()          # -> ["bag_of_embeddings", "cnn", ...]

A dotted class path ("my_package.encoders.MyEncoder") works too, without registering.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple, Type, TypeVar

from swapnlp.common.errors import ConfigurationError, did_you_mean

T = TypeVar("T", bound="Registrable")

# base class -> {name: (subclass, constructor method name or None for __init__)}
_REGISTRY: Dict[type, Dict[str, Tuple[type, Optional[str]]]] = {}


class Registrable:
    """A base class whose subclasses can be looked up by a registered name."""

    default_implementation: ClassVar[Optional[str]] = None

    @classmethod
    def register(
        cls, name: str, constructor: Optional[str] = None, exist_ok: bool = False
    ) -> Callable[[Type[T]], Type[T]]:
        """Class decorator: register the subclass under `name`.

        `constructor` names a classmethod to build it with instead of `__init__`
        (its signature is then the config schema).
        """
        registry = _REGISTRY.setdefault(cls, {})

        def add(subclass: Type[T]) -> Type[T]:
            if name in registry and not exist_ok and registry[name][0] is not subclass:
                old = registry[name][0]
                raise ConfigurationError(
                    f'{cls.__name__} name "{name}" is already registered to '
                    f"{old.__module__}.{old.__qualname__}; pick another name or pass exist_ok=True."
                )
            registry[name] = (subclass, constructor)
            return subclass

        return add

    @classmethod
    def resolve(cls, name: str) -> Tuple[type, Optional[str]]:
        """(subclass, constructor name) for a registered name or a dotted class path."""
        registry = _REGISTRY.get(cls, {})
        if name in registry:
            return registry[name]
        if "." in name:
            module_name, _, class_name = name.rpartition(".")
            try:
                subclass = getattr(importlib.import_module(module_name), class_name)
            except (ImportError, AttributeError) as error:
                raise ConfigurationError(
                    f'"{name}" is neither a registered {cls.__name__} nor an importable class ({error}).'
                ) from None
            return subclass, None
        choices = cls.list_available()
        raise ConfigurationError(
            f'"{name}" is not a registered {cls.__name__}.{did_you_mean(name, choices)} '
            f"Available: {', '.join(choices) or '(none)'}. Your own component? Register it with "
            f'@{cls.__name__}.register("{name}") and load its module with --include-package.'
        )

    @classmethod
    def by_name(cls: Type[T], name: str) -> Type[T]:
        """The class registered (or importable) as `name`."""
        return cls.resolve(name)[0]

    @classmethod
    def list_available(cls) -> List[str]:
        """Registered names, the default implementation first."""
        names = sorted(_REGISTRY.get(cls, {}))
        default = cls.default_implementation
        if default in names:
            names.remove(default)
            names.insert(0, default)
        return names

    @classmethod
    def from_params(cls: Type[T], params: Any, **extras: Any) -> T:
        """Build this class (or the subclass named by params["type"]) from a config.

        `extras` are run-time objects (e.g. `vocab=...`) handed to constructor parameters of that name.
        """
        from swapnlp.common.from_params import construct  # imported here: from_params imports this module

        return construct(cls, params, **extras)

    @classmethod
    def registered_name(cls, subclass: type) -> Optional[str]:
        """The name `subclass` is registered under in this base's registry, if any."""
        for name, (registered, _) in _REGISTRY.get(cls, {}).items():
            if registered is subclass:
                return name
        return None


def registrable_bases() -> List[type]:
    """Every base class that has a registry (used by `swapnlp describe`)."""
    return sorted(_REGISTRY, key=lambda base: base.__name__)



def has_registry(cls: type) -> bool:
    """True for a base class that names its implementations (Seq2VecEncoder), not for an implementation
    (CnnEncoder) -- unless that implementation is itself a base others register under."""
    return bool(_REGISTRY.get(cls)) or "default_implementation" in vars(cls) and cls.default_implementation is not None
