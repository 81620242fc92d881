"""Modules: the swappable parts of a model (token embedders, text field embedders, seq2vec encoders).

Importing this package registers every built-in part, so configs can name them ("embedding", "cnn", ...).
"""

from swapnlp.modules.seq2vec_encoders import (
    BagOfEmbeddingsEncoder, CnnEncoder, GruSeq2VecEncoder, LstmSeq2VecEncoder, Seq2VecEncoder,
    TransformerSeq2VecEncoder,
)
from swapnlp.modules.text_field_embedders import BasicTextFieldEmbedder, TextFieldEmbedder
from swapnlp.modules.token_embedders import Embedding, TokenEmbedder

__all__ = [
    "Seq2VecEncoder", "BagOfEmbeddingsEncoder", "CnnEncoder", "LstmSeq2VecEncoder", "GruSeq2VecEncoder",
    "TransformerSeq2VecEncoder", "TextFieldEmbedder", "BasicTextFieldEmbedder", "TokenEmbedder", "Embedding",
]
