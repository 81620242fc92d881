"""TokenEmbedder: the ids of one token indexer -> vectors (batch, num_tokens, output_dim)."""

from __future__ import annotations

import torch

from swapnlp.common.registry import Registrable


class TokenEmbedder(torch.nn.Module, Registrable):
    """`forward` takes the indexer's tensors as keyword arguments (e.g. `tokens=ids` for single_id)."""

    default_implementation = "embedding"

    def get_output_dim(self) -> int:
        raise NotImplementedError
