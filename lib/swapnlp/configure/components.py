"""What can go in a config: every registry base ("kind"), its registered names, and each one's parameters.

    load_components()                      # import the built-in parts, so their @register calls run
    find_base("encoder")                   # -> Seq2VecEncoder (friendly names are accepted, see below)
    info = component_info(Seq2VecEncoder, "cnn")
    info.parameters                        # -> [ParameterInfo("embedding_dim", int, required), ...]

Everything here reads the same introspection that builds objects from configs
(`swapnlp.common.from_params.constructor_parameters`), so what `swapnlp describe` and the configuration
wizard show is exactly what a config accepts. A learner's component, registered in a module loaded with
`--include-package`, shows up like a built-in one: the registry is the only source.

Friendly kind names: the class name (`Seq2VecEncoder`), any spelling of it (`seq2vec_encoder`,
`seq2vec-encoders`, case and plural ignored), and the config keys that hold one, read from the
constructors themselves (`encoder`, `embedder`, `token_embedders`, `optimizer`, `dataset_reader`, ...).
"""

from __future__ import annotations

import collections.abc
import importlib
import inspect
import pkgutil
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from swapnlp.common.errors import ConfigurationError, did_you_mean
from swapnlp.common.from_params import UNION_TYPES, Lazy, constructor_parameters, type_name
from swapnlp.common.registry import Registrable, has_registry, registrable_bases

BUILTIN_PACKAGES = ("swapnlp.data", "swapnlp.metrics", "swapnlp.modules", "swapnlp.models", "swapnlp.training",
                    "swapnlp.predictors")
# Short names that no constructor parameter spells out.
EXTRA_ALIASES = {"reader": "DatasetReader", "scheduler": "LearningRateScheduler", "lr_scheduler":
                 "LearningRateScheduler", "loader": "DataLoader", "indexer": "TokenIndexer"}
_import_problems: Dict[str, str] = {}


def load_components() -> Dict[str, str]:
    """Import every module of the built-in packages (registering their parts). Returns {module: problem}
    for modules that could not be imported (they are skipped, not fatal)."""
    for package_name in BUILTIN_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            try:
                importlib.import_module(module.name)
            except Exception as error:  # an optional dependency missing: describe the rest
                _import_problems[module.name] = f"{type(error).__name__}: {error}"
    return dict(_import_problems)


def component_base(annotation: Any) -> Tuple[str, Optional[type]]:
    """How a parameter's type is configured: ("component", Base) for a registry base (also inside
    Optional / Union / Lazy), ("components", Base) for Dict[str, Base], ("value", None) otherwise."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in UNION_TYPES:
        for option in args:
            kind, base = component_base(option)
            if base is not None:
                return kind, base
        return "value", None
    if origin is Lazy:
        return component_base(args[0]) if args else ("value", None)
    if origin in (dict, typing.Dict, typing.Mapping) or str(origin).endswith("Mapping'>"):
        if len(args) == 2 and component_base(args[1])[0] == "component":
            return "components", component_base(args[1])[1]
        return "value", None
    if inspect.isclass(annotation) and issubclass(annotation, Registrable) and has_registry(annotation):
        return "component", annotation
    return "value", None


@dataclass
class ParameterInfo:
    """One config key of a component: its type, its default (`required` when it has none) and its doc."""

    name: str
    annotation: Any
    default: Any
    required: bool
    doc: str = ""

    @property
    def kind(self) -> str:
        return component_base(self.annotation)[0]

    @property
    def base(self) -> Optional[type]:
        return component_base(self.annotation)[1]

    @property
    def type_text(self) -> str:
        """`int`, `Optional[int]`, `Seq2VecEncoder`, `Dict[str, TokenEmbedder]`..."""
        kind, base = component_base(self.annotation)
        if base is None:
            return type_name(self.annotation).replace("Ellipsis", "...")
        return base.__name__ if kind == "component" else f"Dict[str, {base.__name__}]"


@dataclass
class ComponentInfo:
    """A registered component: kind (base class), name, class, source file, docstring and parameters."""

    base: type
    name: str
    cls: type
    constructor: Optional[str]
    parameters: List[ParameterInfo]
    supplied: List[str] = field(default_factory=list)  # hinted Supplied[...]: given in Python, not in a config

    @property
    def doc(self) -> str:
        return component_doc(self.cls)

    @property
    def source(self) -> str:
        return source_file(self.cls)

    @property
    def summary(self) -> str:
        """The first sentence-ish line of the docstring."""
        return first_line(self.doc)


def component_info(base: type, name: str) -> ComponentInfo:
    """The schema of `base`'s component `name` (a ConfigurationError with "did you mean" when unknown)."""
    cls, constructor = base.resolve(name)
    return _info(base, name, cls, constructor)


def top_level_info() -> ComponentInfo:
    """The top level of a training config (run/config.py's TrainingConfig), read like a component."""
    from swapnlp.run.config import TrainingConfig

    return _info(TrainingConfig, "config", TrainingConfig, None)


