"""`swapnlp evaluate ARCHIVE DATA`: metrics (accuracy, loss) of a trained model on a data file."""

from __future__ import annotations

import argparse
import json

from swapnlp.commands.options import add_autocast, add_cuda_device, add_include_package


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("evaluate", help="evaluate a trained model on a data file",
                                   description="Evaluate an archived model on a data file.")
    parser.add_argument("archive_file", help="model.tar.gz written by `swapnlp train`")
    parser.add_argument("input_file", help="the data to evaluate on (read with the archived dataset reader)")
    parser.add_argument("--output-file", help="also write the metrics to this JSON file")
    parser.add_argument("--batch-size", type=int, default=32)
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
    from swapnlp.evaluation import evaluate

    archive = load_archive(args.archive_file, cuda_device=args.cuda_device, overrides=args.overrides)
    loader = SimpleDataLoader(archive.validation_dataset_reader.read(args.input_file), batch_size=args.batch_size)
    metrics = evaluate(archive.model, loader, autocast=args.autocast)
    text = json.dumps(metrics, indent=2)
    print(text)
    if args.output_file:
        atomic_write_text(args.output_file, text + "\n")
    return 0
