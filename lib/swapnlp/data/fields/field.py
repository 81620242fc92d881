"""Field: one named piece of an Instance (a text, a label) that knows how to become a tensor.

Life of a field: count_vocab_items (build the vocabulary) -> index (strings to ids) ->
get_padding_lengths (how long am I?) -> as_tensor(padding lengths of the batch) -> batch_tensors.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List

from swapnlp.data.vocabulary import Vocabulary


class Field:
    def count_vocab_items(self, counter: Dict[str, Counter]) -> None:
        """Add this field's strings to `counter[namespace]` (default: nothing to count)."""

    def index(self, vocab: Vocabulary) -> None:
        """Convert strings to ids with `vocab` (default: nothing to do)."""

    def get_padding_lengths(self) -> Dict[str, int]:
        return {}

    def as_tensor(self, padding_lengths: Dict[str, int]) -> Any:
        raise NotImplementedError

    def batch_tensors(self, tensors: List[Any]) -> Any:
        """Stack the tensors of one field across a batch (override for dict-valued fields)."""
        import torch

        return torch.stack(tensors)

    def human_readable_repr(self) -> Any:
        return repr(self)
