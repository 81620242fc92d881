"""Shortening token lists: keep the head, the tail, or half of each (reviews often end with the verdict)."""

from __future__ import annotations

from typing import List, Tuple, TypeVar

T = TypeVar("T")


def truncate(tokens: List[T], max_tokens: int, truncation: str = "head") -> List[T]:
    """At most `max_tokens` tokens: the first ("head"), the last ("tail"), or half of each ("head+tail")."""
    if len(tokens) <= max_tokens:
        return tokens
    if truncation == "head":
        return tokens[:max_tokens]
    if truncation == "tail":
        return tokens[len(tokens) - max_tokens:]
    head = max_tokens // 2
    return tokens[:head] + tokens[len(tokens) - (max_tokens - head):]


def truncate_keeping_special(tokens: List[T], max_tokens: int, truncation: str,
                             special: Tuple[int, int]) -> List[T]:
    """Like `truncate`, but the `special` = (start, end) special tokens ([CLS] ... [SEP]) stay in place."""
    start, end = special
    if len(tokens) <= max_tokens or start + end == 0:
        return truncate(tokens, max_tokens, truncation)
    body = truncate(tokens[start:len(tokens) - end], max(0, max_tokens - start - end), truncation)
    return tokens[:start] + body + tokens[len(tokens) - end:]
