"""`swapnlp dry-run CONFIG`: dataset statistics and two training steps, to prove a config before training."""

from __future__ import annotations

import argparse
import json

from swapnlp.commands.options import add_include_package


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "dry-run", help="check a config: data statistics and two training steps, no training",
        description="Read the data, build the vocabulary, the model and the trainer as `train` would, print "
                    "dataset statistics, then run two batches of forward, backward and optimizer step. "
                    "Nothing is trained or written (unless --output-file).")
    parser.add_argument("config", help="the Jsonnet (or JSON) config file")
    parser.add_argument("-o", "--overrides", default="",
                        help='JSON merged into the config, e.g. \'{"data_loader.batch_size": 8}\'')
    parser.add_argument("--batches", type=int, default=2, help="training steps to run (default: 2)")
    parser.add_argument("--output-file", help="also write the report to this JSON file")
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from swapnlp.common.atomic import atomic_write_text
    from swapnlp.run.dry_run import dry_run_from_file, format_report

    report = dry_run_from_file(args.config, args.overrides, num_batches=args.batches)
    print(format_report(report))
    if args.output_file:
        atomic_write_text(args.output_file, json.dumps(report, indent=2) + "\n")
    return 0
