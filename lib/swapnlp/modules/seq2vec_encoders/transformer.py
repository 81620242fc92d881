"""TransformerSeq2VecEncoder ("transformer"): a small Transformer encoder (self-attention), then pooling.

    forward(tokens: (batch, num_tokens, embedding_dim), mask: (batch, num_tokens) bool or None)
        -> (batch, embedding_dim)

Self-attention sees no word order, so a positional encoding is added first: fixed "sinusoidal" waves,
a learned "embedding" per position (up to `max_length`), or None. Padded positions are hidden from the
attention (`src_key_padding_mask`) and left out of the pooling ("mean" or "max" over the real tokens, or
the "first" token's vector), so padding never changes the result. Rows with no tokens give zeros.
"""

from __future__ import annotations

import math
from typing import Literal, Optional

import torch

from swapnlp.common.checks import check_dropout, check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.modules.seq2vec_encoders.seq2vec_encoder import Seq2VecEncoder
from swapnlp.nn.util import masked_mean


@Seq2VecEncoder.register("transformer")
class TransformerSeq2VecEncoder(Seq2VecEncoder):
    def __init__(
        self,
        embedding_dim: int,
        num_layers: int = 2,
        num_attention_heads: int = 4,
        feedforward_hidden_dim: int = 256,
        dropout: float = 0.1,
        positional_encoding: Optional[Literal["sinusoidal", "embedding"]] = "sinusoidal",
        max_length: int = 2048,
        pooling: Literal["mean", "max", "first"] = "mean",
    ) -> None:
        super().__init__()
        for key, value in (("embedding_dim", embedding_dim), ("num_layers", num_layers),
                           ("num_attention_heads", num_attention_heads),
                           ("feedforward_hidden_dim", feedforward_hidden_dim), ("max_length", max_length)):
            check_range(key, value, at_least=1)
        check_dropout("dropout", dropout)
        if embedding_dim % num_attention_heads != 0:
            raise ConfigurationError(
                f"transformer embedding_dim ({embedding_dim}) must be divisible by num_attention_heads "
                f"({num_attention_heads}): each head gets embedding_dim / num_attention_heads numbers.")
        if positional_encoding not in ("sinusoidal", "embedding", None):
            raise ConfigurationError(f'transformer positional_encoding must be "sinusoidal", "embedding" or '
                                     f"null, got {positional_encoding!r}.")
        if pooling not in ("mean", "max", "first"):
            raise ConfigurationError(f'transformer pooling must be "mean", "max" or "first", got {pooling!r}.')
        self.embedding_dim = embedding_dim
        self.max_length = max_length
        self.pooling = pooling
        self.positional_encoding = positional_encoding
        if positional_encoding == "sinusoidal":
            self.register_buffer("positions", sinusoidal_positions(max_length, embedding_dim), persistent=False)
        elif positional_encoding == "embedding":
            self.position_embedding = torch.nn.Embedding(max_length, embedding_dim)
        layer = torch.nn.TransformerEncoderLayer(embedding_dim, num_attention_heads, feedforward_hidden_dim,
                                                 dropout, batch_first=True)
        # enable_nested_tensor=False: torch's nested-tensor fast path (eval mode) handles padded positions
        # its own way; one code path keeps the results independent of the padding
        self.encoder = torch.nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)

    def get_input_dim(self) -> int:
        return self.embedding_dim

    def get_output_dim(self) -> int:
        return self.embedding_dim

    def forward(self, tokens: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        batch_size, num_tokens, _ = tokens.shape
        if mask is None:
            mask = tokens.new_ones(batch_size, num_tokens, dtype=torch.bool)
        mask = mask.bool()
        if self.positional_encoding is not None and num_tokens > self.max_length:
            raise ValueError(f"transformer encoder got {num_tokens} tokens but max_length is {self.max_length}: "
                             f"raise max_length or cut texts shorter (the dataset reader's max_tokens).")
        if self.positional_encoding == "sinusoidal":
            tokens = tokens + self.positions[:num_tokens].to(tokens.dtype)
        elif self.positional_encoding == "embedding":
            tokens = tokens + self.position_embedding(torch.arange(num_tokens, device=tokens.device))
        empty = ~mask.any(dim=1)  # (batch,) rows with no tokens
        # a row whose every key is hidden would give NaN attention: let empty rows attend, zero them later
        hidden_keys = ~mask & ~empty.unsqueeze(1)
        encoded = self.encoder(tokens, src_key_padding_mask=hidden_keys)  # (batch, num_tokens, embedding_dim)

        if self.pooling == "mean":
            pooled = masked_mean(encoded, mask, dim=1)
        elif self.pooling == "max":
            pooled = encoded.masked_fill(~mask.unsqueeze(-1), float("-inf")).max(dim=1).values
        else:  # "first"
            pooled = encoded[:, 0]
        return pooled.masked_fill(empty.unsqueeze(1), 0.0)


def sinusoidal_positions(max_length: int, dim: int) -> torch.Tensor:
    """(max_length, dim): sin/cos waves of geometrically spaced wavelengths ("Attention is all you need")."""
    positions = torch.arange(max_length, dtype=torch.float).unsqueeze(1)
    frequencies = torch.exp(torch.arange(0, dim, 2, dtype=torch.float) * (-math.log(10000.0) / dim))
    table = torch.zeros(max_length, dim)
    table[:, 0::2] = torch.sin(positions * frequencies)
    table[:, 1::2] = torch.cos(positions * frequencies[: dim // 2])
    return table
