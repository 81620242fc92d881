"""TextField: a list of tokens plus the indexers that turn them into ids.

As a batch tensor it is a dict of dicts, `TextFieldTensors`:
    {indexer name: {key: LongTensor (batch_size, num_tokens)}}
e.g. {"tokens": {"tokens": ids}} for a `single_id` indexer named "tokens".
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Optional

import torch
from torch.nn.functional import pad

from swapnlp.common.errors import ConfigurationError
from swapnlp.data.fields.field import Field
from swapnlp.data.token_indexers.token_indexer import TokenIndexer
from swapnlp.data.tokenizers.token import Token
from swapnlp.data.vocabulary import Vocabulary

TextFieldTensors = Dict[str, Dict[str, torch.Tensor]]


class TextField(Field):
    def __init__(self, tokens: List[Token], token_indexers: Dict[str, TokenIndexer]) -> None:
        self.tokens = tokens
        self.token_indexers = token_indexers
        self._indexed: Optional[Dict[str, Dict[str, torch.Tensor]]] = None  # ids as 1-D LongTensors

    def count_vocab_items(self, counter: Dict[str, Counter]) -> None:
        for indexer in self.token_indexers.values():
            for token in self.tokens:
                indexer.count_vocab_items(token, counter)

    def index(self, vocab: Vocabulary) -> None:
        self._indexed = {name: {key: torch.tensor(ids, dtype=torch.long) for key, ids in
                                indexer.tokens_to_indices(self.tokens, vocab).items()}
                         for name, indexer in self.token_indexers.items()}

    def _require_indexed(self) -> Dict[str, Dict[str, torch.Tensor]]:
        if self._indexed is None:
            raise ConfigurationError("TextField used before indexing: call instance.index_fields(vocab) first "
                                     "(data loaders do this in index_with(vocab)).")
        return self._indexed

    def get_padding_lengths(self) -> Dict[str, int]:
        lengths = {}
        for name, indexed in self._require_indexed().items():
            floor = self.token_indexers[name].token_min_padding_length
            for key, ids in indexed.items():
                lengths[f"{name}.{key}"] = max(len(ids), floor)
        return lengths

    def as_tensor(self, padding_lengths: Dict[str, int]) -> TextFieldTensors:
        """Each id list padded (with its indexer's padding value) or cut to the batch's length."""
        tensors: TextFieldTensors = {}
        for name, indexed in self._require_indexed().items():
            indexer = self.token_indexers[name]
            tensors[name] = {}
            for key, ids in indexed.items():
                extra = padding_lengths[f"{name}.{key}"] - len(ids)
                padded = ids[: len(ids) + extra] if extra < 0 else pad(ids, (0, extra), value=indexer.padding_value(key))
                tensors[name][key] = padded
        return tensors

    def batch_tensors(self, tensors: List[TextFieldTensors]) -> TextFieldTensors:
        return {name: {key: torch.stack([t[name][key] for t in tensors]) for key in tensors[0][name]}
                for name in tensors[0]}

    def __len__(self) -> int:
        return len(self.tokens)

    def human_readable_repr(self) -> List[str]:
        return [t.text for t in self.tokens]

    def __repr__(self) -> str:
        shown = " ".join(t.text for t in self.tokens[:8]) + (" ..." if len(self.tokens) > 8 else "")
        return f"TextField({len(self.tokens)} tokens: {shown!r}, indexers={list(self.token_indexers)})"
