"""`swapnlp describe [KIND | KIND:NAME]`: what can go in a config, read from the registry itself.

    swapnlp describe                 every kind of component (registry base) and its registered names
    swapnlp describe encoder         the Seq2VecEncoders: name, class, what each does
    swapnlp describe encoder:cnn     one component's parameters (config keys): types, defaults, its doc
    swapnlp describe config          the top level of a training config (run/config.py's TrainingConfig)

KIND is a base class name in any spelling (Seq2VecEncoder, seq2vec_encoder, seq2vec-encoders) or a config
key that holds one (encoder, embedder, token_embedders, tokenizer, optimizer, trainer, ...). Components of
modules named with --include-package are listed too. Needs torch: it imports the library to fill the registry.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from swapnlp.commands.options import add_include_package

TOP_LEVEL_NAMES = ("config", "top", "top-level")  # `swapnlp describe config`: the top level of a training config


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "describe", help="list registered components, or show one component's parameters",
        description="Without an argument: every kind of component and its registered names. With KIND "
                    "(e.g. encoder, Seq2VecEncoder): its components. With KIND:NAME (e.g. encoder:cnn): the "
                    "component's config keys with their types, defaults and its documentation. `config`: the top "
                    "level of a training config.")
    parser.add_argument("what", nargs="?", default="", metavar="KIND[:NAME]",
                        help="a kind (base class or config key: encoder, tokenizer, ...), optionally :NAME")
    parser.add_argument("--json", action="store_true", help="print the same information as JSON")
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from swapnlp.configure.components import component_info, find_base, load_components, top_level_info
    from swapnlp.configure.describe import (component_data, format_component, format_kind, format_overview,
                                            kind_listing, overview)

    load_components()
    kind, _, name = args.what.partition(":")
    if kind.strip().lower() in TOP_LEVEL_NAMES and not name.strip():
        info = top_level_info()
        data, text = component_data(info), format_component(info)
    elif not kind.strip():
        data: Any = overview()
        text = format_overview(data)
    elif not name.strip():
        base = find_base(kind.strip())
        data, text = kind_listing(base), format_kind(base)
    else:
        info = component_info(find_base(kind.strip()), name.strip())
        data, text = component_data(info), format_component(info)
    print(json.dumps(data, indent=2) if args.json else text)
    return 0
