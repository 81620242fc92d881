"""`swapnlp predict ARCHIVE INPUT.jsonl`: one JSON prediction per JSON input line.

Results are written batch by batch as they are computed (and flushed), so a bad line stops the command with
every result before it already in the output. With --skip-bad-lines the command goes on past bad lines and
lists them ({"line": N, "reason": ...}) in OUTPUT.skipped.jsonl (on stderr without --output-file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional, TextIO

from swapnlp.commands.options import add_autocast, add_cuda_device, add_include_package

if TYPE_CHECKING:
    from swapnlp.predictors.stream import BadLine


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("predict", help="predict with a trained model",
                                   description="Predict with an archived model, one JSON object per input line "
                                               '(e.g. {"sentence": "a fine film"}).')
    parser.add_argument("archive_file", help="model.tar.gz written by `swapnlp train`")
    parser.add_argument("input_file", help='a JSON-lines file (one {"sentence": ...} per line), or - for stdin')
    parser.add_argument("--output-file", help="write predictions here (default: print them)")
    parser.add_argument("--predictor", help="a registered predictor name (default: the model's own)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--skip-bad-lines", action="store_true",
                        help="go on past bad input lines and list them in OUTPUT.skipped.jsonl (default: stop at the "
                             "first, keeping the results before it)")
    add_cuda_device(parser)
    add_autocast(parser)
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def skipped_report_path(output_file: str) -> Path:
    """Where --skip-bad-lines lists the skipped lines: next to the output, OUTPUT.skipped.jsonl."""
    return Path(f"{output_file}.skipped.jsonl")


def input_lines(path: str) -> Any:
    """The input file (or stdin for "-") as a context manager over its lines, read as bytes where possible."""
    if path == "-":
        return contextlib.nullcontext(getattr(sys.stdin, "buffer", sys.stdin))
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise _input_error(f"input file not found: {path}") from None
    except IsADirectoryError:
        raise _input_error(f"{path} is a folder: give a JSON-lines file") from None


def _input_error(message: str) -> Exception:
    from swapnlp.common.errors import InputError

    return InputError(message)


def run(args: argparse.Namespace) -> int:
    from swapnlp.common.checks import check_range
    from swapnlp.predictors import Predictor
    from swapnlp.predictors.stream import BadLine, predict_stream

    check_range("--batch-size", args.batch_size, at_least=1)
    _check_not_the_input(args.input_file, args.output_file)
    report_path = skipped_report_path(args.output_file) if args.output_file else None
    skipped: List[BadLine] = []
    written = 0
    with contextlib.ExitStack() as stack:
        lines = stack.enter_context(input_lines(args.input_file))  # a missing input: said before the model loads
        predictor = Predictor.from_path(args.archive_file, args.predictor, cuda_device=args.cuda_device,
                                        autocast=args.autocast)
        output: TextIO = stack.enter_context(_open_output(args.output_file)) if args.output_file else sys.stdout
        report = _SkipReport(report_path, stack) if args.skip_bad_lines else None

        def write(results: List[dict]) -> None:
            nonlocal written
            output.write("".join(json.dumps(result) + "\n" for result in results))
            output.flush()
            written += len(results)

        def on_bad_line(bad: BadLine) -> None:
            if report is None:
                kept = (f" The {written} result(s) before it are in {args.output_file}."
                        if args.output_file and written else "")
                raise _input_error(f"{args.input_file}:{bad.number}: {bad.reason}.{kept} Fix the line, or pass "
                                   f"--skip-bad-lines to go on past bad lines and list them.")
            skipped.append(bad)
            report.add(args.input_file, bad)

        predict_stream(predictor, lines, write, on_bad_line, batch_size=args.batch_size)
    if skipped:
        where = f"listed in {report_path}" if report_path else "listed above"
        print(f"predicted {written} line(s); skipped {len(skipped)} bad line(s), {where}", file=sys.stderr)
    elif args.output_file:
        print(f"predicted {written} line(s) into {args.output_file}", file=sys.stderr)
    return 0


def _check_not_the_input(input_file: str, output_file: Optional[str]) -> None:
    """Results are written as they come: writing over the input would destroy the lines not read yet."""
    if input_file != "-" and output_file and Path(input_file).resolve() == Path(output_file).resolve():
        raise _input_error(f"--output-file {output_file} is the input file: writing the results there would "
                           f"overwrite the inputs not read yet. Choose another output file.")


def _open_output(output_file: str) -> TextIO:
    """The output file, opened for writing (its folder made); an older skipped-lines report beside it goes."""
    path = Path(output_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    skipped_report_path(output_file).unlink(missing_ok=True)  # it would describe another run's lines
    return open(path, "w", encoding="utf-8")


class _SkipReport:
    """The skipped lines, one JSON object each, written as they come: to `path`, or to stderr without one."""

    def __init__(self, path: Optional[Path], stack: contextlib.ExitStack) -> None:
        self.path, self.stack = path, stack
        self.file: Optional[TextIO] = None

    def add(self, input_file: str, bad: BadLine) -> None:
        if self.path is None:
            print(f"skipped {input_file}:{bad.number}: {bad.reason}", file=sys.stderr)
            return
        if self.file is None:
            self.file = self.stack.enter_context(open(self.path, "w", encoding="utf-8"))
        self.file.write(json.dumps(bad.as_dict()) + "\n")
        self.file.flush()

