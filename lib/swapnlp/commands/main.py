"""`swapnlp`: the command-line entry point. Imports stay cheap: each command imports torch only when run."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

from swapnlp import __version__
from swapnlp.commands import data, dry_run, evaluate, predict, serve, train, tune
from swapnlp.commands import configure, describe
from swapnlp.common.errors import ConfigurationError, InputError, WorkerError

COMMANDS = [train, evaluate, predict, dry_run, tune, describe, configure, serve, data]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="swapnlp", description="Build NLP models from swappable parts.")
    parser.add_argument("--version", action="version", version=f"swapnlp {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for command in COMMANDS:
        command.add_subparser(subparsers)
    return parser


class _StderrHandler(logging.StreamHandler):
    """Writes to the current sys.stderr (which a notebook or a test may have redirected), not the one at start."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # noqa: ANN001
        pass


def show_library_log() -> None:
    """The library's INFO lines (e.g. which precision a run chose and why) go to stderr, as plain messages."""
    log = logging.getLogger("swapnlp")
    if not any(getattr(handler, "swapnlp_cli", False) for handler in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.swapnlp_cli = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    show_library_log()
    try:
        if getattr(args, "include_package", None):
            from swapnlp.common.plugins import import_plugins

            import_plugins(args.include_package)
        return int(args.func(args) or 0)
    except (ConfigurationError, InputError, WorkerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except PermissionError as error:  # a read-only data or run folder, an unreadable file: not a bug of ours
        print(f"error: permission denied: {error.filename or error}: make it readable/writable for you "
              f"(chmod) or use another folder.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
