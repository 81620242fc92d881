"""`swapnlp predict ARCHIVE INPUT.jsonl`: one JSON prediction per JSON input line."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import Iterator, List, Tuple

from swapnlp.commands.options import add_autocast, add_cuda_device, add_include_package


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("predict", help="predict with a trained model",
                                   description="Predict with an archived model, one JSON object per input line "
                                               '(e.g. {"sentence": "a fine film"}).')
    parser.add_argument("archive_file", help="model.tar.gz written by `swapnlp train`")
    parser.add_argument("input_file", help='a JSON-lines file (one {"sentence": ...} per line), or - for stdin')
    parser.add_argument("--output-file", help="write predictions here (default: print them)")
    parser.add_argument("--predictor", help="a registered predictor name (default: the model's own)")
    parser.add_argument("--batch-size", type=int, default=32)
    add_cuda_device(parser)
    add_autocast(parser)
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def read_json_lines(path: str) -> Iterator[Tuple[int, dict]]:
    """(line number, object) for each non-empty line; a bad line is an error naming file:line."""
    from swapnlp.common.errors import InputError

    lines = contextlib.nullcontext(sys.stdin) if path == "-" else open(path, encoding="utf-8")
    with lines as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as error:
                    raise InputError(f"{path}:{number}: not valid JSON ({error.msg}); each line must be one JSON "
                                     f'object such as {{"sentence": "a fine film"}}.') from None


def run(args: argparse.Namespace) -> int:
    from swapnlp.common.atomic import atomic_path
    from swapnlp.common.errors import InputError
    from swapnlp.predictors import Predictor

    predictor = Predictor.from_path(args.archive_file, args.predictor, cuda_device=args.cuda_device,
                                     autocast=args.autocast)
    results: List[str] = []
    batch: List[Tuple[int, dict]] = []

    def flush() -> None:
        for number, item in batch:
            try:
                predictor.validate(item)
            except InputError as error:
                raise InputError(f"{args.input_file}:{number}: {error}", error.field) from None
        for prediction in predictor.predict_batch_json([item for _, item in batch]):
            results.append(json.dumps(prediction))
        batch.clear()

    for number, item in read_json_lines(args.input_file):
        batch.append((number, item))
        if len(batch) == args.batch_size:
            flush()
    if batch:
        flush()
    if args.output_file:
        with atomic_path(args.output_file) as temporary:
            temporary.write_text("".join(f"{line}\n" for line in results), encoding="utf-8")
    else:
        print("\n".join(results))
    return 0
