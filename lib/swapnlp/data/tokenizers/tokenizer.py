"""Tokenizer: str -> List[Token]. The first swappable part of every pipeline."""

from __future__ import annotations

from typing import List, Tuple

from swapnlp.common.registry import Registrable
from swapnlp.data.tokenizers.token import Token


class Tokenizer(Registrable):
    """Splits a text into tokens. Subclasses implement `tokenize`."""

    default_implementation = "whitespace"

    def tokenize(self, text: str) -> List[Token]:
        raise NotImplementedError

    def num_special_tokens(self) -> Tuple[int, int]:
        """How many special tokens `tokenize` puts (at the start, at the end): (1, 1) for BERT's [CLS] ... [SEP],
        (0, 0) for plain word tokenizers. A reader that shortens a text keeps these in place."""
        return 0, 0
