"""The configuration wizard's model: the learner's choices as a tree, and the config tree they make.

    choices = ConfigChoices.starter()                      # a bag-of-embeddings config that trains
    choices.choose("model.encoder", "cnn")                 # another registered Seq2VecEncoder
    choices.set("model.encoder.num_filters", 16)           # a parameter (its type is checked at once)
    choices.to_config()                                    # -> the config dict `swapnlp train` reads
    choices.problems()                                     # -> {path: what is wrong}, from real from_params
    choices.write("my_config.jsonnet")                     # commented Jsonnet

Each node (`Slot`) is one component: its kind (registry base), the chosen registered name, the values
set for its parameters, and a child node for each parameter that is itself a component. What each
component accepts is read from its constructor (`components.component_info`), so a learner's own
component registered with `--include-package` gets the same treatment as a built-in one. The widgets
(`widgets.py`) and the terminal prompts (`terminal.py`) are thin layers over this class.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

from swapnlp.common.errors import ConfigurationError, did_you_mean
from swapnlp.common.from_params import construct_value, older_names
from swapnlp.configure.components import ParameterInfo, component_info, top_level_info
from swapnlp.configure.jsonnet_writer import write_jsonnet
from swapnlp.configure.slots import Slot, SlotDict, config_of, groups, join, walk
from swapnlp.configure.starter import starter_config
from swapnlp.configure.validation import find_problems, output_dim_of

INPUT_SIZES = ("embedding_dim", "input_size", "input_dim")  # an encoder's input = the embedder's output
STARTING_VALUES = {"embedding_dim": 64, "input_size": 64, "input_dim": 64, "hidden_size": 64,
                   "num_filters": 32, "model_name": "minilm"}
DEFAULT_ENTRY = "tokens"  # the name of the first token indexer / token embedder


class ConfigChoices:
    """The learner's choices; every method that changes them raises ConfigurationError when refused."""

    def __init__(self) -> None:
        self.root = Slot("", None, name="config", info=top_level_info())  # TrainingConfig's signature
        self.extra: Dict[str, Any] = {}  # top-level keys the wizard passes through untouched (distributed...)
        self._sizes: Dict[str, int] = {}  # encoder path -> the embedder output size it was last matched to
        self._fill(self.root, {})

    @classmethod
    def starter(cls, data_dir: str = "data/movie_review") -> "ConfigChoices":
        """The course's first model (configs/bag_of_embeddings.jsonnet's choices): every step already made."""
        return cls.from_config(starter_config(data_dir))

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> "ConfigChoices":
        """Choices that give `config` back (an existing config, to change with the wizard)."""
        choices = cls()
        for key, value in config.items():
            if choices.root.parameter(key) is None:
                choices.extra[key] = value
            else:
                choices.set(key, value)
        return choices

    # -- reading -----------------------------------------------------------------------------------
    def node(self, path: str) -> Union[Slot, SlotDict]:
        """The Slot or SlotDict at `path` ("model.encoder"); "" is the top level."""
        node: Union[Slot, SlotDict] = self.root
        walked = ""
        for key in [part for part in path.split(".") if part] if path else []:
            options = node.children if isinstance(node, Slot) else node.entries
            if key not in options:
                raise ConfigurationError(f'"{join(walked, key)}" is not a component of this config.'
                                         f"{did_you_mean(key, options)} Here: {', '.join(options) or '(none)'}.")
            node, walked = options[key], join(walked, key)
        return node

    def slot(self, path: str) -> Slot:
        node = self.node(path)
        if not isinstance(node, Slot):
            raise ConfigurationError(f'"{path}" is a group of named components ({", ".join(node.entries)}): '
                                     f'name one, e.g. "{join(path, next(iter(node.entries), DEFAULT_ENTRY))}".')
        return node

    def components(self) -> List[Slot]:
        """Every chosen component (and every component left out), parents before children, top level first."""
        return walk(self.root)

    def groups(self) -> List[SlotDict]:
        return groups(self.root)

    def value(self, path: str) -> Any:
        parent, _, key = path.rpartition(".")
        return self.slot(parent).values.get(key)

    def to_config(self) -> Dict[str, Any]:
        """The config tree (plain dicts): what `swapnlp train` reads from the written file."""
        return {**config_of(self.root), **json.loads(json.dumps(self.extra))}

    def problems(self) -> Dict[str, str]:
        """{component path: what is wrong}, found by building each component with the real from_params."""
        return find_problems(self.root)

    def jsonnet(self, filename: Optional[str] = None, include_packages: Sequence[str] = ()) -> str:
        """The commented Jsonnet text (`filename` and `include_packages` go into its "train it" line)."""
        return write_jsonnet(self.root, self.extra, filename, include_packages)

    def write(self, path: Union[str, Path], check: bool = True, include_packages: Sequence[str] = ()) -> Path:
        """Write the commented Jsonnet; with `check`, refuse (ConfigurationError) while a problem remains."""
        problems = self.problems() if check else {}
        if problems:
            listed = "; ".join(f"{where or 'config'}: {what}" for where, what in problems.items())
            raise ConfigurationError(f"not written, fix these first: {listed}")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.jsonnet(str(path), include_packages), encoding="utf-8")
        return path

    # -- changing ----------------------------------------------------------------------------------
    def choose(self, path: str, name: Optional[str]) -> None:
        """Pick component `name` (a registered name) at `path`; None leaves an optional one out."""
        slot = self.slot(path)
        if slot.base is None:
            raise ConfigurationError("the top level of the config has no type to choose.")
        if name in (None, ""):
            if not slot.optional:
                raise ConfigurationError(f"{path} is required: choose one of {', '.join(slot.base.list_available())}.")
            slot.name, slot.info, slot.values, slot.children, slot.auto = None, None, {}, {}, set()
            return
        try:
            info = component_info(slot.base, str(name))
        except ConfigurationError as error:
            raise ConfigurationError(f"{path}.type: {error}") from None
        kept = {k: v for k, v in slot.values.items() if k not in slot.auto}
        slot.name, slot.info, slot.values, slot.auto = str(name), info, {}, set()
        for key, value in kept.items():  # what the learner set that the new choice accepts too
            parameter = slot.parameter(key)
            if parameter is not None and parameter.kind == "value" and _type_error(parameter, value, "") is None:
                slot.values[key] = value
        self._fill(slot, slot.children)
        self._refresh()

    def set(self, path: str, value: Any) -> None:
        """Set a parameter ("model.encoder.num_filters"), a type ("model.encoder.type" or "model.encoder"
        with a name), or a whole component from a dict ({"type": "cnn", ...})."""
        parent_path, _, key = path.rpartition(".")
        parent = self.node(parent_path)
        if isinstance(parent, SlotDict):  # a named entry: "model.embedder.token_embedders.chars"
            if key not in parent.entries:
                self.add_entry(parent_path, key)
            self._load(parent.entries[key], value)
        elif key == "type":
            self.choose(parent_path, value)
        elif key in parent.children:
            child = parent.children[key]
            if isinstance(child, SlotDict):
                if not isinstance(value, dict):
                    raise ConfigurationError(f"{path}: expected an object of named {child.base.__name__}s.")
                for name in [n for n in child.entries if n not in value]:
                    self.remove_entry(path, name)
                for name, entry in value.items():
                    self.set(join(path, name), entry)
            else:
                self._load(child, value)
        else:
            if parent.name is None:
                raise ConfigurationError(f"{parent_path} is left out: choose its type first "
                                         f"({', '.join(parent.base.list_available())}).")
            parameter = parent.parameter(key)
            newer = older_names(parent.info.cls, {p.name: p for p in parent.parameters}).get(key) if parent.info else None
            if parameter is None and newer is not None:  # an older spelling (input_size): set the key it names now
                self.set(join(parent_path, newer), value)
                return
            if parameter is None:
                known = [p.name for p in parent.parameters]
                what = f'{parent.name} ({parent.info.cls.__name__})' if parent.info else "this component"
                raise ConfigurationError(f'"{path}": {what} has no parameter "{key}".{did_you_mean(key, known)} '
                                         f"Its parameters: {', '.join(known) or '(none)'}.")
            problem = _type_error(parameter, value, path)
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                problem = f"{path}: {value!r} cannot be written in a config (use numbers, strings, lists...)."
            if problem:
                raise ConfigurationError(problem)
            parent.values[key] = value
            parent.auto.discard(key)
        self._refresh()

    def unset(self, path: str) -> None:
        """Forget a parameter's value (its default applies), or leave an optional component out."""
        parent_path, _, key = path.rpartition(".")
        parent = self.node(parent_path)
        if isinstance(parent, SlotDict):
            self.remove_entry(parent_path, key)
        elif key in parent.children:
            child = parent.children[key]
            if isinstance(child, SlotDict):
                for name in list(child.entries):
                    self.remove_entry(path, name)
            else:
                self.choose(path, None)
        else:
            parent.values.pop(key, None)
            parent.auto.discard(key)
            self._refresh()

    def add_entry(self, path: str, key: str, name: Optional[str] = None) -> Slot:
        """Add a named component to a group (another token indexer, say); `name` defaults to the kind's default."""
        group = self.node(path)
        if not isinstance(group, SlotDict):
            raise ConfigurationError(f"{path} is not a group of named components.")
        if not key or "." in key or key in group.entries:
            raise ConfigurationError(f'{path}: "{key}" is empty, has a dot or is taken; pick another name.')
        group.entries[key] = Slot(join(path, key), group.base)
        self.choose(join(path, key), name or _default_name(group.base))
        return group.entries[key]

    def remove_entry(self, path: str, key: str) -> None:
        group = self.node(path)
        if isinstance(group, SlotDict) and key in group.entries:
            if len(group.entries) == 1 and not group.optional:
                raise ConfigurationError(f"{path} needs at least one entry.")
            del group.entries[key]

    # -- devices: trainer.cuda_device, or several GPUs as top-level "distributed" ------------------------
    def devices(self) -> List[int]:
        """[-1] for the CPU, [N] for GPU N, [0, 1, ...] for several GPUs (distributed training)."""
        several = (self.root.values.get("distributed") or {}).get("cuda_devices")
        return list(several) if several else [self.root.children["trainer"].values.get("cuda_device", -1)]

    def set_devices(self, devices: List[int]) -> None:
        """One device -> trainer.cuda_device; several -> the top-level "distributed" (one worker each)."""
        devices = list(devices) or [-1]
        self.root.values.pop("distributed", None)
        if len(devices) > 1:
            self.root.values["distributed"] = {"cuda_devices": devices}  # from available_devices(): they exist
            self.unset("trainer.cuda_device")
        elif devices == [-1]:
            self.unset("trainer.cuda_device")
        else:
            self.set("trainer.cuda_device", devices[0])

    # -- inside ----------------------------------------------------------------------------------
    def _load(self, slot: Slot, value: Any) -> None:
        """Set a whole component from a config value: a name ("cnn") or an object ({"type": ..., ...})."""
        if value is None:
            self.choose(slot.path, None)
            return
        if isinstance(value, str):
            self.choose(slot.path, value)
            return
        if not isinstance(value, dict):
            raise ConfigurationError(f"{slot.path}: expected a name or an object for a "
                                     f"{slot.base.__name__}, got {value!r}.")
        value = dict(value)
        self.choose(slot.path, value.pop("type", None) or slot.name or _default_name(slot.base))
        for key in [k for k in slot.values if k not in value]:  # the object says it all: forget the rest
            slot.values.pop(key)
            slot.auto.discard(key)
        for key, child in slot.children.items():
            if key not in value and child.optional:
                self.unset(join(slot.path, key))
        for key, item in value.items():
            self.set(join(slot.path, key), item)

    def _fill(self, slot: Slot, old_children: Dict[str, Union[Slot, SlotDict]]) -> None:
        """Make the child nodes of `slot`'s component parameters (keeping matching old ones) and
        give required values a starting point."""
        slot.children = {}
        for parameter in slot.parameters:
            path, old = join(slot.path, parameter.name), old_children.get(parameter.name)
            if parameter.kind == "component":
                if isinstance(old, Slot) and old.base is parameter.base:
                    slot.children[parameter.name] = old
                    old.optional = not parameter.required
                    continue
                child = Slot(path, parameter.base, optional=not parameter.required)
                slot.children[parameter.name] = child
                if parameter.required:
                    self.choose(path, _default_name(parameter.base))
            elif parameter.kind == "components":
                if isinstance(old, SlotDict) and old.base is parameter.base:
                    slot.children[parameter.name] = old
                    continue
                slot.children[parameter.name] = SlotDict(path, parameter.base, optional=not parameter.required)
                if parameter.required:
                    self.add_entry(path, DEFAULT_ENTRY)
            elif parameter.required and parameter.name not in slot.values and parameter.name in STARTING_VALUES:
                slot.values[parameter.name] = STARTING_VALUES[parameter.name]
                slot.auto.add(parameter.name)

    def _refresh(self) -> None:
        """Keep an encoder's input size equal to the embedder's output size (the two must match): a size
        the wizard filled in, or one that matched before the embedder changed, follows the embedder."""
        for slot in self.components():
            if slot.base is None or slot.name is None or not hasattr(slot.base, "get_input_dim"):
                continue
            parent = self.node(slot.path.rpartition(".")[0])
            sources = [c for c in parent.children.values() if isinstance(c, Slot) and c is not slot and c.name
                       and hasattr(c.base, "get_output_dim") and not hasattr(c.base, "get_input_dim")]
            dim = output_dim_of(sources[0]) if sources else None
            if not isinstance(dim, int) or dim < 1:
                continue
            before = self._sizes.get(slot.path)
            for key in [k for k in INPUT_SIZES if slot.parameter(k) is not None]:
                if key in slot.auto or (before is not None and slot.values.get(key) == before):
                    slot.values[key] = dim
            self._sizes[slot.path] = dim


def _default_name(base: type) -> str:
    names = base.list_available()
    if not names:
        raise ConfigurationError(f"no {base.__name__} is registered: load one with --include-package.")
    return base.default_implementation if base.default_implementation in names else names[0]


def _type_error(parameter: ParameterInfo, value: Any, path: str) -> Optional[str]:
    """The from_params error converting `value` to the parameter's type, or None when it fits."""
    try:
        construct_value(parameter.annotation, value, path, {})
    except ConfigurationError as error:
        return str(error)
    return None


__all__ = ["ConfigChoices", "Slot", "SlotDict"]
