"""BagOfEmbeddingsEncoder ("bag_of_embeddings"): sum (or average) the token vectors, order ignored.

    forward(tokens: (batch, num_tokens, embedding_dim), mask: (batch, num_tokens) bool or None)
        -> (batch, embedding_dim)

Padded positions (mask False) are left out. An all-padding row gives zeros.
"""

from __future__ import annotations

from typing import Optional

import torch

from swapnlp.common.checks import check_range
from swapnlp.modules.seq2vec_encoders.seq2vec_encoder import Seq2VecEncoder
from swapnlp.nn.util import masked_mean


@Seq2VecEncoder.register("bag_of_embeddings")
class BagOfEmbeddingsEncoder(Seq2VecEncoder):
    """averaged=False: the sum of the real tokens' vectors; averaged=True: their mean."""

    def __init__(self, embedding_dim: int, averaged: bool = False) -> None:
        super().__init__()
        self.embedding_dim = check_range("embedding_dim", embedding_dim, at_least=1)
        self.averaged = averaged

    def get_input_dim(self) -> int:
        return self.embedding_dim

    def get_output_dim(self) -> int:
        return self.embedding_dim

    def forward(self, tokens: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        if mask is None:
            mask = tokens.new_ones(tokens.shape[:2], dtype=torch.bool)
        if self.averaged:
            return masked_mean(tokens, mask, dim=1)
        return (tokens * mask.unsqueeze(-1).to(tokens.dtype)).sum(dim=1)
