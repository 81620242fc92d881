"""benchmarks/cpu_recipe.py's FLOP accounting: the physical limit it quotes is only as right as these sums."""

from __future__ import annotations

import pytest


def test_one_layer_forward_counts_linear_maps_and_attention(load_benchmark):
    recipe = load_benchmark("cpu_recipe")
    hidden, intermediate = 2, 4
    # per position: q, k, v, output (4 x hidden^2) and the two feed-forward maps (2 x hidden x intermediate),
    # 2 FLOPs per multiply-add; per segment: scores and weighted sum, 2 x 2 x length^2 x hidden
    linear_per_position = 2 * (4 * 4 + 2 * 2 * 4)
    assert recipe.forward_flops_per_layer([3], hidden, intermediate) == 3 * linear_per_position + 2 * 2 * 9 * 2
    assert recipe.forward_flops_per_layer([3, 1], hidden, intermediate) == (
        4 * linear_per_position + 2 * 2 * (9 + 1) * 2)  # two short segments cost less attention than one long


def test_a_cached_recipe_runs_the_frozen_layers_once(load_benchmark, monkeypatch):
    recipe = load_benchmark("cpu_recipe")
    per_split = {"train": 10.0, "validation": 2.0, "test": 3.0}
    monkeypatch.setattr(recipe, "segment_lengths", lambda config, path: path)
    monkeypatch.setattr(recipe, "forward_flops_per_layer", lambda lengths, hidden, intermediate: per_split[lengths])

    class Model:
        num_hidden_layers, hidden_size, intermediate_size = 6, 384, 1536

    monkeypatch.setattr("transformers.AutoConfig.from_pretrained", lambda path: Model)
    monkeypatch.setattr("swapnlp.pretrained.resolve_model_path", lambda name: name)
    config = {"train_data_path": "train", "validation_data_path": "validation", "test_data_path": "test",
              "trainer": {"num_epochs": 3},
              "model": {"embedder": {"token_embedders": {"bert": {"model_name": "m", "train_layers": 2,
                                                                  "cache_frozen_layers": True}}}}}
    cached = recipe.recipe_flops(config)
    assert cached["frozen_layers"] == 4 * (10 + 2 + 3)  # once over every split
    assert cached["trained_layers"] == 2 * (3 * (3 * 10 + 2) + 3)  # forward+backward = 3 forwards, per epoch
    config["model"]["embedder"]["token_embedders"]["bert"]["cache_frozen_layers"] = False
    assert recipe.recipe_flops(config)["frozen_layers"] == 4 * (3 * (10 + 2) + 3)  # every epoch again
    del config["model"]["embedder"]["token_embedders"]["bert"]["train_layers"]
    assert recipe.recipe_flops(config) == pytest.approx(
        {"frozen_layers": 0, "trained_layers": 6 * (3 * 32 + 3), "total": 6 * 99, "tokens_per_epoch": 10.0})
