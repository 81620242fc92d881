"""TextFieldEmbedder: TextFieldTensors -> (batch, num_tokens, output_dim), one vector per token."""

from __future__ import annotations

import torch

from swapnlp.common.registry import Registrable


class TextFieldEmbedder(torch.nn.Module, Registrable):
    default_implementation = "basic"

    def get_output_dim(self) -> int:
        raise NotImplementedError
