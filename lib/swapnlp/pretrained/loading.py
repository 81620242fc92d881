"""Load HuggingFace tokenizers, configs and models from the folders the catalog resolves (pretrained/catalog.py).

Tokenizers are loaded once per process (a reader's tokenizer and its indexer share one); configs and models
are read each time they are asked for: every embedder gets its own weights to train.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from swapnlp.pretrained.catalog import resolve_model_path


@lru_cache(maxsize=8)
def get_tokenizer(model_name: str) -> Any:
    """A fast (Rust) HuggingFace tokenizer for `model_name` (a hub id, alias or folder)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(resolve_model_path(model_name), use_fast=True)


def get_config(model_name: str) -> Any:
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(resolve_model_path(model_name))


def load_model(model_name: str, load_weights: bool = True, **config_overrides: Any) -> Any:
    """A fresh transformers AutoModel (no task head): pretrained weights, or a random init of the same
    architecture when `load_weights` is False (an archive then restores the fine-tuned weights).
    `config_overrides` replace entries of the model's config.json, e.g. attention_probs_dropout_prob=0.0.
    The weights are always float32 (many checkpoints are stored in float16 or bfloat16, and transformers would
    keep that dtype): training updates fp32 weights, and bf16 speed comes from autocast."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging

    path = resolve_model_path(model_name)
    if not load_weights:
        config = get_config(model_name)
        for key, value in config_overrides.items():
            setattr(config, key, value)
        return AutoModel.from_config(config, dtype=torch.float32)
    bar_was_on = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()  # its "Loading weights" bar is noise in every notebook cell
    try:
        return AutoModel.from_pretrained(path, dtype=torch.float32, **config_overrides)
    finally:
        if bar_was_on:
            logging.enable_progress_bar()
