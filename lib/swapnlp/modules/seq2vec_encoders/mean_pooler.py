"""MeanPooler ("mean_pooler"): the average of a pretrained transformer's token vectors.

    forward(tokens (batch, num_tokens, hidden), mask (batch, num_tokens)) -> (batch, hidden)

Sentence-transformers models (all-MiniLM-L6-v2, all-mpnet-base-v2) were trained so that this average sums
up a text: for them it is a better start than the [CLS] vector. It computes what an averaged
`bag_of_embeddings` does; the difference is that it takes its size from the model, so swapping the model
(384-wide MiniLM -> 768-wide MPNet) is still a change of `model_name` alone.
"""

from __future__ import annotations

from typing import Optional

import torch

from swapnlp.pretrained.loading import get_config
from swapnlp.modules.seq2vec_encoders.seq2vec_encoder import Seq2VecEncoder
from swapnlp.nn.util import masked_mean


@Seq2VecEncoder.register("mean_pooler")
class MeanPooler(Seq2VecEncoder):
    """model_name: the same name as the embedder's model_name (its hidden size). No parameters."""

    def __init__(self, model_name: str) -> None:
        super().__init__()
        self.hidden_size = get_config(model_name).hidden_size

    def get_input_dim(self) -> int:
        return self.hidden_size

    def get_output_dim(self) -> int:
        return self.hidden_size

    def forward(self, tokens: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        if mask is None:
            return tokens.mean(dim=1)
        return masked_mean(tokens, mask, dim=1)
