"""`swapnlp tune CONFIG --search SPACE.json --trials N`: hyperparameter search with Optuna.

Each trial trains the config in DIR/trial_NNN with values drawn from the search space (passed to the config
as std.extVar variables), reports each epoch's validation metric, and may be pruned. At the end: a report
(DIR/tuning_report.json) and a plot of expected validation performance (DIR/expected_validation_performance.png).
"""

from __future__ import annotations

import argparse

from swapnlp.commands.options import add_include_package


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "tune", help="search hyperparameters with Optuna (one training run per trial)",
        description="Search the std.extVar variables of a config with Optuna. The config reads each one with "
                    'std.parseJson(std.extVar("name")); SPACE.json declares them, e.g. '
                    '{"lr": {"type": "loguniform", "low": 0.0001, "high": 0.01}} (types: choice, int, uniform, '
                    "loguniform). See configs/bag_of_embeddings_tunable.jsonnet.")
    parser.add_argument("config", help="the Jsonnet config, reading the search variables with std.extVar")
    parser.add_argument("--search", required=True, metavar="SPACE.json", help="the search space (JSON)")
    parser.add_argument("--trials", type=int, required=True, metavar="N", help="trials for this process to run")
    parser.add_argument("-s", "--serialization-dir", help="folder of the trials (DIR/trial_000, ...), the "
                        "report and the plot (default: runs/tune_<config name>)")
    parser.add_argument("--storage", help="Optuna storage URL shared by several processes or machines, e.g. "
                        "sqlite:///study.db (default: DIR/study.db)")
    parser.add_argument("--study-name", help="the study to create or continue (default: the config's name)")
    parser.add_argument("-o", "--overrides", default="", help="JSON merged into the config of every trial")
    parser.add_argument("--sampler", choices=("tpe", "random"), default="tpe",
                        help="how values are drawn (default: tpe; random for an unbiased expected-performance curve)")
    parser.add_argument("--seed", type=int, help="the sampler's seed, for a repeatable search")
    parser.add_argument("--no-pruning", action="store_true", help="train every trial to the end")
    parser.add_argument("--pruner-startup-trials", type=int, default=3,
                        help="finished trials before pruning starts (default: 3)")
    parser.add_argument("--pruner-warmup-epochs", type=int, default=2,
                        help="the first epochs of each trial, never pruned (default: 2)")
    parser.add_argument("--quiet", action="store_true", help="hide the epoch lines of each trial")
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from swapnlp.tuning.tuner import format_report, tune

    folder = args.serialization_dir or f"runs/tune_{Path(args.config).name.split('.')[0]}"
    report = tune(args.config, args.search, args.trials, folder, storage=args.storage, study_name=args.study_name,
                  overrides=args.overrides, sampler=args.sampler, seed=args.seed, prune=not args.no_pruning,
                  pruner_startup_trials=args.pruner_startup_trials, pruner_warmup_epochs=args.pruner_warmup_epochs,
                  quiet=args.quiet)
    print(format_report(report))
    if "plot" in report:
        print(f"report: {folder}/tuning_report.json  plot: {report['plot']}")
    return 0
