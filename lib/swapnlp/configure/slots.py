"""The wizard's data model: a config as a tree of slots, one per component, and the config tree it makes.

    Slot       one component: its kind (registry base), the registered name chosen, the values of its
               parameters, a child node for each parameter that is itself a component
    SlotDict   a named group of components (token_indexers, token_embedders)

`config_of(slot)` is the config (plain dicts) of a slot and everything under it. choices.py changes the tree;
validation.py, jsonnet_writer.py, widgets.py and terminal.py read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Union

from swapnlp.configure.components import ComponentInfo, ParameterInfo


@dataclass
class Slot:
    """One component of the config: `name` is the registered name chosen (None = left out, defaults)."""

    path: str                   # "model.encoder" ("" for the top level)
    base: Optional[type]        # the registry base (Seq2VecEncoder); None for the top level
    optional: bool = False
    name: Optional[str] = None
    values: Dict[str, Any] = field(default_factory=dict)
    children: Dict[str, Union["Slot", "SlotDict"]] = field(default_factory=dict)
    auto: Set[str] = field(default_factory=set)  # values the wizard filled in (it keeps them up to date)
    info: Optional[ComponentInfo] = None

    @property
    def parameters(self) -> List[ParameterInfo]:
        return self.info.parameters if self.info is not None and self.name is not None else []

    def parameter(self, key: str) -> Optional[ParameterInfo]:
        return next((p for p in self.parameters if p.name == key), None)


@dataclass
class SlotDict:
    """A named group of components (token_indexers, token_embedders): {name: Slot}."""

    path: str
    base: type
    optional: bool = False
    entries: Dict[str, Slot] = field(default_factory=dict)


def join(path: str, key: str) -> str:
    """ "model" + "encoder" -> "model.encoder"; "" + "model" -> "model"."""
    return f"{path}.{key}" if path else key


def config_of(slot: Slot) -> Dict[str, Any]:
    config: Dict[str, Any] = {} if slot.base is None else {"type": slot.name}
    for parameter in slot.parameters:
        child = slot.children.get(parameter.name)
        if isinstance(child, Slot):
            if child.name is not None:
                config[parameter.name] = config_of(child)
        elif isinstance(child, SlotDict):
            if child.entries:
                config[parameter.name] = {key: config_of(entry) for key, entry in child.entries.items()}
        elif parameter.name in slot.values:
            config[parameter.name] = json.loads(json.dumps(slot.values[parameter.name]))
    return config


def walk(root: Slot) -> List[Slot]:
    """Every slot under `root` (chosen or left out), parents before children, `root` first."""
    found: List[Slot] = []

    def visit(node: Union[Slot, SlotDict]) -> None:
        for child in (node.entries.values() if isinstance(node, SlotDict) else [node]):
            found.append(child)
            for grandchild in child.children.values():
                visit(grandchild)

    visit(root)
    return found


def groups(root: Slot) -> List[SlotDict]:
    """Every named group of components under `root` (token_indexers, token_embedders)."""
    return [n for s in walk(root) for n in s.children.values() if isinstance(n, SlotDict)]
