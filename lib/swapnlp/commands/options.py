"""Command-line options several commands share."""

from __future__ import annotations

import argparse


def add_include_package(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--include-package", action="append", default=[], metavar="MODULE",
                        help="import MODULE first, so components it registers can be used (repeatable)")


def add_autocast(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--autocast", choices=("auto", "bf16", "fp32"), default="auto",
                        help="precision: auto (default) = bf16 where the CPU/GPU has bf16 units, fp32 elsewhere")


def add_cuda_device(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cuda-device", type=int, default=-1, help="-1 = CPU (default), N = GPU N")
