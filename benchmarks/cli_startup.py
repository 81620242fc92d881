"""Start-up time of `swapnlp --help` against a bare `python -c pass` and `python -c "import torch"`.

`swapnlp --help` must not import torch or transformers: learners type it often, it should answer at once.
Each command runs `--runs` times, interleaved; medians are reported. The machine (benchmarks/machine.py) first.

    python benchmarks/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "swapnlp --help": [sys.executable, "-m", "swapnlp.commands.main", "--help"],
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(describe_machine()["summary"], flush=True)
    times = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    baseline = statistics.median(times["python -c pass"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median * 1000:.0f} ms | {median / baseline:.1f}x |")


if __name__ == "__main__":
    main()
