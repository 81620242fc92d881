"""Instance: one example = a dict of named Fields, e.g. {"text": TextField, "label": LabelField}."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, Iterator, Mapping

from swapnlp.data.fields.field import Field
from swapnlp.data.vocabulary import Vocabulary


class Instance(Mapping[str, Field]):
    def __init__(self, fields: Dict[str, Field]) -> None:
        self.fields = fields
        self.indexed = False

    def count_vocab_items(self, counter: Dict[str, Counter]) -> None:
        for field in self.fields.values():
            field.count_vocab_items(counter)

    def index_fields(self, vocab: Vocabulary) -> None:
        """Turn every field's strings into ids (done once; data loaders call this)."""
        for field in self.fields.values():
            field.index(vocab)
        self.indexed = True

    def get_padding_lengths(self) -> Dict[str, Dict[str, int]]:
        return {name: field.get_padding_lengths() for name, field in self.fields.items()}

    def as_tensor_dict(self) -> Dict[str, Any]:
        """This instance alone as tensors (a batch of one, without the batch dimension)."""
        lengths = self.get_padding_lengths()
        return {name: field.as_tensor(lengths[name]) for name, field in self.fields.items()}

    def human_readable_dict(self) -> Dict[str, Any]:
        return {name: field.human_readable_repr() for name, field in self.fields.items()}

    def __getitem__(self, key: str) -> Field:
        return self.fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={field!r}" for name, field in self.fields.items())
        return f"Instance({inner})"
