"""cached_transformers: models always come back in float32, whatever dtype their checkpoint was saved in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from swapnlp.pretrained.loading import load_model


@pytest.fixture
def half_precision_bert(tiny_bert: str, tmp_path: Path) -> Path:
    """The tiny bert with its weights stored in float16 (as many published checkpoints are)."""
    folder = tmp_path / "tiny-bert-fp16"
    shutil.copytree(tiny_bert, folder)
    weights = load_file(folder / "model.safetensors")
    save_file({name: tensor.half() for name, tensor in weights.items()}, folder / "model.safetensors",
              metadata={"format": "pt"})
    config = json.loads((folder / "config.json").read_text())  # like all-MiniLM-L6-v2's: no dtype named
    config.pop("dtype", None), config.pop("torch_dtype", None)
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def test_a_float16_checkpoint_loads_as_float32_weights(half_precision_bert: Path):
    model = load_model(str(half_precision_bert))
    assert {parameter.dtype for parameter in model.parameters()} == {torch.float32}
    stored = load_file(half_precision_bert / "model.safetensors")
    embeddings = model.get_input_embeddings().weight
    name = next(key for key in stored if key.endswith("word_embeddings.weight"))
    assert torch.equal(embeddings, stored[name].float())  # the stored values, only widened
    model.train()  # and it trains on the CPU (LayerNorm refuses mixed float16/float32 there)
    out = model(input_ids=torch.tensor([[1, 5, 6, 2]])).last_hidden_state
    out.sum().backward()
    assert embeddings.grad is not None


def test_random_init_is_float32_too(half_precision_bert: Path):
    model = load_model(str(half_precision_bert), load_weights=False)
    assert {parameter.dtype for parameter in model.parameters()} == {torch.float32}
