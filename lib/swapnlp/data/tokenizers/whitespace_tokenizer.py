"""The simplest tokenizer: split on whitespace. Our movie reviews come already tokenised."""

from __future__ import annotations

from typing import List

from swapnlp.data.tokenizers.token import Token
from swapnlp.data.tokenizers.tokenizer import Tokenizer


@Tokenizer.register("whitespace")
class WhitespaceTokenizer(Tokenizer):
    """"a  good film" -> [Token("a"), Token("good"), Token("film")] (character offsets in `idx`)."""

    def tokenize(self, text: str) -> List[Token]:
        tokens, position = [], 0
        for piece in text.split():
            position = text.index(piece, position)
            tokens.append(Token(piece, idx=position))
            position += len(piece)
        return tokens
