"""`python -m swapnlp ...` = the `swapnlp` command (what torchrun's -m and notebooks' subprocesses call)."""

import sys

from swapnlp.commands.main import main

if __name__ == "__main__":
    sys.exit(main())
