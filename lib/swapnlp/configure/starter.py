"""Where the wizard starts: the course's first model, every step made: configs/bag_of_embeddings.jsonnet with
the "type" of each default implementation written out (tests/configure/test_choices.py checks they agree).

`swapnlp configure --defaults` writes exactly this (plus what `--set` changes); the widgets and the
terminal prompts show it as the current answer of each step.
"""

from __future__ import annotations

from typing import Any, Dict


def starter_config(data_dir: str = "data/movie_review") -> Dict[str, Any]:
    """A bag-of-embeddings classifier of `data_dir`/{train,dev,test}.tsv (text<TAB>label files)."""
    data_dir = data_dir.rstrip("/")
    return {
        "train_data_path": f"{data_dir}/train.tsv",
        "validation_data_path": f"{data_dir}/dev.tsv",
        "test_data_path": f"{data_dir}/test.tsv",
        "dataset_reader": {
            "type": "classification-tsv",
            "tokenizer": {"type": "whitespace"},
            "token_indexers": {"tokens": {"type": "single_id"}},
        },
        "vocabulary": {"type": "from_instances", "min_count": {"tokens": 2}},
        "data_loader": {"type": "simple", "batch_size": 16, "shuffle": True, "bucket": True},
        "model": {
            "type": "simple_classifier",
            "embedder": {"type": "basic", "token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 64}}},
            "encoder": {"type": "bag_of_embeddings", "embedding_dim": 64, "averaged": True},
        },
        "trainer": {
            "type": "gradient_descent",
            "optimizer": {"type": "adam", "lr": 0.003},
            "num_epochs": 20,
            "patience": 4,
            "validation_metric": "+accuracy",
            "autocast": "auto",
        },
    }
