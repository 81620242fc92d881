"""The simplest tokenizer: split on whitespace. Our movie reviews come already tokenised."""

from __future__ import annotations

import re
from typing import List

from swapnlp.data.tokenizers.token import Token
from swapnlp.data.tokenizers.tokenizer import Tokenizer

_NON_SPACE = re.compile(r"\S+")


@Tokenizer.register("whitespace")
class WhitespaceTokenizer(Tokenizer):
    """"a  good film" -> [Token("a"), Token("good"), Token("film")] (character offsets in `idx`)."""

    def tokenize(self, text: str) -> List[Token]:
        return [Token(match.group(), idx=match.start()) for match in _NON_SPACE.finditer(text)]
