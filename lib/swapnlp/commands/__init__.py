"""The `swapnlp` command line: one module per command, each with `add_subparser` and `run`."""
