"""`python -m course COMMAND`: workspace | status [--json] | check [IDS] | reset ID... | hint ID [N|all] |
build-exercises [--check] | build-index [--check] | run-chapters [IDS] | run-solutions [IDS]."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description="The Swappable NLP course machinery.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("workspace", help="make your own copies of the exercises in workspace/ (make lab runs it)")
    status = commands.add_parser("status", help="chapters and exercises with your progress")
    status.add_argument("--json", action="store_true", help="one JSON object per exercise")
    check = commands.add_parser("check", help="pytest --nbval over your copies of the exercises you started "
                                              "(make check)")
    check.add_argument("ids", nargs="*", help="exercise ids (default: every exercise you started)")
    build = commands.add_parser("build-exercises", help="generate exercises/ from solutions/ (make exercises)")
    build.add_argument("ids", nargs="*", help="exercise ids (default: all)")
    build.add_argument("--check", action="store_true",
                       help="change nothing; fail when exercises/ differs from a fresh build")
    index = commands.add_parser("build-index", help="generate index.ipynb from the syllabus")
    index.add_argument("--check", action="store_true", help="change nothing; fail when index.ipynb is out of date")
    chapters = commands.add_parser("run-chapters", help="re-execute chapters/ one by one to refresh their stored "
                                                        "outputs (sanitized: no timings, no machine paths)")
    chapters.add_argument("ids", nargs="*", help="chapter ids (default: all)")
    run = commands.add_parser("run-solutions",
                              help="re-execute solutions/ to refresh their outputs, then rebuild (make solutions)")
    run.add_argument("ids", nargs="*", help="exercise ids (default: all)")
    hint = commands.add_parser("hint", help="the next hint of an exercise")
    hint.add_argument("id")
    hint.add_argument("which", nargs="?", default=None, help="a hint number, or 'all'")
    reset = commands.add_parser("reset", help="start an exercise again: save your copy as a timestamped backup, "
                                              "copy the course's current version, forget its progress")
    reset.add_argument("ids", nargs="*", help="exercise ids")
    reset.add_argument("--all", action="store_true", help="every exercise")
    args = parser.parse_args(argv)

    if args.command == "workspace":
        from course import workspace

        try:
            actions = workspace.make_workspace()
        except workspace.WorkspaceError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(workspace.describe(actions))
        return 0
    if args.command == "status":
        from course import status as learner_status

        print(learner_status.status_json() if args.json else learner_status.status_text())
        return 0
    if args.command == "check":
        from course import check_work

        try:
            results = check_work.check_workspace(args.ids or None, report=lambda line: print(line, file=sys.stderr))
        except KeyError as error:
            print(f"error: {error.args[0]}", file=sys.stderr)
            return 2
        if not results:
            print("No exercise started yet: open your copies in workspace/ (make lab), fill one in, then run "
                  "make check again.")
            return 0
        print(check_work.results_table(results))
        return 0 if all(result.passed for result in results) else 1
    if args.command == "build-exercises":
        from course import builder

        try:
            changed = builder.build_exercises(args.ids or None, check_only=args.check)
        except builder.BuildError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        if args.check:
            if changed:
                print("out of date (run `make exercises`): " + ", ".join(changed), file=sys.stderr)
                return 1
            print("exercises/ is up to date with solutions/")
            return 0
        print("\n".join(f"wrote {path}" for path in changed) or "exercises/ already up to date")
        return 0
    if args.command == "build-index":
        from course.index import INDEX, write_index

        differs = write_index(check_only=args.check)
        if args.check:
            if differs:
                print(f"out of date (run `python -m course build-index`): {INDEX}", file=sys.stderr)
                return 1
            print(f"{INDEX} is up to date with the syllabus")
            return 0
        print(f"wrote {INDEX}" if differs else f"{INDEX} already up to date")
        return 0
    if args.command == "run-chapters":
        from course.chapters import run_chapters

        try:
            run_chapters(args.ids or None)
        except KeyError as error:
            print(f"error: {error.args[0]}", file=sys.stderr)
            return 2
        return 0
    if args.command == "run-solutions":
        from course import builder

        try:
            builder.run_solutions(args.ids or None)
            changed = builder.build_exercises(args.ids or None)
        except builder.BuildError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print("\n".join(f"wrote {path}" for path in changed) or "exercises/ already up to date")
        return 0
    if args.command == "hint":
        from course.hints import hint as show

        show(args.id, args.which)
        return 0
    if args.command == "reset":
        return _reset(args.ids, args.all)
    return 2  # pragma: no cover


def _reset(ids: List[str], every: bool) -> int:
    from course import progress, syllabus, workspace

    if not ids and not every:
        print("error: name the exercise to start again (python -m course reset 1.1), or --all", file=sys.stderr)
        return 2
    try:
        exercises = list(syllabus.EXERCISES) if every else [syllabus.exercise(i) for i in ids]
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    for exercise in exercises:
        try:
            saved = workspace.reset(exercise)
        except (workspace.WorkspaceError, OSError) as error:
            print(f"error: {exercise.id}: {error} (your copy was not changed)", file=sys.stderr)
            return 1
        progress.reset(exercise.id)
        copy = workspace.relative(workspace.copy_path(exercise))
        kept = f"your copy is saved as {workspace.relative(saved)}; " if saved else ""
        print(f"{exercise.id}: {kept}{copy} is the course's current version; progress forgotten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
