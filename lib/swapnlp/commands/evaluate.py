"""`swapnlp evaluate ARCHIVE DATA`: metrics (accuracy, loss) of a trained model on a data file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from swapnlp.commands.options import add_autocast, add_cuda_device, add_include_package


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("evaluate", help="evaluate a trained model on a data file",
                                   description="Evaluate an archived model on a data file.")
    parser.add_argument("archive_file", help="model.tar.gz written by `swapnlp train`")
    parser.add_argument("input_file", help="the data to evaluate on (read with the archived dataset reader)")
    parser.add_argument("--output-file", help="also write the metrics to this JSON file")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-instances", type=int, metavar="N",
                        help="score only the first N instances (default: the whole file, whatever the archived "
                             "config's dataset_reader.max_instances says)")
    add_cuda_device(parser)
    add_autocast(parser)
    parser.add_argument("-o", "--overrides", default="", help="JSON merged into the archived config")
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from swapnlp.archive import load_archive
    from swapnlp.common.atomic import atomic_write_text
    from swapnlp.data import SimpleDataLoader
    from swapnlp.training.evaluation import evaluate

    archive = load_archive(args.archive_file, cuda_device=args.cuda_device, overrides=args.overrides)
    reader = archive.validation_dataset_reader
    note = _read_whole_file(reader, args)
    instances = reader.read(args.input_file)
    loader = SimpleDataLoader(instances, batch_size=args.batch_size)
    metrics = evaluate(archive.model, loader, autocast=args.autocast)
    text = json.dumps(metrics, indent=2)
    print(f"scored {len(instances)} instances of {args.input_file}{note}", file=sys.stderr)
    print(text)
    if args.output_file:
        atomic_write_text(args.output_file, text + "\n")
    return 0


def _read_whole_file(reader: Any, args: argparse.Namespace) -> str:
    """Evaluation reads the whole file: the archived config's max_instances (a cap meant for training runs)
    is dropped unless --max-instances or --overrides set one. Returns a note on what was dropped, or ""."""
    from swapnlp.common.checks import check_range
    from swapnlp.common.params import with_overrides

    check_range("--max-instances", args.max_instances, at_least=1)
    overrides = with_overrides({}, args.overrides) if args.overrides else {}
    if args.max_instances is None and any(isinstance(overrides.get(key), dict) and "max_instances" in overrides[key]
                                          for key in ("dataset_reader", "validation_dataset_reader")):
        return ""  # the user's own override stands
    stored, reader.max_instances = getattr(reader, "max_instances", None), args.max_instances
    if stored is not None and args.max_instances is None:
        return f" (all of them: the archived config's max_instances {stored} is not applied here; --max-instances N is)"
    return ""

