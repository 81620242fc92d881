"""Build objects from configs: the constructor signature IS the config schema.

    construct(Seq2VecEncoder, {"type": "cnn", "embedding_dim": 50, "num_filters": 100})

looks up "cnn" in the Seq2VecEncoder registry, reads `CnnEncoder.__init__`'s parameters and their type
hints, converts each config value to its hinted type (building nested objects the same way), and passes
`extras` (objects made at run time, such as `vocab`) to any parameter of that name that the config does
not set. A parameter hinted `Supplied[...]` (`vocab: Supplied[Vocabulary]`) is one that code always passes:
it is part of the signature but not of the config schema (the wizard and `describe` leave it out). Every
error names the key path, the value and what would be accepted.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, Dict, Generic, List, Mapping, Optional, Tuple, TypeVar, Union

from swapnlp.common.checks import SettingError
from swapnlp.common.errors import ConfigurationError, did_you_mean
from swapnlp.common.params import Params
from swapnlp.common.registry import Registrable, has_registry

T = TypeVar("T")
UNION_TYPES = (Union, types.UnionType)  # Optional[int] and int | None
SEQUENCE_TYPES = (list, tuple, set, collections.abc.Sequence, collections.abc.Iterable)
MAPPING_TYPES = (dict, collections.abc.Mapping)
_NO_DEFAULT = inspect.Parameter.empty
_SUPPLIED = "supplied at run time, not by the config"
Supplied = Annotated[T, _SUPPLIED]
"""`model: Supplied[Model]`: a constructor parameter that code passes (as an extra), never a config key."""
VOCAB = "vocab"  # as in AllenNLP, a parameter named `vocab` is always the run's Vocabulary: supplied, hinted or not


class Lazy(Generic[T]):
    """A config for an object that needs something not known yet (an optimizer needs the model's
    parameters). `lazy.construct(model_parameters=...)` builds it once that is known."""

    def __init__(self, annotation: Any, params: Any, extras: Dict[str, Any], path: str) -> None:
        self.annotation, self.params, self.extras, self.path = annotation, params, extras, path

    def construct(self, **more_extras: Any) -> T:
        params = self.params.duplicate() if isinstance(self.params, Params) else self.params
        return construct_value(self.annotation, params, self.path, {**self.extras, **more_extras})


@dataclass
class Parameter:
    """One constructor parameter = one config key."""

    name: str
    annotation: Any
    default: Any
    supplied: bool = False  # hinted Supplied[...]: given by code at run time, not a config key

    @property
    def required(self) -> bool:
        return self.default is _NO_DEFAULT

    def describe(self) -> str:
        text = f"{self.name}: {type_name(self.annotation)}"
        return text if self.required else f"{text} = {self.default!r}"


def construct(cls: type, params: Union[Params, Mapping[str, Any]], **extras: Any) -> Any:
    """Build an instance of `cls` (or of the registered subclass named by params["type"])."""
    params = params if isinstance(params, Params) else Params(dict(params))
    return construct_value(cls, params, params.history.rstrip("."), extras)


def constructor_parameters(cls: type, constructor: Optional[str] = None) -> List[Parameter]:
    """The config schema of `cls`: the parameters of `__init__` (or of the named classmethod)."""
    function = getattr(cls, constructor) if constructor else cls.__init__
    parameters: Dict[str, Parameter] = {}
    takes_kwargs = False
    for parameter, hint in _signature(function):
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            takes_kwargs = True
        elif parameter.kind is not inspect.Parameter.VAR_POSITIONAL and parameter.name not in ("self", "cls"):
            supplied = parameter.name == VOCAB or typing.get_origin(hint) is Annotated and _SUPPLIED in hint.__metadata__
            if typing.get_origin(hint) is Annotated:
                hint = typing.get_args(hint)[0]
            parameters[parameter.name] = Parameter(parameter.name, hint, parameter.default, supplied)
    if takes_kwargs and constructor is None:  # **kwargs passed up: the base classes' keys are accepted too
        for base in cls.__mro__[1:]:
            if base is object or "__init__" not in vars(base):
                continue
            for parameter in constructor_parameters(base):
                parameters.setdefault(parameter.name, parameter)
    return list(parameters.values())


def _signature(function: Callable) -> List[Tuple[inspect.Parameter, Any]]:
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception:  # unresolvable forward references: fall back to raw annotations
        hints = {}
    result = []
    for parameter in inspect.signature(function).parameters.values():
        hint = hints.get(parameter.name, parameter.annotation)
        result.append((parameter, Any if hint is inspect.Parameter.empty or isinstance(hint, str) else hint))
    return result


def construct_value(annotation: Any, value: Any, path: str, extras: Dict[str, Any]) -> Any:
    """Convert one config value to `annotation`, building objects and containers as needed."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    where = path or "config"

    if annotation is Any or annotation is inspect.Parameter.empty:
        return value.as_dict() if isinstance(value, Params) else value
    if origin in UNION_TYPES:
        if value is None and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return construct_value(option, value, path, extras)
            except ConfigurationError as error:
                errors.append(str(error))
        raise ConfigurationError(errors[0] if len(errors) == 1 else f"{where}: {_got(value)} matches none of "
                                 f"{type_name(annotation)}: " + " | ".join(errors))
    if origin is typing.Literal:
        if value not in args:
            raise ConfigurationError(f"{where}: {_got(value)} is not one of {list(args)}."
                                     f"{did_you_mean(value, map(str, args))}")
        return value
    if origin is Lazy:
        return Lazy(args[0] if args else Any, value, extras, path)
    if origin in SEQUENCE_TYPES or annotation in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigurationError(f"{where}: expected a list ({type_name(annotation)}), got {_got(value)}.")
        if origin in (tuple, Tuple) and args and args[-1] is not Ellipsis:  # Tuple[A, B]: one type per item
            if len(value) != len(args):
                raise ConfigurationError(f"{where}: expected {len(args)} items ({type_name(annotation)}), "
                                         f"got {len(value)}.")
            item_types = list(args)
        else:
            item_types = [args[0] if args else Any] * len(value)
        items = [construct_value(t, v, f"{path}[{i}]", extras) for i, (t, v) in enumerate(zip(item_types, value))]
        return tuple(items) if origin in (tuple, Tuple) else set(items) if origin is set else items
    if origin in MAPPING_TYPES or annotation is dict:
        if not isinstance(value, (dict, Params)):
            raise ConfigurationError(f"{where}: expected an object ({type_name(annotation)}), got {_got(value)}.")
        value_type = args[1] if len(args) == 2 else Any
        items = value.params if isinstance(value, Params) else value
        return {k: construct_value(value_type, _as_params(v, f"{path}.{k}"), f"{path}.{k}", extras)
                for k, v in items.items()}
    if annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigurationError(f"{where}: expected a number (float), got {_got(value)}.")
    if annotation in (int, str, bool):
        if type(value) is annotation:
            return value
        raise ConfigurationError(f"{where}: expected {annotation.__name__}, got {_got(value)}.")
    if annotation is Path:
        if isinstance(value, (str, Path)):
            return Path(value)
        raise ConfigurationError(f"{where}: expected a file path (str), got {_got(value)}.")
    if inspect.isclass(annotation):
        if isinstance(value, annotation):  # already built (the Python-script path)
            return value
        if isinstance(value, str) and issubclass(annotation, Registrable) and _has_registry(annotation):
            value = Params({"type": value}, f"{path}.")  # "adam" is short for {"type": "adam"}
        if isinstance(value, (dict, Params)) and _is_buildable(annotation):
            return _construct_object(annotation, _as_params(value, path), path, extras)
        if value is None:
            raise ConfigurationError(f"{where}: expected {type_name(annotation)}, got null.")
        if _is_buildable(annotation):
            raise ConfigurationError(f"{where}: expected an object for {annotation.__name__} "
                                     f'(e.g. {{"type": ...}}), got {_got(value)}.')
    return value


