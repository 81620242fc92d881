"""The configuration wizard: pick each part of a config from the registry, see its parameters, validate
as you go, write a commented Jsonnet config.

    components.py      what the registry holds: kinds, names, parameters (also `swapnlp describe`)
    choices.py         the learner's choices as a tree -> the config tree (the wizard's model)
    validation.py      each chosen component built with the real from_params
    jsonnet_writer.py  choices -> commented Jsonnet text
    widgets.py         the notebook wizard (ipywidgets), a thin layer over ConfigChoices
    terminal.py        the same steps as prompts (`swapnlp configure`)

Importing this package is cheap; its modules import torch (through the library) when used.
"""
