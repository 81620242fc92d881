"""Exercise 3.1: swap in a pretrained transformer (and the vetting of the two configs of 3.1b and 3.3).

Any config passes that swaps the pretrained transformer in (the reader's tokenizer and indexers, the model's
token embedder, all naming one pretrained model) without Python changes, keeps the data as in the baseline, and
whose run reaches the target dev accuracy: the pooler, the optimizer, a learning-rate schedule, the number of
epochs and the batch size are the learner's choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping, Sequence, Tuple

from course.checks.core import CheckFailed, exercise_dir, learner_function_result, type_name
from course.checks.encoder_swap import evaluate_config, trained_accuracy

TARGET_ACCURACY_3_1 = 0.85
LARGE_FINE_TUNING_LR = 1e-3  # above this, a failed run's message names the learning rate as the likely cause
FREE_PARTS = ("dataset_reader.tokenizer", "dataset_reader.token_indexers", "model", "trainer",
              "data_loader.batch_size")


def changed_paths(before: Any, after: Any, path: str = "") -> list:
    """The dotted paths of the leaves that differ between two config trees."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [changed for key in sorted(before.keys() | after.keys())
                for changed in changed_paths(before.get(key), after.get(key), f"{path}.{key}" if path else key)]
    return [] if before == after else [path]


def learner_experiment_configs(namespace: Mapping[str, Any], kinds: Sequence[str], free_parts: Sequence[str],
                               keep: str) -> Tuple[Path, Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """The learner's `experiment_configs()` of exercises 3.1b and 3.3: {kind: Jsonnet text} with exactly `kinds`,
    each changing only `free_parts` of the exercise's transformer.jsonnet (`keep` says why the rest stays)
    -> (the exercise folder, transformer.jsonnet evaluated, {kind: that config evaluated})."""
    work_dir = exercise_dir(namespace)
    keys = ", ".join(f'"{kind}": ...' for kind in kinds)
    texts = learner_function_result(namespace, "experiment_configs", dict, f"the two configs, {{{keys}}}")
    if sorted(texts) != sorted(kinds):
        names = " and ".join(f'"{kind}"' for kind in kinds)
        raise CheckFailed(f"experiment_configs() must return exactly the keys {names}, got {sorted(texts)}")
    base = evaluate_config((work_dir / "transformer.jsonnet").read_text("utf-8"), work_dir)
    configs: Dict[str, Dict[str, Any]] = {}
    for kind in kinds:
        if not isinstance(texts[kind], str):
            raise CheckFailed(f'experiment_configs()["{kind}"] must be the config as Jsonnet text, not a '
                              f"{type_name(texts[kind])}")
        configs[kind] = evaluate_config(texts[kind], work_dir)
        outside = [p for p in changed_paths(base, configs[kind])
                   if not any(p == part or p.startswith(part + ".") for part in free_parts)]
        if outside:
            raise CheckFailed(f"your {kind} config changes {outside[0]}: {keep}")
    return work_dir, base, configs


def _model_folder(name: Any, where: str) -> str:
    from swapnlp.common.errors import ConfigurationError
    from swapnlp.pretrained import resolve_model_path

    if not isinstance(name, str):
        raise CheckFailed(f'{where}.model_name must name the pretrained model, e.g. "minilm"')
    try:
        return resolve_model_path(name)
    except ConfigurationError as error:
        raise CheckFailed(f"{where}.model_name: {str(error).splitlines()[0]}") from None


def _swapped_model(config: Mapping[str, Any]) -> str:
    """The folder of the one pretrained model the tokenizer, every indexer and every embedder name."""
    reader, model = config.get("dataset_reader") or {}, config.get("model") or {}
    tokenizer = reader.get("tokenizer") or {}
    if tokenizer.get("type") != "pretrained_transformer":
        raise CheckFailed("dataset_reader.tokenizer must be a pretrained_transformer: the model reads its own "
                          "wordpieces, not whitespace-separated words")
    folder = _model_folder(tokenizer.get("model_name"), "dataset_reader.tokenizer")
    indexers = reader.get("token_indexers") or {}
    embedders = ((model.get("embedder") or {}).get("token_embedders")) or {}
    for key, indexer in indexers.items():
        if (indexer or {}).get("type") != "pretrained_transformer":
            raise CheckFailed(f"dataset_reader.token_indexers.{key} must be a pretrained_transformer indexer: the "
                              f"model's own vocabulary ids, not ids from our Vocabulary")
    if sorted(indexers) != sorted(embedders):
        raise CheckFailed(f"the token indexers {sorted(indexers)} and the model's token_embedders "
                          f"{sorted(embedders)} must have the same names")
    for key, embedder in embedders.items():
        if (embedder or {}).get("type") != "pretrained_transformer":
            raise CheckFailed(f"model.embedder.token_embedders.{key} must be a pretrained_transformer embedder")
    parts = [(f"dataset_reader.token_indexers.{k}", v) for k, v in indexers.items()] + \
            [(f"model.embedder.token_embedders.{k}", v) for k, v in embedders.items()]
    for where, part in parts:
        if _model_folder(part.get("model_name"), where) != folder:
            raise CheckFailed(f"{where}.model_name is {part.get('model_name')!r} but the tokenizer's is "
                              f"{tokenizer.get('model_name')!r}: the tokenizer, indexer and embedder must all name "
                              f"the same model")
    return folder


def check_pretrained_swap(namespace: Mapping[str, Any]) -> str:
    work_dir = exercise_dir(namespace)
    text = learner_function_result(namespace, "experiment_config", str, "the config as Jsonnet text")
    config = evaluate_config(text, work_dir)
    baseline = evaluate_config((work_dir / "baseline.jsonnet").read_text("utf-8"), work_dir)
    outside = [p for p in changed_paths(baseline, config) if not any(p == part or p.startswith(part + ".")
                                                                       for part in FREE_PARTS)]
    if outside:
        raise CheckFailed(f"keep the data as in the baseline, so the two dev accuracies compare the models (the "
                          f"tokenizer, indexers, model, trainer and batch size are yours to change); you also "
                          f"changed {outside[0]}")
    _swapped_model(config)
    accuracy = trained_accuracy(namespace, config, work_dir)
    if accuracy < TARGET_ACCURACY_3_1:
        optimizer = (config.get("trainer") or {}).get("optimizer") or {}
        lr = optimizer.get("lr") if isinstance(optimizer, dict) else None
        cause = (f"a learning rate of {lr:g} is large for fine-tuning (1e-5 to 1e-4 keeps what the model learned)"
                 if isinstance(lr, (int, float)) and lr > LARGE_FINE_TUNING_LR else
                 "try another epoch or a learning rate between 1e-5 and 1e-4")
        raise CheckFailed(f"the pretrained model reached a dev accuracy of {accuracy:.2f}, below the target "
                          f"{TARGET_ACCURACY_3_1:.2f}: {cause}")
    return (f"the pretrained transformer knows words the training data never showed it: dev accuracy at least "
            f"{TARGET_ACCURACY_3_1:.2f}, where a bag of embeddings guesses, with config changes only.")
