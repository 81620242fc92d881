"""The configuration wizard in a notebook (ipywidgets), a thin layer over `ConfigChoices`.

    from swapnlp.configure.widgets import ConfigWizard
    wizard = ConfigWizard(output="my_config.jsonnet")
    wizard                                    # shows it: one box per component, then devices and "Write config"

Each box is one step: a dropdown of the registered names of its kind (your own components loaded with
--include-package / import are in it too), what the chosen one does and where its code is, one input per
parameter (type and default shown; empty = the default), and the verdict of the real from_params (✅, or
❌ with its message). The same steps can be driven from code, and the view follows:

    wizard.choose("model.encoder", "cnn"); wizard.set("model.encoder.num_filters", 16); wizard.write()
"""

from __future__ import annotations

import html
import json
import typing
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import ipywidgets as widgets

from swapnlp.common.errors import ConfigurationError
from swapnlp.configure.choices import ConfigChoices
from swapnlp.configure.slots import Slot, SlotDict, join
from swapnlp.configure.components import config_keys_of, first_line, load_components
from swapnlp.configure.terminal import parse_value

_DEFAULT = object()  # "leave this parameter at its default" in a dropdown
_LEFT_OUT = ""       # "leave this optional component out" in a type dropdown


def css_name(path: str) -> str:
    """A CSS class for a config path: "model.encoder" -> "model-encoder" ("data" for the top level)."""
    return path.replace(".", "-").replace("_", "-") or "data"


