"""The configuration wizard in a terminal: one question per step, through `input()` (`swapnlp configure`).

    settings(choices, ["model.encoder=cnn", "trainer.num_epochs=5"])   # the non-interactive path (--set)
    ask_all(choices)                                                     # the prompts

Each step is a component: first its type (Enter keeps the current one, `?` describes it, `-` leaves an
optional one out), then its parameters (Enter keeps the value, `-` goes back to the default). A wrong
answer is explained and asked again; each component is built with the real from_params as soon as its
parts are chosen, and what from_params says is shown right there.
"""

from __future__ import annotations

import json
from typing import Any, Callable, List, Optional, Sequence

from swapnlp.common.errors import ConfigurationError, did_you_mean
from swapnlp.configure.choices import ConfigChoices, Slot

Ask = Callable[[str], str]
Say = Callable[[str], None]


def parse_value(text: str, type_text: str = "") -> Any:
    """Command-line text -> a config value: JSON when it parses (16, 0.5, true, null, [2, 3], {...}),
    otherwise the text itself (cnn, data/train.tsv). For str parameters the text is always kept as is."""
    text = text.strip()
    if type_text in ("str", "Optional[str]") and not text.startswith('"') and text != "null":
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def settings(choices: ConfigChoices, assignments: Sequence[str], unsets: Sequence[str] = ()) -> None:
    """Apply `PATH=VALUE` assignments (and PATH removals) in order; a ConfigurationError says which failed."""
    for path in unsets:
        choices.unset(path.strip())
    for assignment in assignments:
        path, equals, text = assignment.partition("=")
        if not equals or not path.strip():
            raise ConfigurationError(f'--set {assignment!r}: write PATH=VALUE, e.g. --set model.encoder=cnn or '
                                     f"--set trainer.num_epochs=5.")
        path = path.strip()
        parameter = _parameter_of(choices, path)
        choices.set(path, parse_value(text, parameter.type_text if parameter else ""))


def _parameter_of(choices: ConfigChoices, path: str) -> Any:
    parent, _, key = path.rpartition(".")
    try:
        node = choices.node(parent)
    except ConfigurationError:
        return None
    return node.parameter(key) if isinstance(node, Slot) else None


def ask_all(choices: ConfigChoices, ask: Ask = input, say: Say = print) -> None:
    """Ask every step, in order (the list grows or shrinks as types are chosen), then the devices."""
    done: List[str] = []
    while True:
        pending = [slot for slot in choices.components() if slot.path not in done]
        if not pending:
            break
        slot = pending[0]
        done.append(slot.path)
        total = len(done) + len(pending) - 1
        if slot.base is None:
            say(f"\n[{len(done)}/{total}] the data: files of `text<TAB>label` lines")
        else:
            _ask_type(choices, slot, f"[{len(done)}/{total}]", ask, say)
        _ask_values(choices, slot, ask, say)
        _report(choices, slot, say)
    _ask_devices(choices, ask, say)


def _ask(ask: Ask, prompt: str) -> str:
    try:
        return ask(prompt).strip()
    except EOFError:
        raise ConfigurationError("no answer (end of input): run `swapnlp configure FILE --defaults` with "
                                 "--set PATH=VALUE for a non-interactive run.") from None


def _ask_type(choices: ConfigChoices, slot: Slot, step: str, ask: Ask, say: Say) -> None:
    from swapnlp.configure.describe import format_component
    from swapnlp.configure.components import component_info, first_line

    names = slot.base.list_available()
    article = "an" if slot.base.__name__[0] in "AEIOU" else "a"
    say(f"\n{step} {slot.path}: {article} {slot.base.__name__}. Registered: {', '.join(names)}")
    optional = "; - leaves it out" if slot.optional else ""
    while True:
        answer = _ask(ask, f"  type [{slot.name or '-'}] (Enter keeps it; ? NAME describes one{optional}): ")
        if answer.startswith("?"):
            name = answer[1:].strip() or slot.name or names[0]
            try:
                say(format_component(component_info(slot.base, name)))
            except ConfigurationError as error:
                say(f"  ❌ {error}")
            continue
        try:
            if answer == "-":
                choices.choose(slot.path, None)
            elif answer and answer != slot.name:
                choices.choose(slot.path, answer)
        except ConfigurationError as error:
            say(f"  ❌ {error}")
            continue
        if slot.info is not None:
            say(f"  {slot.name}: {first_line(slot.info.doc)}")
        return


