"""One id per token, from a namespace of the Vocabulary ("tokens" by default)."""

from __future__ import annotations

from collections import Counter
from typing import Dict, List

from swapnlp.data.token_indexers.token_indexer import IndexedTokens, TokenIndexer
from swapnlp.data.tokenizers.token import Token
from swapnlp.data.vocabulary import Vocabulary


@TokenIndexer.register("single_id")
class SingleIdTokenIndexer(TokenIndexer):
    """[Token("good"), Token("film")] -> {"tokens": [57, 12]}. Unknown words get the OOV id."""

    def __init__(
        self,
        namespace: str = "tokens",
        lowercase_tokens: bool = False,
        token_min_padding_length: int = 0,
    ) -> None:
        super().__init__(token_min_padding_length)
        self.namespace = namespace
        self.lowercase_tokens = lowercase_tokens

    def _text(self, token: Token) -> str:
        return token.text.lower() if self.lowercase_tokens else token.text

    def count_vocab_items(self, token: Token, counter: Dict[str, Counter]) -> None:
        counter[self.namespace][self._text(token)] += 1

    def tokens_to_indices(self, tokens: List[Token], vocab: Vocabulary) -> IndexedTokens:
        return {"tokens": vocab.get_token_indices([self._text(t) for t in tokens], self.namespace)}
