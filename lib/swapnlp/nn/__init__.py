"""Small tensor helpers shared by modules and models; devices, precision and weights files."""

from swapnlp.nn.devices import resolve_device
from swapnlp.nn.util import batch_size_of, get_text_field_mask, masked_mean, move_to_device

__all__ = ["batch_size_of", "get_text_field_mask", "masked_mean", "move_to_device", "resolve_device"]
