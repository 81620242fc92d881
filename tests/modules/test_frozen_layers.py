"""train_layers / cache_frozen_layers: only the top layers learn, the frozen ones are computed once per segment."""

from __future__ import annotations

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.modules.token_embedders.frozen_layers import FrozenLayerSplit, SegmentCache
from swapnlp.modules.token_embedders.pretrained_transformer_embedder import PretrainedTransformerEmbedder


def inputs() -> tuple:
    torch.manual_seed(0)
    ids = torch.randint(5, 40, (3, 12))  # the tiny BERT knows 48 wordpieces
    mask = torch.ones(3, 12, dtype=torch.bool)
    mask[1, 8:] = False
    mask[2, 3:] = False
    return ids, mask


@pytest.mark.parametrize("architecture", ["bert", "roberta"])
def test_the_split_model_computes_what_the_whole_model_computes(tiny_transformers, architecture):
    whole = PretrainedTransformerEmbedder(str(tiny_transformers[architecture])).eval()
    split = PretrainedTransformerEmbedder(str(tiny_transformers[architecture]), train_layers=1,
                                          cache_frozen_layers=True).eval()
    split.load_state_dict(whole.state_dict())
    ids, mask = inputs()
    with torch.no_grad():
        expected, got = whole(ids, mask), split(ids, mask)
    assert torch.allclose(expected[mask], got[mask], atol=2e-3)  # the cache keeps float16


def test_only_the_top_layers_get_gradients(tiny_bert):
    embedder = PretrainedTransformerEmbedder(tiny_bert, train_layers=1).train()
    ids, mask = inputs()
    embedder(ids, mask)[mask].pow(2).sum().backward()
    with_gradient = {name for name, p in embedder.named_parameters() if p.grad is not None}
    assert with_gradient and all(name.startswith("transformer.encoder.layer.1.") for name in with_gradient)
    assert not any(p.requires_grad for p in embedder.transformer.embeddings.parameters())
    assert not embedder.transformer.encoder.layer[0].training  # frozen layers never use dropout
    assert embedder.transformer.encoder.layer[1].training


def test_the_cache_computes_each_segment_once_whatever_its_padding(tiny_bert):
    embedder = PretrainedTransformerEmbedder(tiny_bert, train_layers=1, cache_frozen_layers=True).eval()
    calls = []
    original = embedder._split.lower
    embedder._split.lower = lambda ids, mask, types: calls.append(ids.shape) or original(ids, mask, types)
    ids, mask = inputs()
    with torch.no_grad():
        first = embedder(ids, mask)
        again = embedder(ids[[2, 0, 1]], mask[[2, 0, 1]])  # the same texts in another order
        wider = embedder(torch.cat([ids, torch.zeros(3, 4, dtype=ids.dtype)], 1),
                         torch.cat([mask, torch.zeros(3, 4, dtype=torch.bool)], 1))  # more padding
    assert calls == [(3, 12)]  # computed once, for the three texts at once
    assert len(embedder._cache) == 3
    assert torch.allclose(again, first[[2, 0, 1]], atol=1e-6)
    assert torch.allclose(wider[:, :12][mask], first[mask], atol=1e-6)


def test_the_cache_trains_the_top_layers(tiny_bert):
    embedder = PretrainedTransformerEmbedder(tiny_bert, train_layers=1, cache_frozen_layers=True).train()
    optimizer = torch.optim.Adam([p for p in embedder.parameters() if p.requires_grad], lr=1e-2)
    ids, mask = inputs()
    losses = []
    for _ in range(5):
        loss = (embedder(ids, mask)[mask][:, 0] - 1.0).pow(2).mean()  # pull one feature towards 1
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_segment_cache_keys_include_type_ids():
    cache = SegmentCache()
    ids, mask = torch.tensor([[7, 8, 9]]), torch.ones(1, 3, dtype=torch.bool)
    compute = lambda i, m, t: torch.full((i.shape[0], i.shape[1], 2), float(t[0, 0]) if t is not None else -1.0)  # noqa
    zeros, ones = torch.zeros(1, 3, dtype=torch.long), torch.ones(1, 3, dtype=torch.long)
    assert cache.get(ids, mask, zeros, compute)[0, 0, 0] == 0.0
    assert cache.get(ids, mask, ones, compute)[0, 0, 0] == 1.0
    assert len(cache) == 2


@pytest.mark.parametrize("options, message", [
    ({"train_layers": 0}, "train_layers must be between 1 and 2"),
    ({"train_layers": 3}, "train_layers must be between 1 and 2"),
    ({"cache_frozen_layers": True}, "cache_frozen_layers needs train_layers"),
    ({"train_layers": 1, "cache_frozen_layers": True, "last_layer_only": False}, "last_layer_only true"),
])
def test_settings_that_cannot_work_are_clear_errors(tiny_bert, options, message):
    with pytest.raises(ConfigurationError, match=message):
        PretrainedTransformerEmbedder(tiny_bert, **options)


def test_other_architectures_are_refused_with_a_way_out(tiny_transformers):
    with pytest.raises(ConfigurationError, match="BERT-style encoders.*leave train_layers out"):
        PretrainedTransformerEmbedder(str(tiny_transformers["distilbert"]), train_layers=1)


def test_a_split_needs_a_layer_stack():
    with pytest.raises(ConfigurationError, match="not Linear"):
        FrozenLayerSplit(torch.nn.Linear(2, 2), train_layers=1)
