"""CnnEncoder ("cnn"): n-gram detectors (1-d convolutions) max-pooled over time.

    forward(tokens: (batch, num_tokens, embedding_dim), mask: (batch, num_tokens) bool or None)
        -> (batch, output_dim)

For each size n in `ngram_filter_sizes`, `num_filters` filters slide over every window of n tokens; each
filter keeps its highest value over the windows of the text (max-pooling). The outputs of all sizes are
concatenated: num_filters * len(ngram_filter_sizes) numbers, or `output_dim` after an optional projection.

Padding never changes the result: padded vectors are zeroed and only windows that start on a real token
and end inside the text take part in the max (a text shorter than n has one window, its start plus
zeros, exactly as if it were encoded alone). Texts shorter than the largest filter are padded internally,
so they never crash. An all-padding row pools to zeros (before the optional projection).
"""

from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple

import torch

from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError, did_you_mean
from swapnlp.modules.seq2vec_encoders.seq2vec_encoder import Seq2VecEncoder

ACTIVATIONS: Dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "gelu": torch.nn.functional.gelu,
    "linear": lambda x: x,
}


@Seq2VecEncoder.register("cnn")
class CnnEncoder(Seq2VecEncoder):
    def __init__(
        self,
        embedding_dim: int,
        num_filters: int,
        ngram_filter_sizes: Tuple[int, ...] = (2, 3, 4, 5),
        conv_layer_activation: str = "relu",
        output_dim: Optional[int] = None,
    ) -> None:
        super().__init__()
        check_range("embedding_dim", embedding_dim, at_least=1)
        check_range("num_filters", num_filters, at_least=1)
        check_range("output_dim", output_dim, at_least=1)
        if not ngram_filter_sizes or min(ngram_filter_sizes) < 1:
            raise ConfigurationError(f"CnnEncoder ngram_filter_sizes must be sizes >= 1, got "
                                     f"{list(ngram_filter_sizes)}.")
        if conv_layer_activation not in ACTIVATIONS:
            raise ConfigurationError(
                f'CnnEncoder conv_layer_activation "{conv_layer_activation}" is not one of '
                f"{list(ACTIVATIONS)}.{did_you_mean(conv_layer_activation, ACTIVATIONS)}")
        self.embedding_dim = embedding_dim
        self.ngram_filter_sizes = tuple(ngram_filter_sizes)
        self.activation = ACTIVATIONS[conv_layer_activation]
        self.convolutions = torch.nn.ModuleList(
            torch.nn.Conv1d(embedding_dim, num_filters, kernel_size=n) for n in self.ngram_filter_sizes)
        pooled_dim = num_filters * len(self.ngram_filter_sizes)
        self.projection = torch.nn.Linear(pooled_dim, output_dim) if output_dim is not None else None
        self.output_dim = output_dim if output_dim is not None else pooled_dim

    def get_input_dim(self) -> int:
        return self.embedding_dim

    def get_output_dim(self) -> int:
        return self.output_dim

    def forward(self, tokens: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        batch_size, num_tokens, _ = tokens.shape
        if mask is None:
            mask = tokens.new_ones(batch_size, num_tokens, dtype=torch.bool)
        lengths = mask.sum(dim=1)  # (batch,)
        tokens = tokens * mask.unsqueeze(-1).to(tokens.dtype)  # padded vectors -> 0
        shortfall = max(self.ngram_filter_sizes) - num_tokens
        if shortfall > 0:  # shorter than the largest filter: pad with zero vectors
            tokens = torch.nn.functional.pad(tokens, (0, 0, 0, shortfall))
        tokens = tokens.transpose(1, 2)  # Conv1d wants (batch, embedding_dim, num_tokens)

        pooled = []
        for n, convolution in zip(self.ngram_filter_sizes, self.convolutions):
            activations = self.activation(convolution(tokens))  # (batch, num_filters, num_windows)
            starts = torch.arange(activations.size(-1), device=tokens.device)
            # window i covers tokens i..i+n-1: keep it if it ends inside the text, or if it is the only
            # window of a text shorter than n; a text with no tokens keeps none
            valid = (starts.unsqueeze(0) + n <= lengths.unsqueeze(1)) | (starts.unsqueeze(0) == 0)
            valid = valid & (lengths.unsqueeze(1) > 0)  # (batch, num_windows)
            activations = activations.masked_fill(~valid.unsqueeze(1), float("-inf"))
            best = activations.max(dim=-1).values  # (batch, num_filters)
            pooled.append(best.masked_fill((lengths == 0).unsqueeze(1), 0.0))
        output = torch.cat(pooled, dim=1)  # (batch, num_filters * len(ngram_filter_sizes))
        return self.projection(output) if self.projection is not None else output
