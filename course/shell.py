"""Running the `swapnlp` command from a notebook cell, as you would type it in a terminal.

    from course.shell import swapnlp
    swapnlp("train", "configs/bag_of_embeddings.jsonnet", "-s", "runs/first")

is `swapnlp train configs/bag_of_embeddings.jsonnet -s runs/first` in a terminal opened in the repository root
(call `course.setup()` first: it makes the root the working folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Sequence

__all__ = ["swapnlp"]


def swapnlp(*args: str, launcher: Sequence[str] = (), check: bool = True) -> str:
    """Run `swapnlp ARGS...` in a fresh process, print what it prints and return its standard output.

    The command is `python -m swapnlp` with this kernel's Python, so it works whether or not the virtual
    environment is activated. `launcher` runs it behind another program that takes `-m MODULE`, e.g.
    `(sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2")` for torchrun.
    With `check=True` a failing command raises a RuntimeError with the end of its error output; with
    `check=False` its error output is printed too (what a terminal would show) and nothing is raised.
    Progress bars are switched off (TQDM_DISABLE=1): the notebook shows the command's lines only.
    """
    if not args:
        raise ValueError('swapnlp() needs a command, e.g. swapnlp("train", "configs/bag_of_embeddings.jsonnet", ...)')
    command = [*(launcher or (sys.executable,)), "-m", "swapnlp", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, TQDM_DISABLE="1"))
    print(result.stdout + ("" if check else result.stderr), end="")
    if check and result.returncode != 0:
        raise RuntimeError(f"swapnlp {args[0]} failed (exit status {result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout
