"""Swappable NLP: build NLP models from swappable parts.

Importing the top-level package is cheap (no torch): the parts live in subpackages
(`swapnlp.data`, `swapnlp.modules`, `swapnlp.models`, `swapnlp.training`, ...).
"""

__version__ = "0.1.0"