def _info(base: type, name: str, cls: type, constructor: Optional[str]) -> ComponentInfo:
    doc = component_doc(cls)
    parameters, skipped = [], []
    for parameter in constructor_parameters(cls, constructor):
        if parameter.supplied or not configurable(parameter.annotation):
            skipped.append(parameter.name)
            continue
        parameters.append(ParameterInfo(parameter.name, parameter.annotation, parameter.default,
                                        parameter.required, parameter_doc(doc, parameter.name)))
    return ComponentInfo(base, name, cls, constructor, parameters, skipped)


def bases() -> List[type]:
    """Every kind with at least one registered name, by name."""
    return [base for base in registrable_bases() if base.list_available()]


def base_aliases() -> Dict[str, List[type]]:
    """{config key: kinds} from the constructors: a parameter `encoder: Seq2VecEncoder` makes "encoder"
    a name of Seq2VecEncoder. Top-level keys of a training config come from run/config.py's TrainingConfig."""
    from swapnlp.run.config import TrainingConfig  # the top level, as a signature

    found: Dict[str, List[type]] = {}
    owners = [(TrainingConfig, None)] + [owner.resolve(name) for owner in bases() for name in owner.list_available()]
    for cls, constructor in owners:
        for parameter in constructor_parameters(cls, constructor):
            if parameter.supplied:
                continue
            kind, base = component_base(parameter.annotation)
            if base is not None and base not in found.setdefault(parameter.name, []):
                found[parameter.name].append(base)
    by_name = {base.__name__: base for base in bases()}
    for alias, target in EXTRA_ALIASES.items():
        if target in by_name:
            found.setdefault(alias, [by_name[target]])
    return found


def _squash(name: str) -> str:
    """seq2vec_encoders, Seq2VecEncoder, seq2vec-encoder -> seq2vecencoder."""
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    return squashed[:-1] if squashed.endswith("s") and len(squashed) > 3 else squashed


def find_base(name: str) -> type:
    """The kind called `name` (class name, snake_case, plural or a config key), or a clear error."""
    candidates: Dict[str, List[type]] = {}
    for base in bases():
        candidates.setdefault(_squash(base.__name__), []).append(base)
    for alias, targets in base_aliases().items():
        for target in targets:
            if target not in candidates.setdefault(_squash(alias), []):
                candidates[_squash(alias)].append(target)
    found = candidates.get(_squash(name), [])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ConfigurationError(f'"{name}" names several kinds ({", ".join(b.__name__ for b in found)}): '
                                 f"use the class name.")
    spellings = [base.__name__ for base in bases()] + list(base_aliases())
    raise ConfigurationError(f'"{name}" is not a kind of component.{did_you_mean(name, spellings)} Kinds: '
                             f"{', '.join(base.__name__ for base in bases())} (`swapnlp describe` lists them).")


def config_keys_of(base: type) -> List[str]:
    """The config keys that hold a `base` ("encoder" for Seq2VecEncoder)."""
    return sorted(alias for alias, targets in base_aliases().items() if base in targets
                  and alias not in EXTRA_ALIASES)


def component_doc(cls: type) -> str:
    """The class's own docstring, else its module's (our modules describe their one class on top)."""
    own = vars(cls).get("__doc__")
    if own and own.strip():
        return inspect.cleandoc(own)
    module = inspect.getmodule(cls)
    return inspect.cleandoc(module.__doc__) if module is not None and module.__doc__ else ""


def first_line(doc: str) -> str:
    """The first sentence of the first paragraph, without a leading `Name ("name"):` title."""
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    sentence = re.split(r"(?<=[.!?])\s+", paragraph, maxsplit=1)[0]
    return re.sub(r'^[A-Z]\w*(?: \("[^"]+"\))?: ', "", sentence)


def configurable(annotation: Any) -> bool:
    """False for types no config value can give (functions, callbacks): those are Python-only."""
    if typing.get_origin(annotation) is collections.abc.Callable or annotation is collections.abc.Callable:
        return False
    return all(configurable(arg) for arg in typing.get_args(annotation) if not isinstance(arg, (list, type(...))))


def parameter_doc(doc: str, name: str) -> str:
    """The docstring's words about `name`, from a `name: ...` or `name=value: ...` phrase, if any."""
    match = re.search(rf"(?:^|[\s(,;])({re.escape(name)}(?:=\S+)?:\s.*?)"
                      rf"(?=\n\s*\n|(?:\n|(?<=[.;])\s)\s*\w+(?:=\S+)?:\s|$)", doc, flags=re.S)
    text = " ".join(match.group(1).split()) if match else ""
    return text[len(name) + 2:] if text.startswith(f"{name}: ") else text


def source_file(cls: type) -> str:
    """The file defining `cls`, relative to the current folder when inside it (the checkout: lib/swapnlp/...),
    else to the folder swapnlp is imported from (swapnlp/...)."""
    if cls.__module__ == "__main__":
        return "(this notebook / session)"
    try:
        path = Path(inspect.getsourcefile(cls) or "")
    except (TypeError, OSError):  # built into Python, or defined in a notebook / an interactive session
        return "(this notebook / session)" if cls.__module__ == "__main__" else cls.__module__
    import swapnlp

    for root in (Path.cwd(), Path(swapnlp.__file__).parent.parent):
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)
