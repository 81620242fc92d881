"""Token embedders: one token indexer's ids -> one vector per token. Importing registers the built-ins."""

from swapnlp.modules.token_embedders.token_embedder import TokenEmbedder
from swapnlp.modules.token_embedders.embedding import Embedding

__all__ = ["TokenEmbedder", "Embedding"]
