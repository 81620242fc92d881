from swapnlp.data.token_indexers.token_indexer import IndexedTokens, TokenIndexer
from swapnlp.data.token_indexers.single_id_token_indexer import SingleIdTokenIndexer
from swapnlp.data.token_indexers.pretrained_transformer_indexer import PretrainedTransformerIndexer

__all__ = ["IndexedTokens", "TokenIndexer", "SingleIdTokenIndexer", "PretrainedTransformerIndexer"]
