"""Models: what is computed, from abstract parts."""

from swapnlp.models.model import Model
from swapnlp.models.simple_classifier import SimpleClassifier

__all__ = ["Model", "SimpleClassifier"]
