"""BasicTextFieldEmbedder ("basic"): one TokenEmbedder per token indexer, outputs concatenated.

    forward(text: TextFieldTensors) -> FloatTensor (batch, num_tokens, sum of the embedders' output dims)

`text` is {indexer name: {key: LongTensor (batch, num_tokens)}}. The embedder named "tokens" gets the
tensors of the indexer named "tokens", as keyword arguments: a single_id indexer gives `tokens=ids` (for
`Embedding.forward(tokens)`), a pretrained_transformer one `token_ids=..., mask=..., type_ids=...`.
Each embedder only gets the keys its `forward` accepts. So the names must match in the config:

    "dataset_reader": {"token_indexers": {"tokens": {"type": "single_id"}}},
    "model": {"embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 50}}}}
"""

from __future__ import annotations

import inspect
from typing import Dict, List, Optional

import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.data.fields.text_field import TextFieldTensors
from swapnlp.modules.text_field_embedders.text_field_embedder import TextFieldEmbedder
from swapnlp.modules.token_embedders.token_embedder import TokenEmbedder


@TextFieldEmbedder.register("basic")
class BasicTextFieldEmbedder(TextFieldEmbedder):
    """Runs each token embedder on its indexer's tensors and concatenates the vectors (names sorted)."""

    def __init__(self, token_embedders: Dict[str, TokenEmbedder]) -> None:
        super().__init__()
        if not token_embedders:
            raise ConfigurationError("BasicTextFieldEmbedder needs at least one entry in token_embedders.")
        self.token_embedders = torch.nn.ModuleDict(token_embedders)
        self._names: List[str] = sorted(token_embedders)  # a fixed concatenation order

    def get_output_dim(self) -> int:
        return sum(self.token_embedders[name].get_output_dim() for name in self._names)

    def forward(self, text: TextFieldTensors) -> torch.Tensor:
        """text: {indexer name: {key: (batch, num_tokens)}} -> (batch, num_tokens, get_output_dim())."""
        if set(text) != set(self._names):
            raise ConfigurationError(
                f"the token indexers and the token embedders have different names: the data has indexers "
                f"{sorted(text)}, the embedder has token_embedders {self._names}. Make "
                f"`dataset_reader.token_indexers` and `model.embedder.token_embedders` use the same keys.")
        vectors = [self._embed(name, text[name]) for name in self._names]
        return vectors[0] if len(vectors) == 1 else torch.cat(vectors, dim=-1)

    def _embed(self, name: str, tensors: Dict[str, torch.Tensor]) -> torch.Tensor:
        embedder = self.token_embedders[name]
        accepted = _forward_parameters(embedder)
        if accepted is None:  # forward(**kwargs): give it everything
            return embedder(**tensors)
        arguments = {key: value for key, value in tensors.items() if key in accepted}
        missing = [p for p, required in accepted.items() if required and p not in arguments]
        if missing and len(missing) == 1 and len(tensors) == 1 and not arguments:
            # one tensor, one argument with another name (e.g. forward(self, ids)): pass it positionally
            return embedder(next(iter(tensors.values())))
        if missing:
            raise ConfigurationError(
                f'token embedder "{name}" ({type(embedder).__name__}) needs {missing} but the token indexer '
                f'"{name}" gives {sorted(tensors)}. The indexer and embedder types do not fit together '
                f"(e.g. a pretrained_transformer embedder needs a pretrained_transformer indexer).")
        return embedder(**arguments)


def _forward_parameters(module: torch.nn.Module) -> Optional[Dict[str, bool]]:
    """{parameter name: required?} of module.forward, or None when it takes **kwargs."""
    accepted: Dict[str, bool] = {}
    for parameter in inspect.signature(module.forward).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if parameter.kind is not inspect.Parameter.VAR_POSITIONAL:
            accepted[parameter.name] = parameter.default is inspect.Parameter.empty
    return accepted
