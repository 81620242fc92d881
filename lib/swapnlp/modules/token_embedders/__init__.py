"""Token embedders: one token indexer's ids -> one vector per token. Importing registers the built-ins."""

from swapnlp.modules.token_embedders.token_embedder import TokenEmbedder
from swapnlp.modules.token_embedders.embedding import Embedding
from swapnlp.modules.token_embedders.pretrained_transformer_embedder import PretrainedTransformerEmbedder

__all__ = ["TokenEmbedder", "Embedding", "PretrainedTransformerEmbedder"]
