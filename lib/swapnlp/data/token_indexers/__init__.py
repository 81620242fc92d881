from swapnlp.data.token_indexers.token_indexer import IndexedTokens, TokenIndexer
from swapnlp.data.token_indexers.single_id_token_indexer import SingleIdTokenIndexer

__all__ = ["IndexedTokens", "TokenIndexer", "SingleIdTokenIndexer"]
