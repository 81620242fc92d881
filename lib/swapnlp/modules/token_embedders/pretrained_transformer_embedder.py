"""PretrainedTransformerEmbedder ("pretrained_transformer"): wordpiece ids -> contextual vectors from a
pretrained transformer (BERT, MiniLM, MPNet, RoBERTa, DistilBERT... anything transformers' AutoModel loads).

    forward(token_ids (batch, num_tokens), mask (batch, num_tokens), type_ids=None, [segment_* , positions])
        -> (batch, num_tokens, hidden_size)

Long texts: a model sees at most 512 positions. With `max_length` (set on the indexer AND here), the indexer
lays each text out as segments of max_length; this embedder runs the model on all segments as one big batch
and puts each token's vector back where the token was, so the encoder sees the whole text.
"""

from __future__ import annotations

import inspect
from typing import Optional

import torch

from swapnlp.pretrained.loading import get_config, load_model
from swapnlp.common.checks import check_dropout, check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.modules.token_embedders.frozen_layers import FrozenLayerSplit, SegmentCache
from swapnlp.modules.token_embedders.token_embedder import TokenEmbedder


@TokenEmbedder.register("pretrained_transformer")
class PretrainedTransformerEmbedder(TokenEmbedder):
    """model_name: a hub id, catalog alias ("minilm") or folder (see swapnlp/pretrained/catalog.py).
    max_length: segment length for folding long texts (must equal the indexer's max_length).
    train_parameters: fine-tune the transformer (True) or keep it frozen as a feature extractor (False).
    last_layer_only: the top layer's vectors (True) or a learned softmax-weighted mix of all layers (False).
    gradient_checkpointing: recompute activations in the backward pass: much less memory, ~30% more time.
    attention_dropout: dropout on the attention weights while training; None keeps the model's own (0.1 for
        most). 0.0 lets PyTorch use its fused attention kernel: fine-tuning runs 1.5-3x faster on a CPU.
    train_layers: fine-tune only the top N layers; the embeddings and the layers below are frozen (no
        gradient flows through them). None = every layer. BERT-style encoders (frozen_layers.py).
    cache_frozen_layers: with train_layers, compute the frozen layers once per text segment and reuse their
        output in every epoch and validation pass (memory: ~0.8 KB per wordpiece for a 384-wide model).
    """

    def __init__(self, model_name: str, max_length: Optional[int] = None, train_parameters: bool = True,
                 last_layer_only: bool = True, gradient_checkpointing: bool = False,
                 attention_dropout: Optional[float] = None, train_layers: Optional[int] = None,
                 cache_frozen_layers: bool = False) -> None:
        super().__init__()
        check_range("max_length", max_length, at_least=1)
        check_dropout("attention_dropout", attention_dropout)
        self.transformer = load_model(model_name, **_attention_dropout_override(model_name, attention_dropout))
        self.model_name, self.max_length = model_name, max_length
        self.train_parameters, self.last_layer_only = train_parameters, last_layer_only
        config = self.transformer.config
        self._positions = getattr(config, "max_position_embeddings", None)
        if max_length is not None and self._positions is not None and max_length > self._positions:
            raise ConfigurationError(f"max_length {max_length} is longer than {model_name} can take "
                                     f"({self._positions} positions).")
        self._takes_type_ids = "token_type_ids" in inspect.signature(self.transformer.forward).parameters
        if not train_parameters:
            self.transformer.requires_grad_(False)
        self._split = FrozenLayerSplit(self.transformer, train_layers) if train_layers is not None else None
        if cache_frozen_layers and (self._split is None or not last_layer_only or not train_parameters):
            raise ConfigurationError("cache_frozen_layers needs train_layers (which layers are frozen), "
                                     "train_parameters true and last_layer_only true.")
        self._cache = SegmentCache() if cache_frozen_layers else None
        if gradient_checkpointing:
            self.transformer.activation_checkpointing_enable({"use_reentrant": False})
        if not last_layer_only:  # one weight per layer (+ the embeddings), and a scale
            self.layer_weights = torch.nn.Parameter(torch.zeros(config.num_hidden_layers + 1))
            self.layer_scale = torch.nn.Parameter(torch.ones(1))

    def get_output_dim(self) -> int:
        return self.transformer.config.hidden_size

    def train(self, mode: bool = True) -> "PretrainedTransformerEmbedder":
        super().train(mode)
        if not self.train_parameters:
            self.transformer.eval()  # a frozen feature extractor: no dropout
        elif self._split is not None:
            self._split.keep_frozen_in_eval_mode()
        return self

    def forward(self, token_ids: torch.Tensor, mask: torch.Tensor, type_ids: Optional[torch.Tensor] = None,
                segment_ids: Optional[torch.Tensor] = None, segment_mask: Optional[torch.Tensor] = None,
                segment_type_ids: Optional[torch.Tensor] = None,
                positions: Optional[torch.Tensor] = None) -> torch.Tensor:
        if segment_ids is not None:
            return self._folded(segment_ids, segment_mask, segment_type_ids, positions)
        if self.max_length is not None:
            raise ConfigurationError(f"the embedder has max_length {self.max_length} but the data has no segments: "
                                     f"set the same max_length on the pretrained_transformer token indexer.")
        if self._positions is not None and token_ids.shape[1] > self._positions:
            raise ConfigurationError(
                f"a text of {token_ids.shape[1]} wordpieces is longer than {self.model_name} can take "
                f"({self._positions}): set max_length on the tokenizer (truncate) or on the indexer and the "
                f"embedder (fold the text into segments).")
        return self._run(token_ids, mask, type_ids)

    def _folded(self, segment_ids: torch.Tensor, segment_mask: torch.Tensor, segment_type_ids: Optional[torch.Tensor],
                positions: torch.Tensor) -> torch.Tensor:
        """(batch, num_segments * max_length) segments -> (batch, num_tokens, hidden) vectors in token order."""
        if self.max_length is None or segment_ids.shape[1] % self.max_length:
            raise ConfigurationError(f"the indexer folded the text into segments, but the embedder's max_length "
                                     f"({self.max_length}) does not match the indexer's: set the same value on both.")
        batch, total = segment_ids.shape
        ids = segment_ids.reshape(-1, self.max_length)                  # (batch * segments, max_length)
        seg_mask = segment_mask.reshape(-1, self.max_length)
        types = segment_type_ids.reshape(-1, self.max_length) if segment_type_ids is not None else None
        used = seg_mask.any(dim=1)                                      # padding-only segments are skipped
        width = int(seg_mask[used].sum(dim=1).max())                    # and padding columns no segment needs:
        hidden = self._run(ids[used, :width], seg_mask[used, :width],   # short texts run at their own length
                           types[used, :width] if types is not None else None)
        vectors = hidden.new_zeros(ids.shape[0], self.max_length, hidden.shape[-1])
        vectors[used, :width] = hidden
        vectors = vectors.reshape(batch, total, -1)                     # (batch, segments * max_length, hidden)
        return vectors.gather(1, positions.unsqueeze(-1).expand(-1, -1, vectors.shape[-1]))

    def _run(self, ids: torch.Tensor, mask: torch.Tensor, type_ids: Optional[torch.Tensor]) -> torch.Tensor:
        """The transformer on (n, length) ids -> (n, length, hidden)."""
        inputs = {"input_ids": ids, "attention_mask": mask.long()}
        if type_ids is not None and self._takes_type_ids:
            inputs["token_type_ids"] = type_ids
        if self._cache is not None:  # frozen lower layers from the cache, the top ones trained
            lower = self._cache.get(ids, mask, inputs.get("token_type_ids"), self._split.lower)
            return self._split.upper(lower, mask)
        with torch.set_grad_enabled(self.train_parameters and torch.is_grad_enabled()):
            output = self.transformer(**inputs, output_hidden_states=not self.last_layer_only)
        if self.last_layer_only:
            return output.last_hidden_state
        layers = torch.stack(output.hidden_states)                      # (layers + 1, n, length, hidden)
        weights = torch.softmax(self.layer_weights, dim=0).to(layers.dtype)
        return self.layer_scale * (weights.view(-1, 1, 1, 1) * layers).sum(dim=0)


def _attention_dropout_override(model_name: str, attention_dropout: Optional[float]) -> dict:
    """{config key: value} that sets the attention dropout; the key's name depends on the architecture."""
    if attention_dropout is None:
        return {}
    config = get_config(model_name)
    for key in ("attention_probs_dropout_prob", "attention_dropout"):  # BERT/MPNet/RoBERTa; DistilBERT
        if hasattr(config, key):
            return {key: attention_dropout}
    raise ConfigurationError(f"attention_dropout: {model_name}'s config ({type(config).__name__}) has no attention "
                             f"dropout setting that swapnlp knows; leave attention_dropout out for this model.")
