"""Exercise 3.1: swap in a pretrained transformer."""

from __future__ import annotations

from typing import Any, Mapping

from course.checks.core import CheckFailed, exercise_dir, learner_function_result
from course.checks.encoder_swap import evaluate_config, trained_accuracy


TARGET_ACCURACY_3_1 = 0.85
MAX_FINE_TUNING_LR = 1e-4
FOUR_PARTS = ("dataset_reader.tokenizer", "dataset_reader.token_indexers", "model.embedder", "model.encoder",
              "trainer.optimizer")


def changed_paths(before: Any, after: Any, path: str = "") -> list:
    """The dotted paths of the leaves that differ between two config trees."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [changed for key in sorted(before.keys() | after.keys())
                for changed in changed_paths(before.get(key), after.get(key), f"{path}.{key}" if path else key)]
    return [] if before == after else [path]


def _same_model(name: Any, reference: str, where: str) -> None:
    from swapnlp.common.errors import ConfigurationError
    from swapnlp.pretrained import resolve_model_path

    if not isinstance(name, str):
        raise CheckFailed(f"{where}.model_name must name the pretrained model, e.g. \"minilm\"")
    try:
        same = resolve_model_path(name) == resolve_model_path(reference)
    except ConfigurationError as error:
        raise CheckFailed(f"{where}.model_name: {str(error).splitlines()[0]}") from None
    if not same:
        raise CheckFailed(f"{where}.model_name is {name!r} but the tokenizer's is {reference!r}: the tokenizer, "
                          f"indexer and embedder must all name the same model")


def check_pretrained_swap(namespace: Mapping[str, Any]) -> str:
    from swapnlp.pretrained import CATALOG, resolve_model_path

    work_dir = exercise_dir(namespace)
    text = learner_function_result(namespace, "experiment_config", str, "the config as Jsonnet text")
    config = evaluate_config(text, work_dir)
    baseline = evaluate_config((work_dir / "baseline.jsonnet").read_text("utf-8"), work_dir)
    outside = [p for p in changed_paths(baseline, config) if not any(p == part or p.startswith(part + ".")
                                                                       for part in FOUR_PARTS)]
    if outside:
        raise CheckFailed(f"change only the four parts (the reader's tokenizer and token_indexers, the model's "
                          f"embedder and encoder, the trainer's optimizer); you also changed {outside[0]}")
    reader, model = config.get("dataset_reader") or {}, config.get("model") or {}
    tokenizer = reader.get("tokenizer") or {}
    if tokenizer.get("type") != "pretrained_transformer":
        raise CheckFailed("dataset_reader.tokenizer must be a pretrained_transformer: the model reads its own "
                          "wordpieces, not whitespace-separated words")
    name = tokenizer.get("model_name")
    packaged = {resolve_model_path(m.hub_id) for m in CATALOG if m.locate() is not None}
    _same_model(name, name, "dataset_reader.tokenizer")
    if resolve_model_path(name) not in packaged:
        raise CheckFailed(f"use a pretrained model of the catalog (e.g. \"minilm\"), not {name!r}")
    indexers = reader.get("token_indexers") or {}
    embedders = ((model.get("embedder") or {}).get("token_embedders")) or {}
    for key, indexer in indexers.items():
        if (indexer or {}).get("type") != "pretrained_transformer":
            raise CheckFailed(f"dataset_reader.token_indexers.{key} must be a pretrained_transformer indexer: the "
                              f"model's own vocabulary ids, not ids from our Vocabulary")
        _same_model(indexer.get("model_name"), name, f"dataset_reader.token_indexers.{key}")
    if sorted(indexers) != sorted(embedders):
        raise CheckFailed(f"the token indexers {sorted(indexers)} and the model's token_embedders "
                          f"{sorted(embedders)} must have the same names")
    for key, embedder in embedders.items():
        if (embedder or {}).get("type") != "pretrained_transformer":
            raise CheckFailed(f"model.embedder.token_embedders.{key} must be a pretrained_transformer embedder")
        _same_model(embedder.get("model_name"), name, f"model.embedder.token_embedders.{key}")
    optimizer = (config.get("trainer") or {}).get("optimizer") or {}
    lr = optimizer.get("lr") if isinstance(optimizer, dict) else None
    if not isinstance(lr, (int, float)) or lr > MAX_FINE_TUNING_LR:
        raise CheckFailed(f"trainer.optimizer.lr is {lr}: fine-tuning a pretrained model needs a small learning "
                          f"rate (1e-5 to {MAX_FINE_TUNING_LR:g}); a large one overwrites what it learned")
    accuracy = trained_accuracy(namespace, config, work_dir)
    if accuracy < TARGET_ACCURACY_3_1:
        raise CheckFailed(f"the pretrained model reached a dev accuracy of {accuracy:.2f}, below the target "
                          f"{TARGET_ACCURACY_3_1:.2f}: check the learning rate and train for another epoch")
    return (f"the pretrained transformer knows words the training data never showed it: dev accuracy at least "
            f"{TARGET_ACCURACY_3_1:.2f}, where a bag of embeddings guesses, with four config changes and no Python.")
