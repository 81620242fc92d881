"""The wizard's choices -> a commented Jsonnet config, for a learner to read, change and train.

Every component gets a comment with its kind, registered name, class, source file and what it does;
every value set gets its type; parameters left at their default are listed as commented-out lines, so
the file shows what else could be set. Evaluated, the text gives exactly `choices.to_config()`.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any, List, Optional, Sequence

from swapnlp.configure.components import first_line
from swapnlp.configure.slots import Slot, SlotDict

INDENT = "  "
WIDTH = 110


def write_jsonnet(root: Slot, extra: Any = None, filename: Optional[str] = None,
                  include_packages: Sequence[str] = ()) -> str:
    """The commented Jsonnet text of the config under `root` (the wizard's choices), then the `extra` top-level
    keys passed through as they are (`filename` and `include_packages` go in the train hint)."""
    plugins = "".join(f" --include-package {name}" for name in include_packages)
    lines = [
        "// A training config written by the swapnlp configuration wizard (swapnlp configure).",
        f"// Train it:  swapnlp train {filename or 'THIS_FILE.jsonnet'} -s runs/my_model{plugins}",
        '// Each "type" is a registered name; `swapnlp describe KIND:NAME` shows all its parameters',
        "// (e.g. `swapnlp describe encoder:cnn`). Lines starting with // are comments: the commented-out",
        "// keys are parameters left at their default, shown so you can see what else there is to set.",
        "{",
    ]
    lines += _body(root, 1)
    for key, value in (extra or {}).items():
        lines.append(f"{INDENT}{json.dumps(key)}: {json.dumps(value)},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _body(slot: Slot, depth: int) -> List[str]:
    """The keys of `slot`'s object, one per line (nested components as nested objects)."""
    pad = INDENT * depth
    lines = [f'{pad}"type": {json.dumps(slot.name)},'] if slot.base is not None else []
    for parameter in slot.parameters:
        key = json.dumps(parameter.name)
        child = slot.children.get(parameter.name)
        if isinstance(child, Slot):
            if child.name is None:
                names = ", ".join(child.base.list_available())
                lines.append(f"{pad}// {key}: {{...}},  // {parameter.type_text} ({names}): left out")
            else:
                lines += _component(child, key, depth)
        elif isinstance(child, SlotDict):
            if not child.entries:
                lines.append(f"{pad}// {key}: {{...}},  // {parameter.type_text}: left out (the default)")
                continue
            lines.append(f"{pad}{key}: {{")
            for name, entry in child.entries.items():
                lines += _component(entry, json.dumps(name), depth + 1)
            lines.append(f"{pad}}},")
        elif parameter.name in slot.values:
            value = json.dumps(slot.values[parameter.name])
            note = parameter.type_text if parameter.required else f"{parameter.type_text}, default {_shown(parameter.default)}"
            lines.append(f"{pad}{key}: {value},  // {note}")
        elif parameter.required:
            lines.append(f"{pad}// {key}: ...,  // {parameter.type_text}, REQUIRED: not set yet")
        else:
            lines.append(f"{pad}// {key}: {_shown(parameter.default)},  // {parameter.type_text} (the default)")
    return lines


def _component(slot: Slot, key: str, depth: int) -> List[str]:
    pad = INDENT * depth
    info = slot.info
    title = f"{slot.base.__name__} \"{slot.name}\" ({info.cls.__name__}, {info.source})"
    summary = first_line(info.doc)
    text = f"{title}: {summary}" if summary else title
    lines = [f"{pad}// {line}" for line in textwrap.wrap(text, WIDTH - len(pad) - 3)[:3]]
    return lines + [f"{pad}{key}: {{"] + _body(slot, depth + 1) + [f"{pad}}},"]


def _shown(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
