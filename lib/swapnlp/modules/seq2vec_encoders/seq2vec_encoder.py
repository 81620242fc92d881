"""Seq2VecEncoder: a sequence of vectors -> one vector per sequence.

forward(tokens: (batch, num_tokens, embedding_dim) float, mask: (batch, num_tokens) bool)
    -> (batch, output_dim). Padded positions (mask False) never change the result.

One name per concept across encoders: the input size is `embedding_dim` (the embedder's output size), a
pretrained transformer is `model_name`. The older spellings (`input_size` of lstm/gru, `input_dim` of
transformer, `pretrained_model` of the poolers, as AllenNLP configs write them) are read as those, with a
one-line notice.
"""

from __future__ import annotations

from typing import ClassVar, Dict

import torch

from swapnlp.common.registry import Registrable


class Seq2VecEncoder(torch.nn.Module, Registrable):
    config_aliases: ClassVar[Dict[str, str]] = {"input_size": "embedding_dim", "input_dim": "embedding_dim",
                                                "pretrained_model": "model_name"}

    def get_input_dim(self) -> int:
        raise NotImplementedError

    def get_output_dim(self) -> int:
        raise NotImplementedError
