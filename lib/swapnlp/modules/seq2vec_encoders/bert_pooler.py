"""BertPooler ("bert_pooler"): the [CLS] vector through a dense layer and tanh, as BERT was pre-trained.

    forward(tokens (batch, num_tokens, hidden), mask (batch, num_tokens)) -> (batch, hidden)

The dense layer starts from the model's own pretrained pooler weights when its checkpoint has them
(BERT, MiniLM); otherwise (DistilBERT, RoBERTa checkpoints without a pooler) it starts fresh.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

import torch

from swapnlp.pretrained.loading import get_config
from swapnlp.common.checks import check_dropout
from swapnlp.modules.seq2vec_encoders.seq2vec_encoder import Seq2VecEncoder
from swapnlp.pretrained.catalog import resolve_model_path


@Seq2VecEncoder.register("bert_pooler")
class BertPooler(Seq2VecEncoder):
    """model_name: the same name as the embedder's model_name (its hidden size and pooler weights).
    requires_grad: train the pooler's dense layer. dropout: applied to the pooled vector."""

    def __init__(self, model_name: str, requires_grad: bool = True, dropout: float = 0.0) -> None:
        super().__init__()
        check_dropout("dropout", dropout)
        hidden = get_config(model_name).hidden_size
        self.dense = torch.nn.Linear(hidden, hidden)
        weights = pretrained_pooler_weights(model_name)
        self.loaded_pretrained_weights = weights is not None
        if weights is not None:
            self.dense.load_state_dict(weights)
        else:
            torch.nn.init.normal_(self.dense.weight, std=0.02)
            torch.nn.init.zeros_(self.dense.bias)
        self.dense.requires_grad_(requires_grad)
        self.dropout = torch.nn.Dropout(dropout)

    def get_input_dim(self) -> int:
        return self.dense.in_features

    def get_output_dim(self) -> int:
        return self.dense.out_features

    def forward(self, tokens: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        return self.dropout(torch.tanh(self.dense(tokens[:, 0])))


def pretrained_pooler_weights(model_name: str) -> Optional[Dict[str, torch.Tensor]]:
    """{"weight", "bias"} of the checkpoint's pooler dense layer, or None when it has none (read from the
    safetensors files without loading the whole model)."""
    from safetensors import safe_open

    for file in sorted(Path(resolve_model_path(model_name)).glob("*.safetensors")):
        with safe_open(str(file), framework="pt") as weights:
            names = [name for name in weights.keys() if name.endswith("pooler.dense.weight")]
            if names:
                prefix = names[0][: -len("weight")]
                return {"weight": weights.get_tensor(prefix + "weight").float(),
                        "bias": weights.get_tensor(prefix + "bias").float()}
    return None
