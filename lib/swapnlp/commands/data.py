"""`swapnlp data`: fetch the course's datasets and list them.

    swapnlp data fetch movie_review [--data-dir data] [--force] [--seed 13]
    swapnlp data fetch all
    swapnlp data list
"""

from __future__ import annotations

import argparse
import sys

from swapnlp.datasets import DATASETS, DatasetFetchError, fetch_all, fetch_dataset, load_meta


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `data` command (with `fetch` and `list`) to a main parser's subparsers."""
    names = ", ".join(DATASETS)
    parser = subparsers.add_parser(
        "data", help="fetch and list the datasets", description="Fetch and list the course's datasets."
    )
    commands = parser.add_subparsers(dest="data_command", metavar="{fetch,list}", required=True)

    fetch = commands.add_parser("fetch", help="download a dataset and write its train/dev/test TSV files")
    fetch.add_argument("name", help=f"a dataset name ({names}) or 'all'")
    fetch.add_argument("--data-dir", default="data", help="where datasets go (default: data)")
    fetch.add_argument("--force", action="store_true", help="fetch again even if already there")
    fetch.add_argument("--seed", type=int, default=13, help="shuffling seed for the splits (default: 13)")

    listing = commands.add_parser("list", help="show the datasets and whether they are fetched")
    listing.add_argument("--data-dir", default="data", help="where datasets go (default: data)")

    parser.set_defaults(func=run)
    return parser


def list_datasets(data_dir: str) -> None:
    """Print one line per dataset: name, fetched or not, split sizes, description."""
    print(f"{'name':<16} {'fetched':<8} {'train':>6} {'dev':>6} {'test':>6}  description")
    for name, source in DATASETS.items():
        meta = load_meta(name, data_dir)
        if meta and meta.get("sha256") == source.sha256:
            sizes = [meta["counts"][split]["total"] for split in ("train", "dev", "test")]
            fetched = "yes"
        else:
            sizes, fetched = ["-"] * 3, "no"
        print(f"{name:<16} {fetched:<8} {sizes[0]:>6} {sizes[1]:>6} {sizes[2]:>6}  {source.description}")


def run(args: argparse.Namespace) -> int:
    """Run `data fetch` or `data list`; return the exit code (1 with a message on failure)."""
    try:
        if args.data_command == "list":
            list_datasets(args.data_dir)
        elif args.name == "all":
            fetch_all(args.data_dir, seed=args.seed, force=args.force)
        else:
            fetch_dataset(args.name, args.data_dir, seed=args.seed, force=args.force)
    except DatasetFetchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
