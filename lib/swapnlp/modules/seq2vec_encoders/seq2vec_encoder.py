"""Seq2VecEncoder: a sequence of vectors -> one vector per sequence.

forward(tokens: (batch, num_tokens, input_dim) float, mask: (batch, num_tokens) bool)
    -> (batch, output_dim). Padded positions (mask False) never change the result.
"""

from __future__ import annotations

import torch

from swapnlp.common.registry import Registrable


class Seq2VecEncoder(torch.nn.Module, Registrable):
    def get_input_dim(self) -> int:
        raise NotImplementedError

    def get_output_dim(self) -> int:
        raise NotImplementedError