def _construct_object(cls: type, params: Params, path: str, extras: Dict[str, Any]) -> Any:
    constructor = None
    prefix = f"{path}." if path else ""
    if issubclass(cls, Registrable) and _has_registry(cls):
        type_name_ = params.pop("type", cls.default_implementation)
        if type_name_ is None:
            choices = ", ".join(cls.list_available())
            raise ConfigurationError(f'missing required key "{prefix}type": which {cls.__name__}? '
                                     f"Available: {choices}.")
        if not isinstance(type_name_, str):
            raise ConfigurationError(f"{prefix}type: expected a name (str), got {_got(type_name_)}.")
        try:
            cls, constructor = cls.resolve(type_name_)
        except ConfigurationError as error:
            raise ConfigurationError(f"{prefix}type: {error}") from None
    parameters = constructor_parameters(cls, constructor)
    schema = {p.name: type_name(p.annotation) for p in parameters}
    what = _describe_class(cls)
    for old, new in older_names(cls, schema).items():
        if old in params and new not in params:
            print(f'notice: {prefix}{old} is the older name of {prefix}{new} ({what}); read as {new}')
            params[new] = params.pop(old)
    kwargs: Dict[str, Any] = {}
    for parameter in parameters:
        if parameter.name in params:
            kwargs[parameter.name] = construct_value(
                parameter.annotation, params.pop(parameter.name), f"{prefix}{parameter.name}", extras)
        elif parameter.name in extras:
            kwargs[parameter.name] = extras[parameter.name]
        elif parameter.required:
            if any(key not in schema for key in params):  # a misspelt key is the likelier mistake: say that
                params.assert_empty(what, schema)
            raise ConfigurationError(
                f'missing required key "{prefix}{parameter.name}" ({type_name(parameter.annotation)}) '
                f"for {what}. Its parameters: {', '.join(p.describe() for p in parameters)}.")
    params.assert_empty(what, schema)
    factory = getattr(cls, constructor) if constructor else cls
    try:
        return factory(**kwargs)
    except SettingError as error:  # a range check in the constructor: add where in the config it is
        if error.located:
            raise
        raise error.at(prefix) from None


