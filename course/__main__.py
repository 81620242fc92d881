"""`python -m course COMMAND`: status | build-exercises [--check] | run-solutions [IDS] | hint ID [N|all] | reset [ID]."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description="The Swappable NLP course machinery.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="chapters and exercises with your progress")
    build = commands.add_parser("build-exercises", help="generate exercises/ from solutions/ (make exercises)")
    build.add_argument("ids", nargs="*", help="exercise ids (default: all)")
    build.add_argument("--check", action="store_true",
                       help="change nothing; fail when exercises/ differs from a fresh build")
    run = commands.add_parser("run-solutions",
                              help="re-execute solutions/ to refresh their outputs, then rebuild (make solutions)")
    run.add_argument("ids", nargs="*", help="exercise ids (default: all)")
    hint = commands.add_parser("hint", help="the next hint of an exercise")
    hint.add_argument("id")
    hint.add_argument("which", nargs="?", default=None, help="a hint number, or 'all'")
    reset = commands.add_parser("reset", help="forget your progress (of one exercise, or all)")
    reset.add_argument("id", nargs="?", default=None)
    args = parser.parse_args(argv)

    if args.command == "status":
        from course import progress

        print(progress.progress_table())
        print(f"\n(progress file: {progress.progress_path()})")
        return 0
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
        from course import progress

        progress.reset(args.id)
        print(f"progress reset ({args.id or 'all exercises'})")
        return 0
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
