"""`swapnlp train CONFIG -s DIR`: train a model from a Jsonnet config and write DIR/model.tar.gz."""

from __future__ import annotations

import argparse
import os

from swapnlp.commands.options import add_include_package


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("train", help="train a model from a config",
                                   description="Train a model from a Jsonnet config; writes DIR/model.tar.gz.")
    parser.add_argument("config", help="the Jsonnet (or JSON) config file")
    parser.add_argument("-s", "--serialization-dir", required=True, help="folder for checkpoints, metrics, archive")
    parser.add_argument("-o", "--overrides", default="",
                        help='JSON merged into the config, e.g. \'{"trainer": {"num_epochs": 2}}\'')
    what = parser.add_mutually_exclusive_group()
    what.add_argument("-f", "--force", action="store_true", help="delete DIR's old run and start again")
    what.add_argument("-r", "--recover", action="store_true", help="resume the run in DIR from its last checkpoint")
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from swapnlp.run.train import train_model_from_file

    train_model_from_file(args.config, args.serialization_dir, args.overrides, args.force, args.recover)
    if os.environ.get("RANK", "0") == "0":  # under torchrun, rank 0 wrote the archive
        print(f"model archived at {args.serialization_dir}/model.tar.gz")
    return 0