def older_names(cls: type, schema: Mapping[str, Any]) -> Dict[str, str]:
    """{older key: its name now} from the class's `config_aliases` (inherited), for keys the constructor does
    not take itself (a learner's class with its own `input_dim` keeps it)."""
    aliases = getattr(cls, "config_aliases", None) or {}
    return {old: new for old, new in aliases.items() if old not in schema and new in schema}


def _has_registry(cls: type) -> bool:
    """Is `cls` a registry base (dispatching on "type"), rather than one registered implementation?"""
    return has_registry(cls)


def _is_buildable(cls: type) -> bool:
    """Can a config object build `cls`? Yes for a registry base, or a class with its own __init__."""
    if issubclass(cls, Registrable) and _has_registry(cls):
        return True
    return "__init__" in {name for klass in cls.__mro__[:-1] for name in vars(klass)}


def _as_params(value: Any, path: str) -> Any:
    if isinstance(value, dict) and not isinstance(value, Params):
        return Params(value, history=f"{path}.")
    return value


def _describe_class(cls: type) -> str:
    title = vars(cls).get("config_title")  # a class may name itself for errors ("the top level of the config")
    if isinstance(title, str):
        return title
    for base in cls.__mro__[1:]:
        if issubclass(base, Registrable) and base is not Registrable:
            name = base.registered_name(cls)
            if name:
                return f'{cls.__name__} ("{name}")'
    return cls.__name__


def _got(value: Any) -> str:
    if isinstance(value, Params):
        value = value.as_dict()
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    if len(shown) > 60:
        shown = shown[:57] + "..."
    kind = {dict: "object", list: "list", type(None): "null"}.get(type(value), type(value).__name__)
    return f"{kind} {shown}" if value is not None else "null"


def type_name(annotation: Any) -> str:
    """A short, readable name for a type hint: `int`, `List[str]`, `Optional[Seq2VecEncoder]`."""
    if annotation is Any or annotation is inspect.Parameter.empty:
        return "any"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in UNION_TYPES:
        rest = [a for a in args if a is not type(None)]
        inner = ", ".join(type_name(a) for a in rest)
        return f"Optional[{inner}]" if len(rest) < len(args) and len(rest) == 1 else f"Union[{inner}]"
    if origin is not None:
        name = getattr(origin, "__name__", str(origin)).capitalize() if origin in (list, dict, tuple, set) \
            else getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_name(a) for a in args)}]" if args else name
    return getattr(annotation, "__name__", str(annotation))
