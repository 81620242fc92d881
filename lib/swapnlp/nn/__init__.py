"""Small tensor helpers shared by modules and models."""

from swapnlp.nn.util import batch_size_of, get_text_field_mask, masked_mean, move_to_device

__all__ = ["batch_size_of", "get_text_field_mask", "masked_mean", "move_to_device"]