def _ask_values(choices: ConfigChoices, slot: Slot, ask: Ask, say: Say) -> None:
    """Ask the required parameters and those already set; then offer the others, by name."""
    values = [p for p in slot.parameters if p.kind == "value"
              and not (slot.base is not None and slot.base.__name__ == "Trainer" and p.name == "cuda_device")]
    for parameter in [p for p in values if p.required or p.name in slot.values]:
        _ask_value(choices, slot, parameter, ask, say)
    others = [p for p in values if not p.required and p.name not in slot.values]
    while others:
        answer = _ask(ask, f"  more? (Enter = no; or one of: {', '.join(p.name for p in others)}): ")
        if not answer:
            return
        chosen = next((p for p in others if p.name == answer), None)
        if chosen is None:
            say(f"  ❌ {answer!r} is not one of them.{did_you_mean(answer, [p.name for p in others])}")
            continue
        _ask_value(choices, slot, chosen, ask, say)
        others = [p for p in others if p.name not in slot.values]


def _ask_value(choices: ConfigChoices, slot: Slot, parameter: Any, ask: Ask, say: Say) -> None:
    path = f"{slot.path}.{parameter.name}" if slot.path else parameter.name
    while True:
        shown = json.dumps(slot.values[parameter.name]) if parameter.name in slot.values else (
            "required" if parameter.required else f"default {json.dumps(parameter.default, default=repr)}")
        answer = _ask(ask, f"  {parameter.name} ({parameter.type_text}) [{shown}]: ")
        try:
            if answer == "-":
                choices.unset(path)
            elif answer:
                choices.set(path, parse_value(answer, parameter.type_text))
            elif parameter.required and parameter.name not in slot.values:
                say(f"  ❌ {parameter.name} is required: type a value ({parameter.doc or parameter.type_text})")
                continue
        except ConfigurationError as error:
            say(f"  ❌ {error}")
            continue
        return


def _report(choices: ConfigChoices, slot: Slot, say: Say) -> None:
    """Build the step's component (when all its parts are chosen) and say what from_params found."""
    from swapnlp.configure.validation import build

    if slot.base is None or slot.name is None or any(isinstance(c, Slot) and c.name for c in slot.children.values()):
        return  # built when its last part is: see the final check
    _, problem = build(slot)
    say(f"  ❌ {problem}" if problem else f"  ✅ {slot.path} builds")


def _ask_devices(choices: ConfigChoices, ask: Ask, say: Say) -> None:
    from swapnlp.configure.validation import available_devices

    options = available_devices()
    say(f"\ndevices: {', '.join(f'{d} ({name})' for d, name in options.items())}")
    while True:
        current = ",".join(str(d) for d in choices.devices())
        answer = _ask(ask, f"  devices [{current}] (-1 = CPU, 0 = the first GPU, 0,1 = two GPUs): ")
        if not answer:
            return
        try:
            choices.set_devices([int(part) for part in answer.replace(" ", "").split(",") if part])
            return
        except ValueError:
            say("  ❌ devices are numbers separated by commas, e.g. -1 or 0 or 0,1")
        except ConfigurationError as error:
            say(f"  ❌ {error}")


def final_check(choices: ConfigChoices, ask: Optional[Ask], say: Say) -> None:
    """Show the problems left; interactively, offer to go back to a step until none is left."""
    while True:
        problems = choices.problems()
        if not problems:
            say("  ✅ every component builds")
            return
        if ask is None:
            listed = "; ".join(f"{where or 'config'}: {what}" for where, what in problems.items())
            raise ConfigurationError(f"not written, the config has problems: {listed} (change it with --set PATH=VALUE).")
        for where, what in problems.items():
            say(f"  ❌ {where or 'config'}: {what}")
        path = _ask(ask, "  fix which step? (a path such as model.encoder, or Enter to stop without writing): ")
        if not path:
            raise ConfigurationError("not written: the config still has problems.")
        try:
            slot = choices.slot(path)
        except ConfigurationError as error:
            say(f"  ❌ {error}")
            continue
        if slot.base is not None:
            _ask_type(choices, slot, "[fix]", ask, say)
        _ask_values(choices, slot, ask, say)
