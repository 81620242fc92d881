"""Exercise 3.1b: truncate or fold a text longer than the transformer reads.

Both configs are judged by what their reader and model do with a long made-up review (more wordpieces than the
model has positions): the truncated config hands the model fewer wordpieces than the text has, never more than
the model takes, and runs; the folded config keeps every wordpiece, runs, and its prediction changes when the
first or the last word changes (the model really read both ends). Which end is kept, how long the segments are
and what the indexer key is called are the learner's choice.
"""

from __future__ import annotations

from typing import Any, Mapping, Tuple

from course.checks.core import CheckFailed, describe_error
from course.checks.transformer_swap import learner_experiment_configs

KINDS_3_1B = ("truncated", "folded")
FREE_PARTS = ("dataset_reader.tokenizer", "dataset_reader.token_indexers", "model.embedder")
FILLER = ("the film was really quite good but the plot and the acting were a bit dull , and this story is "
          "not that fun . ").split()


def long_review(words: int, first: str = "great", last: str = "awful") -> str:
    """A made-up review of about `words` words, with `first` and `last` as its ends."""
    body = [FILLER[i % len(FILLER)] for i in range(words)]
    return " ".join([first, *body, last])


def build_parts(config: Mapping[str, Any]) -> Tuple[Any, Any]:
    """(dataset reader, model) built from a config as training builds them (labels pos and neg)."""
    from swapnlp.common import Params
    from swapnlp.data import DatasetReader, Vocabulary
    from swapnlp.models import Model

    vocab = Vocabulary()
    vocab.add_tokens(["neg", "pos"], "labels")
    reader = DatasetReader.from_params(Params(dict(config["dataset_reader"])))
    model = Model.from_params(Params(dict(config["model"])), vocab=vocab)
    return reader, model.eval()


def _probs(reader: Any, model: Any, text: str) -> Any:
    import torch

    return torch.as_tensor(model.forward_on_instances([reader.text_to_instance(text)])[0]["probs"])


def _wordpieces(reader: Any, text: str) -> int:
    fields = reader.text_to_instance(text).fields
    return len(fields["text"].tokens) if "text" in fields else len(next(iter(fields.values())).tokens)


def _limits(config: Mapping[str, Any]) -> Tuple[str, int]:
    """(the model's name, how many positions it reads at once)."""
    from swapnlp.pretrained.loading import get_config

    embedders = ((config.get("model") or {}).get("embedder") or {}).get("token_embedders") or {}
    names = [e.get("model_name") for e in embedders.values() if isinstance(e, dict)]
    if len(names) != 1 or not isinstance(names[0], str):
        raise CheckFailed("keep the one pretrained_transformer token embedder of transformer.jsonnet")
    return names[0], int(getattr(get_config(names[0]), "max_position_embeddings", 512))


def _check_truncated(reader: Any, model: Any, full: int, positions: int, text: str) -> None:
    kept = _wordpieces(reader, text)
    if kept >= full:
        raise CheckFailed(f"your truncated config keeps all {full} wordpieces of a long review: that is folding "
                          f"(max_length on the indexer and embedder); truncating is max_length on the tokenizer")
    if kept > positions:
        raise CheckFailed(f"your truncated config still hands the model {kept} wordpieces of a {full}-wordpiece "
                          f"review, more than the {positions} it can take: max_length on the tokenizer cuts")
    try:
        _probs(reader, model, text)
    except Exception as error:
        raise CheckFailed(f"your truncated config fails on a long review: {describe_error(error)}") from None


def _check_folded(reader: Any, model: Any, full: int, words: int) -> None:
    import torch

    kept = _wordpieces(reader, long_review(words))
    if kept < full:
        raise CheckFailed(f"your folded config reads {kept} of the {full} wordpieces of a long review: folding "
                          f"keeps them all, so leave the tokenizer's max_length out")
    try:
        probs = _probs(reader, model, long_review(words))
        changed_first = _probs(reader, model, long_review(words, first="awful"))
        changed_last = _probs(reader, model, long_review(words, last="great"))
    except Exception as error:
        raise CheckFailed(f"your folded config fails on a long review: {describe_error(error)}") from None
    if torch.allclose(probs, changed_first, atol=1e-7) or torch.allclose(probs, changed_last, atol=1e-7):
        raise CheckFailed("your folded config's prediction does not change when the first or the last word of a "
                          "long review changes: the model does not read the whole text")


def check_fold_or_truncate(namespace: Mapping[str, Any]) -> str:
    why = "only the tokenizer, the indexers and the embedder decide how a long text is read, keep the rest as in " \
          "transformer.jsonnet"
    _, _, configs = learner_experiment_configs(namespace, KINDS_3_1B, FREE_PARTS, why)
    for kind in KINDS_3_1B:
        name, positions = _limits(configs[kind])
        words = positions * 2  # well over the model's positions in wordpieces
        from swapnlp.data.tokenizers import PretrainedTransformerTokenizer

        full = len(PretrainedTransformerTokenizer(name).tokenize(long_review(words)))
        try:
            reader, model = build_parts(configs[kind])
        except Exception as error:
            raise CheckFailed(f"your {kind} config cannot be built: {describe_error(error)}") from None
        if kind == "truncated":
            _check_truncated(reader, model, full, positions, long_review(words))
        else:
            _check_folded(reader, model, full, words)
    return ("a review longer than the model reads: the truncated config hands it the part you chose, the folded "
            "one reads every wordpiece, in segments.")
