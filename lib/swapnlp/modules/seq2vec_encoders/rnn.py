"""Recurrent encoders ("lstm", "gru"): read the text token by token; the final hidden state is the vector.

    forward(tokens: (batch, num_tokens, embedding_dim), mask: (batch, num_tokens) bool or None)
        -> (batch, hidden_size), or (batch, 2 * hidden_size) when bidirectional
           (the forward direction's last state, then the backward direction's)

The mask must mark a prefix of each row (padding at the end, as the data loader makes it). The batch is
packed (`pack_padded_sequence`), so each text is read up to its own length: padding never changes the
output. Rows with no tokens at all give zeros.
"""

from __future__ import annotations

from typing import Optional, Type

import torch
from torch.nn.utils.rnn import pack_padded_sequence

from swapnlp.common.checks import check_dropout, check_range
from swapnlp.modules.seq2vec_encoders.seq2vec_encoder import Seq2VecEncoder


class _RnnSeq2VecEncoder(Seq2VecEncoder):
    """Shared code of the LSTM and GRU encoders; `rnn_class` is torch.nn.LSTM or torch.nn.GRU."""

    rnn_class: Type[torch.nn.RNNBase]

    def __init__(
        self,
        embedding_dim: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_range("embedding_dim", embedding_dim, at_least=1)
        check_range("hidden_size", hidden_size, at_least=1)
        check_range("num_layers", num_layers, at_least=1)
        check_dropout("dropout", dropout)
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.bidirectional = bidirectional
        self.rnn = self.rnn_class(embedding_dim, hidden_size, num_layers=num_layers, batch_first=True,
                                  bidirectional=bidirectional, dropout=dropout)

    def get_input_dim(self) -> int:
        return self.embedding_dim

    def get_output_dim(self) -> int:
        return self.hidden_size * (2 if self.bidirectional else 1)

    def forward(self, tokens: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        batch_size, num_tokens, _ = tokens.shape
        if mask is None:
            lengths = torch.full((batch_size,), num_tokens, dtype=torch.long)
        else:
            lengths = mask.sum(dim=1).long().cpu()
        empty = lengths == 0
        # packing refuses length 0: read one (padding) step for empty rows, then zero their output
        packed = pack_padded_sequence(tokens, lengths.clamp(min=1), batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)
        hidden = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n); GRU: h_n
        # hidden: (num_layers * num_directions, batch, hidden_size), in the batch's original order
        if self.bidirectional:
            last = torch.cat([hidden[-2], hidden[-1]], dim=-1)  # last layer: forward, backward
        else:
            last = hidden[-1]
        return last.masked_fill(empty.to(last.device).unsqueeze(1), 0.0)


@Seq2VecEncoder.register("lstm")
class LstmSeq2VecEncoder(_RnnSeq2VecEncoder):
    """An LSTM (torch.nn.LSTM); output = its final hidden state."""

    rnn_class = torch.nn.LSTM


@Seq2VecEncoder.register("gru")
class GruSeq2VecEncoder(_RnnSeq2VecEncoder):
    """A GRU (torch.nn.GRU); output = its final hidden state."""

    rnn_class = torch.nn.GRU
