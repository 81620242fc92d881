"""LabelField: a categorical label ("pos"), indexed in the "labels" namespace -> a scalar LongTensor."""

from __future__ import annotations

from collections import Counter
from typing import Dict, Optional, Union

import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.data.fields.field import Field
from swapnlp.data.vocabulary import Vocabulary


class LabelField(Field):
    def __init__(self, label: Union[str, int], label_namespace: str = "labels", skip_indexing: bool = False) -> None:
        self.label = label
        self.label_namespace = label_namespace
        self._label_id: Optional[int] = int(label) if skip_indexing else None

    def count_vocab_items(self, counter: Dict[str, Counter]) -> None:
        if self._label_id is None:
            counter[self.label_namespace][str(self.label)] += 1

    def index(self, vocab: Vocabulary) -> None:
        if self._label_id is None:
            self._label_id = vocab.get_token_index(str(self.label), self.label_namespace)

    def as_tensor(self, padding_lengths: Dict[str, int]) -> torch.Tensor:
        if self._label_id is None:
            raise ConfigurationError("LabelField used before indexing: call instance.index_fields(vocab).")
        return torch.tensor(self._label_id, dtype=torch.long)

    def human_readable_repr(self) -> Union[str, int]:
        return self.label

    def __repr__(self) -> str:
        return f"LabelField({self.label!r})"
