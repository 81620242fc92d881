"""What `swapnlp describe` and the wizard show about components: overviews, listings, one component's keys.

    format_component(component_info(Seq2VecEncoder, "cnn"))   # its config keys, types, defaults and doc
    format_component(top_level_info())                       # the top level of a training config

Everything is read from the registry and the constructors' signatures (components.py).
"""

from __future__ import annotations

import json
import textwrap
from typing import Any, Dict, List

from swapnlp.configure.components import (ComponentInfo, bases, component_doc, config_keys_of, first_line,
                                          source_file)

WIDTH = 100


# -- what is shown ----------------------------------------------------------------------------------
def overview() -> List[Dict[str, Any]]:
    """Every kind with its config keys and registered names."""
    return [{"kind": base.__name__, "config_keys": config_keys_of(base), "names": base.list_available(),
             "default": base.default_implementation} for base in bases()]


def kind_listing(base: type) -> Dict[str, Any]:
    """One kind's registered components: name, class, source and summary."""
    names = []
    for name in base.list_available():
        cls = base.by_name(name)
        names.append({"name": name, "class": f"{cls.__module__}.{cls.__qualname__}", "source": source_file(cls),
                      "summary": first_line(component_doc(cls))})
    return {"kind": base.__name__, "summary": first_line(component_doc(base)), "source": source_file(base),
            "config_keys": config_keys_of(base), "default": base.default_implementation, "components": names}


def component_data(info: ComponentInfo) -> Dict[str, Any]:
    return {"kind": info.base.__name__, "name": info.name, "class": f"{info.cls.__module__}.{info.cls.__qualname__}",
            "source": info.source, "doc": info.doc, "supplied_at_run_time": info.supplied,
            "parameters": [{"name": p.name, "type": p.type_text, "required": p.required,
                            "default": None if p.required else _jsonable(p.default), "doc": p.doc,
                            "component": p.base.__name__ if p.base is not None else None}
                           for p in info.parameters]}


# -- as text ----------------------------------------------------------------------------------------
def format_overview(rows: List[Dict[str, Any]]) -> str:
    lines = ["Registered components, by kind (the base class a config's \"type\" is looked up in).",
             "`swapnlp describe KIND` lists one kind; `swapnlp describe KIND:NAME` shows a component's parameters.",
             ""]
    width = max(len(row["kind"]) for row in rows) + 2
    for row in rows:
        names = ", ".join(f"{n} (default)" if n == row["default"] else n for n in row["names"])
        keys = f"   [config keys: {', '.join(row['config_keys'])}]" if row["config_keys"] else ""
        lines += textwrap.wrap(f"{row['kind']:<{width}}{names}{keys}", WIDTH, subsequent_indent=" " * (width + 2))
    return "\n".join(lines)


def format_kind(base: type) -> str:
    data = kind_listing(base)
    keys = f" (config keys: {', '.join(data['config_keys'])})" if data["config_keys"] else ""
    lines = [f"{data['kind']}{keys}: {data['summary']}", f"defined in {data['source']}", ""]
    width = max(len(c["name"]) for c in data["components"]) + 2
    for component in data["components"]:
        default = " (default)" if component["name"] == data["default"] else ""
        lines += textwrap.wrap(f"{component['name']:<{width}}{component['class'].rsplit('.', 1)[-1]}{default}: "
                               f"{component['summary']}", WIDTH, subsequent_indent=" " * (width + 2))
    lines += ["", f"`swapnlp describe {data['kind']}:NAME` shows one component's parameters."]
    return "\n".join(lines)


def format_component(info: ComponentInfo) -> str:
    title = (f"{info.base.__name__} \"{info.name}\"" if info.base is not info.cls else
             "The top level of a training config")
    lines = [f"{title}: {info.cls.__module__}.{info.cls.__qualname__}",
             f"defined in {info.source}", ""]
    lines += [f"  {line}" for line in info.doc.splitlines()] + ["", "Parameters (config keys):"]
    if not info.parameters:
        lines.append("  (none: {\"type\": \"%s\"} is the whole config)" % info.name)
    width = max([len(p.name) for p in info.parameters] + [4]) + 2
    type_width = max([len(p.type_text) for p in info.parameters] + [4]) + 2
    for parameter in info.parameters:
        default = "required" if parameter.required else f"default {_shown(parameter.default)}"
        lines.append(f"  {parameter.name:<{width}}{parameter.type_text:<{type_width}}{default}")
        if parameter.base is not None:
            lines.append(f"  {'':<{width}}a component: `swapnlp describe {parameter.base.__name__}` lists them")
        if parameter.doc:
            lines += textwrap.wrap(parameter.doc, WIDTH, initial_indent=" " * (width + 2),
                                   subsequent_indent=" " * (width + 2))
    if info.supplied:
        lines += ["", f"Given in Python at run time (hinted Supplied[...]), not in a config: {', '.join(info.supplied)}."]
    typed = [f'"type": "{info.name}"'] if info.base is not info.cls else []  # the top level has no type
    example = ", ".join(typed + [f'"{p.name}": <{p.type_text}>' for p in info.parameters if p.required])
    lines += ["", "In a config:", f"  {{{example}}}"]
    return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return repr(value)


def _shown(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
