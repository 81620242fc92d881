"""The registry: a name in a config ("cnn") -> the class that implements it.

Each base class (Seq2VecEncoder, Model, ...) subclasses `Registrable` and so gets its own registry:

    @Seq2VecEncoder.register("cnn")
    class CnnEncoder(Seq2VecEncoder): ...

    Seq2VecEncoder.by_name("cnn")            # -> CnnEncoder
    Seq2VecEncoder.list_available()          # -> ["bag_of_embeddings", "cnn", ...]

A dotted class path ("my_package.encoders.MyEncoder") works too, without registering, as long as it names a
subclass of the base. Inside `only_registered()` (loading a model archive: its config is data from elsewhere) a
dotted path is never imported: only registered names and classes of modules already imported resolve.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import inspect
import sys
from typing import Any, Callable, ClassVar, Dict, Iterator, List, Optional, Tuple, Type, TypeVar

from swapnlp.common.errors import ConfigurationError, did_you_mean

T = TypeVar("T", bound="Registrable")

# base class -> {name: (subclass, constructor method name or None for __init__)}
_REGISTRY: Dict[type, Dict[str, Tuple[type, Optional[str]]]] = {}
# True while loading something whose config must not import code (a model archive): see only_registered()
_ONLY_REGISTERED: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("only_registered", default=None)


@contextlib.contextmanager
def only_registered(source: str = "a model archive") -> Iterator[None]:
    """Within this block, `resolve` imports nothing: a dotted type must name a class of a module that is
    already imported (built-ins, --include-package modules). `source` says where the config came from."""
    token = _ONLY_REGISTERED.set(source)
    try:
        yield
    finally:
        _ONLY_REGISTERED.reset(token)


def _same_class(old: type, new: type) -> bool:
    """The same class defined again (a re-run notebook cell, a reloaded module): same module and name."""
    return old is new or (old.__module__, old.__qualname__) == (new.__module__, new.__qualname__)


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
            if name in registry and not exist_ok and not _same_class(registry[name][0], subclass):
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
        """(subclass, constructor name) for a registered name or a dotted path to a subclass of `cls`."""
        registry = _REGISTRY.get(cls, {})
        if name in registry:
            return registry[name]
        if "." in name:
            return cls._resolve_dotted(name), None
        choices = cls.list_available()
        raise ConfigurationError(
            f'"{name}" is not a registered {cls.__name__}.{did_you_mean(name, choices)} '
            f"Available: {', '.join(choices) or '(none)'}. Your own component? Register it with "
            f'@{cls.__name__}.register("{name}") and load its module with --include-package.'
        )

    @classmethod
    def _resolve_dotted(cls, name: str) -> type:
        """The class a dotted path names; only a subclass of `cls` is accepted (never a function or any
        other class), and within `only_registered()` its module must already be imported."""
        module_name, _, class_name = name.rpartition(".")
        source = _ONLY_REGISTERED.get()
        if source is not None:
            module = sys.modules.get(module_name)
            if module is None:
                raise ConfigurationError(
                    f'"{name}" is not a registered {cls.__name__}, and {source} may not import modules (importing '
                    f"runs code). If you trust it, load that module first: --include-package {module_name}.")
            found = vars(module).get(class_name)  # vars, not getattr: a module __getattr__ could import
        else:
            try:
                found = getattr(importlib.import_module(module_name), class_name)
            except (ImportError, AttributeError) as error:
                raise ConfigurationError(
                    f'"{name}" is neither a registered {cls.__name__} nor an importable class ({error}).'
                ) from None
        if found is None:
            raise ConfigurationError(f'"{name}" is not a registered {cls.__name__}, and the module {module_name} '
                                     f"has no class {class_name}.")
        if not (inspect.isclass(found) and issubclass(found, cls)):
            kind = "class" if inspect.isclass(found) else type(found).__name__
            raise ConfigurationError(f'"{name}" is a {kind} that is not a subclass of {cls.__name__}: a dotted '
                                     f"type must name a {cls.__name__} class.")
        return found

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
