"""Token: one unit of text, plus what a tokenizer already knows about it (a wordpiece id, say)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(slots=True)
class Token:
    """`text` is the string; `text_id` / `type_id` are set by tokenizers that own a vocabulary
    (pretrained transformers), so indexers can use them directly; `idx` is the character offset."""

    text: str
    text_id: Optional[int] = None
    type_id: Optional[int] = None
    idx: Optional[int] = None

    def __str__(self) -> str:
        return self.text
