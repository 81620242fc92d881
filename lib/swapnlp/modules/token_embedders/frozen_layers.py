"""Fine-tune only the top layers of a pretrained transformer, and compute the frozen lower ones once.

With `train_layers: 2` on MiniLM (6 layers) the embeddings and layers 1-4 are frozen: no gradient flows
through them, so a training step costs their forward pass only. With `cache_frozen_layers: true` even that
forward pass runs once per text: layer 4's output for each segment is kept (as float16, ~0.8 KB per
wordpiece for a 384-wide model) and reused in every later epoch and validation pass. On a CPU without bf16
units this is the difference between ~75 minutes and under half an hour for configs/bert_cpu.jsonnet.

    split = FrozenLayerSplit(transformer, train_layers=2)
    lower = split.lower(ids, mask, type_ids)        # (n, length, hidden), no gradient
    hidden = split.upper(lower, mask)               # (n, length, hidden), trainable
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

import torch

from swapnlp.common.errors import ConfigurationError


def transformer_layers(transformer: torch.nn.Module) -> torch.nn.ModuleList:
    """The stack of layers of a BERT-style encoder (BERT, MiniLM, RoBERTa, ELECTRA: `encoder.layer`)."""
    layers = getattr(getattr(transformer, "encoder", None), "layer", None)
    if not isinstance(layers, torch.nn.ModuleList) or not hasattr(transformer, "embeddings"):
        raise ConfigurationError(f"train_layers works with BERT-style encoders (bert, roberta, electra, MiniLM), "
                                 f"not {type(transformer).__name__}: leave train_layers out to fine-tune every "
                                 f"layer, or set train_parameters: false to freeze them all.")
    return layers


class FrozenLayerSplit:
    """The transformer cut into frozen lower layers (with the embeddings) and `train_layers` trainable ones."""

    def __init__(self, transformer: torch.nn.Module, train_layers: int) -> None:
        layers = transformer_layers(transformer)
        if not 1 <= train_layers <= len(layers):
            raise ConfigurationError(f"train_layers must be between 1 and {len(layers)} (the model's layers), got "
                                     f"{train_layers}; use train_parameters: false to freeze every layer.")
        self.transformer = transformer
        self.frozen: List[torch.nn.Module] = [transformer.embeddings, *layers[:len(layers) - train_layers]]
        self.trainable = list(layers[len(layers) - train_layers:])
        for module in self.frozen:
            module.requires_grad_(False)

    def keep_frozen_in_eval_mode(self) -> None:
        """Frozen layers compute the same vectors every time (no dropout), so their outputs can be cached."""
        for module in self.frozen:
            module.eval()

    def lower(self, ids: torch.Tensor, mask: torch.Tensor, type_ids: Optional[torch.Tensor]) -> torch.Tensor:
        """(n, length) ids -> (n, length, hidden): the embeddings and the frozen layers, without gradients."""
        with torch.no_grad():
            hidden = self.frozen[0](input_ids=ids, token_type_ids=type_ids)
            return self._through(self.frozen[1:], hidden, mask)

    def upper(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(n, length, hidden) from the frozen layers -> (n, length, hidden) through the trainable layers."""
        return self._through(self.trainable, hidden, mask)

    @staticmethod
    def _through(layers: List[torch.nn.Module], hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        attention_mask = mask.bool()[:, None, None, :]  # (n, 1, 1, length): which keys each position may see
        for layer in layers:
            hidden = layer(hidden, attention_mask=attention_mask)
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden
        return hidden


class SegmentCache:
    """Frozen-layer outputs by segment: the wordpiece ids of a segment (padding cut off) -> its vectors."""

    def __init__(self, dtype: torch.dtype = torch.float16) -> None:
        self.dtype = dtype
        self._vectors: Dict[bytes, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, ids: torch.Tensor, mask: torch.Tensor, type_ids: Optional[torch.Tensor],
            compute: Callable[[torch.Tensor, torch.Tensor, Optional[torch.Tensor]], torch.Tensor]) -> torch.Tensor:
        """(n, length) ids, mask, type ids -> (n, length, hidden) float32: cached rows are looked up, the
        others computed together with `compute(ids, mask, type_ids)` and kept. Padding comes back as zeros."""
        lengths = mask.sum(dim=1).tolist()
        keys = [ids[row, :length].cpu().numpy().tobytes()
                + (b"" if type_ids is None else type_ids[row, :length].cpu().numpy().tobytes())
                for row, length in enumerate(lengths)]
        missing = [row for row, key in enumerate(keys) if key not in self._vectors]
        if missing:
            rows = torch.tensor(missing, device=ids.device)
            width = max(lengths[row] for row in missing)
            fresh = compute(ids[rows, :width], mask[rows, :width],
                            None if type_ids is None else type_ids[rows, :width])
            for index, row in enumerate(missing):
                self._vectors[keys[row]] = fresh[index, :lengths[row]].to("cpu", self.dtype)
        first = self._vectors[keys[0]]
        out = torch.zeros(ids.shape[0], ids.shape[1], first.shape[-1], device=ids.device)
        for row, key in enumerate(keys):
            out[row, :lengths[row]] = self._vectors[key].to(ids.device, torch.float32)
        return out
