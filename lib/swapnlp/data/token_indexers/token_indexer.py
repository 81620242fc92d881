"""TokenIndexer: List[Token] -> lists of ids, one list per key (e.g. {"tokens": [4, 17, 9]}).

A TextField may use several indexers at once (word ids, character ids, wordpieces...); each one's output
is embedded by the token embedder of the same name.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Dict, List

from swapnlp.common.checks import check_range
from swapnlp.common.registry import Registrable
from swapnlp.data.tokenizers.token import Token

if TYPE_CHECKING:
    from swapnlp.data.vocabulary import Vocabulary

IndexedTokens = Dict[str, List[int]]


class TokenIndexer(Registrable):
    """Turns tokens into integer ids. `token_min_padding_length` pads short inputs (e.g. for a CNN)."""

    default_implementation = "single_id"

    def __init__(self, token_min_padding_length: int = 0) -> None:
        self.token_min_padding_length = check_range("token_min_padding_length", token_min_padding_length, at_least=0)

    def count_vocab_items(self, token: Token, counter: Dict[str, Counter]) -> None:
        """Count what this indexer needs in the vocabulary (nothing, for a pretrained vocabulary)."""

    def tokens_to_indices(self, tokens: List[Token], vocab: "Vocabulary") -> IndexedTokens:
        raise NotImplementedError

    def padding_value(self, key: str) -> int:
        """The id used to pad the list under `key` (0 = the padding token)."""
        return 0
