"""Text field embedders: all of a text field's indexed tensors -> one vector per token."""

from swapnlp.modules.text_field_embedders.text_field_embedder import TextFieldEmbedder
from swapnlp.modules.text_field_embedders.basic_text_field_embedder import BasicTextFieldEmbedder

__all__ = ["TextFieldEmbedder", "BasicTextFieldEmbedder"]