class ConfigWizard:
    """The wizard. `choices` is its model (ConfigChoices); `output` the file "Write config" writes."""

    def __init__(self, choices: Optional[ConfigChoices] = None, output: Union[str, Path] = "wizard_config.jsonnet",
                 data_dir: str = "data/movie_review", include_packages: Sequence[str] = ()) -> None:
        load_components()
        self.choices = choices if choices is not None else ConfigChoices.starter(data_dir)
        self.include_packages = list(include_packages)
        self.written: Optional[Path] = None
        self.steps = widgets.VBox()
        self.devices = widgets.Dropdown(description="devices", style={"description_width": "70px"})
        self.devices.add_class("swapnlp-devices")
        self._showing = False
        self.devices.observe(self._devices_chosen, names="value")
        self.file = widgets.Text(value=str(output), description="file", style={"description_width": "70px"},
                                 layout=widgets.Layout(width="420px"))
        self.write_button = widgets.Button(description="Write config", button_style="primary", icon="save")
        self.write_button.add_class("swapnlp-write")
        self.write_button.on_click(lambda _: self._write_clicked())
        self.status = widgets.HTML()
        self.status.add_class("swapnlp-status")
        self.preview = widgets.HTML()
        self.preview.add_class("swapnlp-preview")
        title = widgets.HTML("<h3 style='margin:4px 0'>Configuration wizard</h3><div>Pick each part of the config "
                             "from the registry; empty inputs keep their default. Every change is checked with "
                             "the real <code>from_params</code>.</div>")
        self._box = widgets.VBox([title, self.steps, self.devices, widgets.HBox([self.file, self.write_button]),
                                  self.status, self.preview])
        self._box.add_class("swapnlp-wizard")
        self._drawn = False  # the steps are drawn when first shown: driving it from code before costs nothing
        self._drawn_steps: Dict[str, Any] = {}  # path -> (what it showed, its view): unchanged steps are kept
        self._in_event, self._pending = False, False

    @property
    def widget(self) -> widgets.VBox:
        """The wizard's view (drawn on first use, then redrawn after every change)."""
        if not self._drawn:
            self._drawn = True
            self.render()
        return self._box

    # -- the same API as ConfigChoices; the view follows every change --------------------------------
    def choose(self, path: str, name: Optional[str]) -> None:
        self.choices.choose(path, name)
        self._redraw()

    def set(self, path: str, value: Any) -> None:
        self.choices.set(path, value)
        self._redraw()

    def unset(self, path: str) -> None:
        self.choices.unset(path)
        self._redraw()

    def add_entry(self, path: str, key: str, name: Optional[str] = None) -> None:
        self.choices.add_entry(path, key, name)
        self._redraw()

    def set_devices(self, devices: List[int]) -> None:
        self.choices.set_devices(devices)
        self._redraw()

    def to_config(self) -> Dict[str, Any]:
        return self.choices.to_config()

    def problems(self) -> Dict[str, str]:
        return self.choices.problems()

    def jsonnet(self) -> str:
        return self.choices.jsonnet(self.file.value, self.include_packages)

    def write(self, path: Union[str, Path, None] = None) -> Path:
        """Write the config (to `path`, else the file box); a ConfigurationError while problems remain."""
        if path is not None:
            self.file.value = str(path)
        self.written = self.choices.write(self.file.value, include_packages=self.include_packages)
        self.status.value = (f"✅ wrote <code>{html.escape(str(self.written))}</code>. Train it: <code>swapnlp train "
                             f"{html.escape(str(self.written))} -s runs/{html.escape(self.written.stem)}</code>")
        self.preview.value = f"<pre style='font-size:11px;line-height:1.3'>{html.escape(self.jsonnet())}</pre>"
        return self.written

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):  # a short, stable text form for places without widgets (and nbval)
            bundle["text/plain"] = "ConfigWizard: open the notebook in JupyterLab to see the wizard"
        return bundle

    # -- the view --------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        """Redraw after a change: at once for a click in the view; after the running cell for code (one
        redraw however many changes a cell makes, which keeps the kernel's message stream small)."""
        if not self._drawn:
            return
        shell = _ipython()
        if self._in_event or shell is None:
            self.render()
        elif not self._pending:
            self._pending = True

            def after_cell(*_: Any) -> None:
                shell.events.unregister("post_execute", after_cell)
                self._pending = False
                self.render()

            shell.events.register("post_execute", after_cell)

    def render(self) -> None:
        """Redraw the steps that changed, and show what from_params says about each."""
        problems = self.choices.problems()
        drawn: Dict[str, Any] = {}
        children = []
        for slot in self.choices.components():
            key = json.dumps([slot.name, slot.values, slot.optional, problems.get(slot.path),
                              sorted(p for p in problems if p.startswith(slot.path + ".")),
                              {k: sorted(c.entries) for k, c in slot.children.items() if isinstance(c, SlotDict)}],
                             sort_keys=True, default=str)
            cached = self._drawn_steps.get(slot.path)
            step = cached[1] if cached is not None and cached[0] == key else self._step(slot, problems)
            drawn[slot.path] = (key, step)
            children.append(step)
        self.steps.children = children
        kept = {id(step) for _, step in drawn.values()}
        for _, step in self._drawn_steps.values():  # views no longer shown: free them (kernel and browser)
            if id(step) not in kept:
                _close(step)
        self._drawn_steps = drawn
        self._render_devices()
        if problems:
            listed = "".join(f"<li><code>{html.escape(k or 'config')}</code>: {html.escape(v)}</li>"
                             for k, v in problems.items())
            self.status.value = f"❌ fix these before writing:<ul>{listed}</ul>"
        elif not self.status.value.startswith("✅ wrote"):
            self.status.value = "✅ every component builds: ready to write"

    def _step(self, slot: Slot, problems: Dict[str, str]) -> widgets.Widget:
        depth = slot.path.count(".") + (1 if slot.path else 0)
        rows: List[widgets.Widget] = []
        if slot.base is None:
            rows.append(widgets.HTML("<b>The data</b>: files of <code>text&lt;TAB&gt;label</code> lines "
                                     "(paths relative to the folder you train in)"))
        else:
            keys = ", ".join(config_keys_of(slot.base))
            article = "an" if slot.base.__name__[0] in "AEIOU" else "a"
            rows.append(widgets.HTML(f"<b><code>{html.escape(slot.path)}</code></b> · {article} {slot.base.__name__}"
                                     + (f" <span style='color:#777'>(config keys: {keys})</span>" if keys else "")))
            options = ([("— left out (the default) —", _LEFT_OUT)] if slot.optional else []) + [
                (name, name) for name in slot.base.list_available()]
            choice = widgets.Dropdown(options=options, value=slot.name or _LEFT_OUT, description="type",
                                      style={"description_width": "50px"})
            choice.add_class("swapnlp-choice")
            choice.add_class(f"swapnlp-choice-{css_name(slot.path)}")
            choice.observe(lambda change, path=slot.path: self._chosen(path, change["new"]), names="value")
            rows.append(choice)
            if slot.info is not None:
                rows.append(widgets.HTML(f"<div style='color:#444'>{html.escape(first_line(slot.info.doc))} "
                                         f"<code style='color:#777'>{html.escape(slot.info.source)}</code></div>"))
        for parameter in slot.parameters:
            if parameter.kind == "value" and not (slot.base is not None and slot.base.__name__ == "Trainer"
                                                  and parameter.name == "cuda_device"):
                rows.append(self._field(slot, parameter))
            elif parameter.kind == "components":
                rows.append(self._group(slot.children[parameter.name]))
        if slot.name is not None and slot.base is not None:
            problem = problems.get(slot.path)
            below = any(path.startswith(slot.path + ".") for path in problems)
            verdict = (f"❌ {html.escape(problem)}" if problem else "… fix the parts below first" if below
                       else "✅ builds")
            message = widgets.HTML(f"<div style='color:{'#b00' if problem else '#060'}'>{verdict}</div>")
            message.add_class("swapnlp-verdict")
            rows.append(message)
        box = widgets.VBox(rows, layout=widgets.Layout(border="1px solid #ddd", padding="4px 8px",
                                                       margin=f"3px 0 3px {24 * depth}px"))
        box.add_class("swapnlp-step")
        box.add_class(f"swapnlp-step-{css_name(slot.path)}")
        return box

    def _field(self, slot: Slot, parameter: Any) -> widgets.Widget:
        path = join(slot.path, parameter.name)
        options = _options(parameter.annotation)
        default = "required" if parameter.required else f"default: {json.dumps(parameter.default, default=repr)}"
        if options is not None:
            entries = ([] if parameter.required else [(default, _DEFAULT)]) + [(json.dumps(o), o) for o in options]
            current = slot.values.get(parameter.name, _DEFAULT)
            field = widgets.Dropdown(options=entries, value=current if current in options else _DEFAULT,
                                     layout=widgets.Layout(width="220px"))
        else:
            text = _text_of(slot.values[parameter.name]) if parameter.name in slot.values else ""
            field = widgets.Text(value=text, placeholder=default, continuous_update=False,
                                 layout=widgets.Layout(width="220px"))
        label = widgets.HTML(f"<code>{html.escape(parameter.name)}</code> <span style='color:#777'>"
                             f"{html.escape(parameter.type_text)}</span>", layout=widgets.Layout(width="300px"))
        note = widgets.HTML(f"<span style='color:#666'>{html.escape(parameter.doc)}</span>")
        row = widgets.HBox([label, field, note])
        row.add_class("swapnlp-param")
        row.add_class(f"swapnlp-param-{css_name(path)}")
        field.observe(lambda change: self._edited(path, parameter.type_text, change["new"], note), names="value")
        return row

    def _group(self, group: SlotDict) -> widgets.Widget:
        name = widgets.Text(placeholder="another name, e.g. chars", layout=widgets.Layout(width="220px"))
        add = widgets.Button(description="add", layout=widgets.Layout(width="60px"))
        note = widgets.HTML(f"<code>{html.escape(group.path.rpartition('.')[2])}</code>: "
                            f"{', '.join(group.entries) or '(none: the default)'}",
                            layout=widgets.Layout(width="300px"))
        add.on_click(lambda _: self._guarded(lambda: self.add_entry(group.path, name.value.strip()), note))
        return widgets.HBox([note, name, add])

    def _render_devices(self) -> None:
        """The devices dropdown; its values are "-1", "0", "0,1" (the device list, as text)."""
        from swapnlp.configure.validation import available_devices

        options = [(name, str(device)) for device, name in available_devices().items()]
        if len(options) > 2:
            options.append((f"all {len(options) - 1} GPUs (distributed)", ",".join(map(str, range(len(options) - 1)))))
        current = ",".join(str(d) for d in self.choices.devices())
        if current not in [value for _, value in options]:
            options.append((f"{current} (not on this machine)", current))
        self._showing = True  # setting the dropdown here is not the learner choosing
        try:
            self.devices.options, self.devices.value = options, current
        finally:
            self._showing = False

    # -- events ----------------------------------------------------------------------------------------
    def _chosen(self, path: str, name: str) -> None:
        self._guarded(lambda: self.choose(path, name or None), self.status)

    def _devices_chosen(self, change: Dict[str, Any]) -> None:
        if self._showing or change["new"] is None:
            return
        self._guarded(lambda: self.set_devices([int(d) for d in change["new"].split(",")]), self.status)

    def _edited(self, path: str, type_text: str, value: Any, note: widgets.HTML) -> None:
        if value is _DEFAULT or (isinstance(value, str) and not value.strip()):
            self._guarded(lambda: self.unset(path), note)
        elif isinstance(value, str) and type_text not in ("bool",):
            self._guarded(lambda: self.set(path, parse_value(value, type_text)), note)
        else:
            self._guarded(lambda: self.set(path, value), note)

    def _guarded(self, action: Any, where: widgets.HTML) -> None:
        """Run a change from the view; a refused one shows its message in place (in red), changes nothing."""
        self._in_event = True
        try:
            action()
        except ConfigurationError as error:
            where.value = f"<span style='color:#b00'>❌ {html.escape(str(error))}</span>"
        finally:
            self._in_event = False

    def _write_clicked(self) -> None:
        self._guarded(self.write, self.status)


def _ipython() -> Any:
    """The running IPython shell (a notebook kernel), or None in plain Python."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _close(widget: widgets.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close(child)
    widget.close()


def _options(annotation: Any) -> Optional[List[Any]]:
    """The values of a Literal / bool parameter (shown as a dropdown), else None (a text box)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is bool:
        return [True, False]
    if origin is typing.Literal:
        return list(args)
    if origin is Union or str(origin) == "<class 'types.UnionType'>":
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            found = _options(inner[0])
            return found + [None] if found is not None else None
    return None


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
