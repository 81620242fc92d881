"""`swapnlp configure FILE`: the configuration wizard in the terminal; writes a commented Jsonnet config.

    swapnlp configure my.jsonnet                                   asks each step (Enter keeps the answer shown)
    swapnlp configure my.jsonnet --defaults --set model.encoder=cnn --set trainer.num_epochs=5
                                                                   no questions: the starting config + changes
    swapnlp configure my.jsonnet --from configs/cnn.jsonnet        start from an existing config

The steps: the data files, the dataset reader (tokenizer, token indexers), the data loader, the model
(embedder, encoder), the trainer (optimizer, scheduler) and the devices. Every component is picked from the
registry (so --include-package components are offered too) and built with the real from_params before the
file is written.
"""

from __future__ import annotations

import argparse
import sys

from swapnlp.commands.options import add_include_package


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "configure", help="write a training config step by step (the configuration wizard)",
        description="Pick each part of a training config from the registered components, check it, and write "
                    "it as commented Jsonnet. Interactive by default; --defaults (with --set) asks nothing.")
    parser.add_argument("config", metavar="FILE", help="the Jsonnet file to write ('-' prints it)")
    parser.add_argument("--defaults", action="store_true",
                        help="ask nothing: the starting config (a bag of embeddings) with the --set changes")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="PATH=VALUE",
                        help="set a value or choose a component, e.g. model.encoder=cnn, "
                             "model.encoder.num_filters=16, trainer.num_epochs=5 (repeatable, applied in order)")
    parser.add_argument("--unset", dest="unsets", action="append", default=[], metavar="PATH",
                        help="back to the default / leave an optional component out, e.g. trainer.patience")
    parser.add_argument("--from", dest="start_from", metavar="CONFIG",
                        help="start from this config instead of the starting one")
    parser.add_argument("--data-dir", default="data/movie_review",
                        help="the folder of train.tsv / dev.tsv / test.tsv in the starting config")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite FILE when it exists")
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from swapnlp.common.errors import ConfigurationError
    from swapnlp.common.params import Params
    from swapnlp.configure.choices import ConfigChoices
    from swapnlp.configure.components import load_components
    from swapnlp.configure.terminal import ask_all, final_check, settings

    target = None if args.config == "-" else Path(args.config)
    if target is not None and target.exists() and not args.force:
        raise ConfigurationError(f"{target} exists: pass --force to overwrite it, or name another file.")
    load_components()
    choices = (ConfigChoices.from_config(Params.from_file(args.start_from).as_dict()) if args.start_from
               else ConfigChoices.starter(args.data_dir))
    settings(choices, args.assignments, args.unsets)
    say = print if target is not None else (lambda text: print(text, file=sys.stderr))
    if not args.defaults:
        say("The configuration wizard: each step shows its current answer in [brackets]; Enter keeps it.")
        ask_all(choices, ask=_asker(say), say=say)
    final_check(choices, None if args.defaults else _asker(say), say)
    text = choices.jsonnet(args.config if target is not None else None, args.include_package)
    if target is None:
        sys.stdout.write(text)
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    plugins = "".join(f" --include-package {name}" for name in args.include_package)
    print(f"wrote {target}\ntrain it:  swapnlp train {target} -s runs/{target.stem}{plugins}")
    return 0


def _asker(say):  # type: ignore[no-untyped-def]
    """input(), with the prompt sent where `say` writes (stderr when the config goes to stdout)."""
    def ask(prompt: str) -> str:
        say_prompt = say is print
        if say_prompt:
            return input(prompt)
        print(prompt, end="", file=sys.stderr, flush=True)
        return input()
    return ask
