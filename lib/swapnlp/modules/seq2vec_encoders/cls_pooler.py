"""ClsPooler ("cls_pooler"): the vector of the first token ([CLS]), or of the last real token.

    forward(tokens (batch, num_tokens, embedding_dim), mask (batch, num_tokens)) -> (batch, embedding_dim)

No parameters: what the transformer put in its [CLS] position is the text's vector.
"""

from __future__ import annotations

from typing import Optional

import torch

from swapnlp.common.checks import check_range
from swapnlp.modules.seq2vec_encoders.seq2vec_encoder import Seq2VecEncoder


@Seq2VecEncoder.register("cls_pooler")
class ClsPooler(Seq2VecEncoder):
    """embedding_dim: the embedder's output size. cls_is_last_token: take the last unmasked token
    (for models whose summary token comes last, e.g. XLNet) instead of the first."""

    def __init__(self, embedding_dim: int, cls_is_last_token: bool = False) -> None:
        super().__init__()
        check_range("embedding_dim", embedding_dim, at_least=1)
        self.embedding_dim, self.cls_is_last_token = embedding_dim, cls_is_last_token

    def get_input_dim(self) -> int:
        return self.embedding_dim

    def get_output_dim(self) -> int:
        return self.embedding_dim

    def forward(self, tokens: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        if not self.cls_is_last_token:
            return tokens[:, 0]
        last = (mask.long().sum(dim=1) - 1).clamp(min=0) if mask is not None else torch.full(
            (tokens.shape[0],), tokens.shape[1] - 1, device=tokens.device)
        return tokens[torch.arange(tokens.shape[0], device=tokens.device), last]
