"""Behavioural checks of the learner's work: `check("1.2")` runs their objects and says what is wrong.

A check never compares text with the reference solution. It takes the learner's objects from the calling
notebook's globals (or from `namespace`), runs them on small inputs it makes itself and tests what they
DO: the fields an instance has, the shapes and values a model returns, whether padding changes a result,
whether the loss goes down, what dev accuracy a config reaches...

It prints exactly one line, the same line for every correct solution:

    ✅ Exercise 1.2 passed: <what works>
    ❌ Exercise 1.2: <what is wrong>. Hint: course.hint("1.2")

and returns True or False. Anything the learner's code prints or warns while it is checked is swallowed,
and an exception inside it (the NotImplementedError of an unfilled exercise, say) becomes the ❌ line:
that is what makes `pytest --nbval exercises/...` fail at the check cell, by a different output, until
the work is right. Passes are recorded in the progress file.
"""

from __future__ import annotations

import contextlib
import html.parser
import inspect
import io
import json
import math
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Mapping, Optional

from course import progress, syllabus

PASS_MARK = "✅"
FAIL_MARK = "❌"
TARGET_ACCURACY_2_1 = 0.90
EXPERIMENT_RUN = "runs/experiment"  # where the 2.1 notebook trains the learner's config, inside WORK_DIR


class CheckFailed(Exception):
    """What is wrong, in one sentence the learner can act on."""


def check(exercise_id: str, namespace: Optional[Mapping[str, Any]] = None) -> bool:
    """Check exercise `exercise_id` on the objects of the calling notebook (or of `namespace`)."""
    if namespace is None:
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        namespace = caller.f_globals if caller is not None else {}
        del frame, caller
    passed, message = run_check(exercise_id, namespace)
    print(message)
    return passed


def run_check(exercise_id: str, namespace: Mapping[str, Any]) -> "tuple[bool, str]":
    """(passed, the one line `check` prints); records the result in the progress file."""
    try:
        syllabus.exercise(exercise_id)
        function = CHECKS[exercise_id]
    except KeyError:
        known = ", ".join(e.id for e in syllabus.EXERCISES)
        return False, f"{FAIL_MARK} There is no exercise {exercise_id!r} (exercises: {known})."
    try:
        with _quiet():
            success = function(namespace)
        passed, line = True, f"{PASS_MARK} Exercise {exercise_id} passed: {_one_line(success)}"
    except CheckFailed as failure:
        passed, line = False, _failure_line(exercise_id, str(failure))
    except Exception as error:  # a bug met while checking: still one friendly line
        passed, line = False, _failure_line(exercise_id, f"the check could not run your code: {_describe(error)}")
    try:
        progress.record_check(exercise_id, passed)
    except OSError:
        pass  # a read-only data folder must not change what the check says
    return passed, line


def _failure_line(exercise_id: str, problem: str) -> str:
    problem = _one_line(problem).rstrip(".")
    return f'{FAIL_MARK} Exercise {exercise_id}: {problem}. Hint: course.hint("{exercise_id}")'


def _one_line(text: str, limit: int = 400) -> str:
    text = re.sub(r"\s+", " ", str(text)).strip()
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # object addresses change every run
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(error: BaseException) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Swallow prints and warnings of the checked code; keep torch's random state and threads as they were."""
    import torch

    threads = torch.get_num_threads()
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
            torch.random.fork_rng(devices=[]):
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        torch.set_num_threads(1)  # tiny models: one thread is fastest and the results reproducible
        try:
            yield
        finally:
            torch.set_num_threads(threads)


def _get(namespace: Mapping[str, Any], name: str, what: str) -> Any:
    if name not in namespace:
        raise CheckFailed(f"{name} is not defined: run the cell that defines {what} first")
    return namespace[name]


def _call(what: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run learner code; its exceptions become a CheckFailed that says where."""
    try:
        return function(*args, **kwargs)
    except CheckFailed:
        raise
    except NotImplementedError:
        raise CheckFailed(f"{what} is not written yet: it still raises NotImplementedError") from None
    except Exception as error:
        raise CheckFailed(f"{what} raised {_describe(error)}") from None


def _type_name(value: Any) -> str:
    return type(value).__name__


# ---------------------------------------------------------------------------------------------------
# 1.1: the reader's text_to_instance
# ---------------------------------------------------------------------------------------------------
def check_text_to_instance(namespace: Mapping[str, Any]) -> str:
    from swapnlp.data import (DatasetReader, Instance, LabelField, SingleIdTokenIndexer, TextField, Token,
                              Tokenizer, Vocabulary, batch_instances)

    reader_class = _get(namespace, "MovieReviewReader", "the MovieReviewReader class")
    if not (isinstance(reader_class, type) and issubclass(reader_class, DatasetReader)):
        raise CheckFailed("MovieReviewReader must be a class that subclasses DatasetReader")
    reader = _call("MovieReviewReader()", reader_class)
    text = "a gripping ,  well acted film"

    def build(what: str, *args: Any, using: Any = reader) -> Any:
        instance = _call(what, using.text_to_instance, *args)
        if not isinstance(instance, Instance):
            raise CheckFailed(f"{what} must return an Instance (Instance(fields)), not a {_type_name(instance)}")
        return instance

    def text_field_of(instance: Any, what: str) -> Any:
        field = instance.fields.get("text")
        if not isinstance(field, TextField):
            raise CheckFailed(f'the "text" field of {what} must be a TextField, not a {_type_name(field)}')
        if not all(isinstance(token, Token) for token in field.tokens):
            raise CheckFailed("the TextField must hold the Tokens that the reader's tokenizer returns "
                              "(self.tokenizer.tokenize(text)), not plain strings")
        return field

    # with a label
    instance = build('text_to_instance(text, "pos")', text, "pos")
    names = sorted(instance.fields)
    if names != ["label", "text"]:
        raise CheckFailed(f'with a label, the instance must have exactly the fields "text" and "label"; '
                          f"yours has {names}")
    field = text_field_of(instance, "the instance")
    expected = [token.text for token in reader.tokenizer.tokenize(text)]
    if [token.text for token in field.tokens] != expected:
        raise CheckFailed(f"the tokens of {text!r} should be {expected} (from self.tokenizer), "
                          f"got {[token.text for token in field.tokens]}")
    label = instance.fields["label"]
    if not isinstance(label, LabelField):
        raise CheckFailed(f'the "label" field must be a LabelField, not a {_type_name(label)}')
    if label.label != "pos":
        raise CheckFailed(f'the label field must hold the label it was given ("pos"), not {label.label!r}')
    if label.label_namespace != "labels":
        raise CheckFailed(f'the LabelField must use the default namespace "labels" (the model counts its '
                          f'labels there), not {label.label_namespace!r}')

    # without a label: prediction time
    for what, args in (("text_to_instance(text)", (text,)), ("text_to_instance(text, None)", (text, None))):
        instance = build(what, *args)
        if sorted(instance.fields) != ["text"]:
            raise CheckFailed(f'without a label (at prediction time), the instance must have only the "text" '
                              f"field; {what} gives {sorted(instance.fields)}")
        text_field_of(instance, what)

    # a config may swap the tokenizer and the indexers: the reader must use the ones it was given
    class PipeTokenizer(Tokenizer):
        def tokenize(self, text: str) -> list:
            return [Token(part.lower()) for part in text.split("|") if part]

    indexers = {"words": SingleIdTokenIndexer(namespace="words", lowercase_tokens=True)}
    swapped = _call("MovieReviewReader(tokenizer=..., token_indexers=...)", reader_class,
                    tokenizer=PipeTokenizer(), token_indexers=indexers)
    instance = build('text_to_instance("Great|FILM", "neg") with another tokenizer', "Great|FILM", "neg",
                     using=swapped)
    field = text_field_of(instance, "the instance")
    if [token.text for token in field.tokens] != ["great", "film"]:
        raise CheckFailed("with another tokenizer the tokens did not change: split the text with the reader's "
                          "tokenizer (self.tokenizer.tokenize(text)), not with str.split")
    if dict(field.token_indexers) != indexers:
        raise CheckFailed("with other token indexers the TextField kept different ones: give the TextField the "
                          "reader's token indexers (self.token_indexers)")
    label = instance.fields.get("label")
    if not isinstance(label, LabelField) or label.label != "neg":
        raise CheckFailed('text_to_instance("Great|FILM", "neg") must have a LabelField holding "neg"')

    # end to end: read a file, build the vocabulary, index, batch
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reviews.tsv"
        path.write_text("a moving film\tpos\nflat and dull\tneg\nthe best film of the year\tpos\n", "utf-8")
        instances = _call("reader.read(path)", reader.read, path)
    vocab = Vocabulary.from_instances(instances)
    for item in instances:
        item.index_fields(vocab)
    batch = _call("batching the instances", batch_instances, instances)
    ids = batch["text"]["tokens"]["tokens"]
    if tuple(ids.shape) != (3, 6) or tuple(batch["label"].shape) != (3,):
        raise CheckFailed(f"three read instances should batch to ids (3, 6) and labels (3,), got "
                          f"{tuple(ids.shape)} and {tuple(batch['label'].shape)}")
    if sorted(vocab.get_token_to_index_vocabulary("labels")) != ["neg", "pos"]:
        raise CheckFailed("the vocabulary built from the read instances should have the labels neg and pos")
    return "your reader turns a text, with or without its label, into the instance the model reads."


# ---------------------------------------------------------------------------------------------------
# 1.2: the classifier's forward
# ---------------------------------------------------------------------------------------------------
_TINY_DATA = [
    ("a great film", "pos"),
    ("a dull , dull and slow film", "neg"),
    ("the plot is fine but the acting is not", "mixed"),
    ("great", "pos"),
    ("awful acting and a dull plot", "neg"),
    ("fine", "mixed"),
]


def check_forward(namespace: Mapping[str, Any]) -> str:
    import torch

    from swapnlp.data import ClassificationTsvReader, Vocabulary, batch_instances
    from swapnlp.models import Model
    from swapnlp.modules import BagOfEmbeddingsEncoder, BasicTextFieldEmbedder, CnnEncoder, Embedding

    model_class = _get(namespace, "SentimentClassifier", "the SentimentClassifier class")
    if not (isinstance(model_class, type) and issubclass(model_class, Model)):
        raise CheckFailed("SentimentClassifier must be a class that subclasses Model")
    reader = ClassificationTsvReader()
    instances = [reader.text_to_instance(text, label) for text, label in _TINY_DATA]
    vocab = Vocabulary.from_instances(instances)
    for instance in instances:
        instance.index_fields(vocab)
    batch = batch_instances(instances)
    num_texts, num_labels = len(instances), vocab.get_vocab_size("labels")

    def make_model(encoder: Any) -> Any:
        embedder = BasicTextFieldEmbedder({"tokens": Embedding(embedding_dim=8, vocab=vocab)})
        return _call("SentimentClassifier(vocab, embedder, encoder)", model_class, vocab, embedder, encoder)

    def outputs(model: Any, what: str, **inputs: Any) -> Dict[str, Any]:
        result = _call(what, model, **inputs)
        if not isinstance(result, dict):
            raise CheckFailed(f"forward must return a dict, not a {_type_name(result)}")
        for key in ("logits", "probs"):
            value = result.get(key)
            if not isinstance(value, torch.Tensor):
                raise CheckFailed(f'forward must return "{key}" as a tensor; yours has keys {sorted(result)}')
            expected_shape = (inputs["text"]["tokens"]["tokens"].shape[0], num_labels)
            if tuple(value.shape) != expected_shape:
                raise CheckFailed(f'"{key}" must have one row per text and one column per label '
                                  f"{expected_shape}, got {tuple(value.shape)}")
        return result

    model = make_model(BagOfEmbeddingsEncoder(embedding_dim=8, averaged=True))
    model.eval()

    # without labels: prediction
    output = outputs(model, "forward(text) without labels", text=batch["text"])
    logits, probs = output["logits"], output["probs"]
    if output.get("loss") is not None:
        raise CheckFailed("without labels forward has nothing to compare with: return no \"loss\" then")
    if not torch.allclose(probs.sum(dim=-1), torch.ones(num_texts), atol=1e-4) or (probs < 0).any():
        raise CheckFailed("each row of \"probs\" must be a probability distribution over the labels "
                          "(non-negative, summing to 1): torch.softmax(logits, dim=-1)")
    if not torch.allclose(probs, torch.softmax(logits, dim=-1), atol=1e-5):
        raise CheckFailed("\"probs\" must be the softmax of the logits over the labels: torch.softmax(logits, dim=-1)")

    # padding must not change a text's result
    alone = batch_instances([instances[3]])  # "great": one token; in the batch it is padded to 9
    single = outputs(model, "forward on one text", text=alone["text"])
    if not torch.allclose(single["logits"][0], logits[3], atol=1e-5):
        raise CheckFailed("a text's logits change when it is padded in a batch with longer texts: compute "
                          "mask = get_text_field_mask(text) and pass it to the encoder, "
                          "self.encoder(embedded, mask)")

    # with labels: loss and accuracy
    model.get_metrics(reset=True)
    predicted = logits.argmax(dim=-1)
    gold = predicted.clone()
    gold[::2] = (predicted[::2] + 1) % num_labels  # exactly half of the predictions are right
    output = outputs(model, "forward(text, label)", text=batch["text"], label=gold)
    loss = output.get("loss")
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        raise CheckFailed("with labels forward must also return \"loss\", one number (a 0-dim tensor)")
    expected_loss = torch.nn.functional.cross_entropy(output["logits"], gold)
    if not torch.allclose(loss, expected_loss, atol=1e-5):
        if torch.allclose(loss, torch.nn.functional.cross_entropy(output["probs"], gold), atol=1e-5):
            raise CheckFailed("the loss is computed from the probs: cross_entropy takes the raw logits "
                              "(it applies the softmax itself)")
        raise CheckFailed(f"the loss should be the cross-entropy of the logits and the labels "
                          f"({expected_loss.item():.4f}), got {loss.item():.4f}")
    metrics = _call("get_metrics()", model.get_metrics, reset=True)
    accuracy = metrics.get("accuracy") if isinstance(metrics, dict) else None
    if accuracy is None or not math.isclose(float(accuracy), 0.5, abs_tol=1e-6):
        raise CheckFailed(f"after one batch where half of the predictions are right, get_metrics() should say "
                          f"accuracy 0.5, not {accuracy}: call self.accuracy(logits, label) in forward")

    # training: gradients reach the embedder and the loss goes down
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for step in range(25):
        optimizer.zero_grad()
        loss = outputs(model, "forward(text, label) while training", text=batch["text"],
                       label=batch["label"])["loss"]
        if not loss.requires_grad:
            raise CheckFailed("the loss has no gradient: do not use torch.no_grad() or .detach() in forward")
        loss.backward()
        if step == 0:
            grad = model.embedder.token_embedders["tokens"].weight.grad
            if grad is None or not bool(grad.abs().sum() > 0):
                raise CheckFailed("no gradient reaches the embedder: forward must use self.embedder(text)")
        optimizer.step()
        losses.append(loss.item())
    if not losses[-1] < 0.5 * losses[0]:
        raise CheckFailed(f"training on six texts should at least halve the loss, but it went from "
                          f"{losses[0]:.3f} to {losses[-1]:.3f}")

    # any encoder fits: the same forward with a CNN
    cnn_model = make_model(CnnEncoder(embedding_dim=8, num_filters=4, ngram_filter_sizes=(2, 3)))
    cnn_model.eval()
    outputs(cnn_model, "forward with a cnn encoder", text=batch["text"], label=batch["label"])
    return "your forward embeds, masks, encodes and classifies, and its loss, probs and accuracy are right."


# ---------------------------------------------------------------------------------------------------
# 2.1: swap the encoder in the config
# ---------------------------------------------------------------------------------------------------
def evaluate_config(text: str, work_dir: Path) -> Dict[str, Any]:
    """Evaluate Jsonnet text as if it were a file in `work_dir` (so `import "baseline.jsonnet"` works)."""
    from swapnlp.common import ConfigurationError, Params

    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonnet", prefix=".check-", dir=work_dir, delete=False,
                                         encoding="utf-8")
    try:
        with handle:
            handle.write(text)
        try:
            return Params.from_file(handle.name).as_dict()
        except ConfigurationError as error:
            detail = [line.strip() for line in str(error).splitlines()[1:] if line.strip()]
            raise CheckFailed("your config is not valid Jsonnet: " + (detail[0] if detail else str(error))
                              .replace(handle.name, "config")) from None
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _trained_accuracy(namespace: Mapping[str, Any], config: Dict[str, Any], work_dir: Path) -> float:
    """DEV_ACCURACY, once sure it is the best dev accuracy of a finished run of exactly `config`."""
    accuracy = namespace.get("DEV_ACCURACY")
    if accuracy is None:
        raise CheckFailed("DEV_ACCURACY is not set: run the training cell after writing your config")
    run_dir = work_dir / EXPERIMENT_RUN
    try:
        trained_config = json.loads((run_dir / "config.json").read_text("utf-8"))
        metrics = json.loads((run_dir / "metrics.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise CheckFailed("no finished training run of your config was found: run the training cell") from None
    if trained_config != config:
        raise CheckFailed("the last training run used another config than experiment_config() returns now: "
                          "run the training cell again")
    best = metrics.get("best_validation_accuracy")
    if not isinstance(accuracy, (int, float)) or best is None or not math.isclose(float(accuracy), best,
                                                                                   abs_tol=1e-9):
        raise CheckFailed("DEV_ACCURACY must be the best dev accuracy of your training run, as the training "
                          "cell sets it")
    return float(accuracy)


def check_swapped_encoder(namespace: Mapping[str, Any]) -> str:
    make_config = _get(namespace, "experiment_config", "experiment_config()")
    if not callable(make_config):
        raise CheckFailed("experiment_config must be the function that returns your config")
    work_dir = Path(_get(namespace, "WORK_DIR", "WORK_DIR (the setup cell)"))
    text = _call("experiment_config()", make_config)
    if not isinstance(text, str):
        raise CheckFailed(f"experiment_config() must return the config as Jsonnet text (a str), "
                          f"not a {_type_name(text)}")
    config = evaluate_config(text, work_dir)
    baseline = evaluate_config((work_dir / "baseline.jsonnet").read_text("utf-8"), work_dir)
    encoder = (config.get("model") or {}).get("encoder") or {}
    kind = encoder.get("type") if isinstance(encoder, dict) else None
    if kind == "bag_of_embeddings":
        raise CheckFailed("the encoder is still a bag_of_embeddings, which cannot see word order: "
                          "swap it for a cnn or an lstm")
    if kind not in ("cnn", "lstm"):
        raise CheckFailed(f'this exercise swaps the encoder for "cnn" or "lstm"; your model.encoder.type is {kind!r}')
    for key in ("dataset_reader", "train_data_path", "validation_data_path", "data_loader", "vocabulary"):
        if config.get(key) != baseline.get(key):
            raise CheckFailed(f'keep "{key}" as in the baseline: only the model (and the trainer) may change, so '
                              f"the two dev accuracies compare the encoders")
    accuracy = _trained_accuracy(namespace, config, work_dir)
    if accuracy < TARGET_ACCURACY_2_1:
        raise CheckFailed(f"your {kind} encoder reached a dev accuracy of {accuracy:.2f}, below the target "
                          f"{TARGET_ACCURACY_2_1:.2f}: train for more epochs or give it more capacity")
    return (f"the swapped encoder reads word order and beats the target dev accuracy of "
            f"{TARGET_ACCURACY_2_1:.2f}, with no change to the model's Python code.")


# ---------------------------------------------------------------------------------------------------
# 3.1: swap in a pretrained transformer
# ---------------------------------------------------------------------------------------------------
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

    make_config = _get(namespace, "experiment_config", "experiment_config()")
    work_dir = Path(_get(namespace, "WORK_DIR", "WORK_DIR (the setup cell)"))
    text = _call("experiment_config()", make_config)
    if not isinstance(text, str):
        raise CheckFailed(f"experiment_config() must return the config as Jsonnet text, not a {_type_name(text)}")
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
    accuracy = _trained_accuracy(namespace, config, work_dir)
    if accuracy < TARGET_ACCURACY_3_1:
        raise CheckFailed(f"the pretrained model reached a dev accuracy of {accuracy:.2f}, below the target "
                          f"{TARGET_ACCURACY_3_1:.2f}: check the learning rate and train for another epoch")
    return (f"the pretrained transformer knows words the training data never showed it: dev accuracy at least "
            f"{TARGET_ACCURACY_3_1:.2f}, where a bag of embeddings guesses, with four config changes and no Python.")


# ---------------------------------------------------------------------------------------------------
# 3.3: several workers, the same effective batch
# ---------------------------------------------------------------------------------------------------
def _tiny_reviews(count: int, seed: int) -> str:
    """`count` made-up reviews as TSV lines: one sentiment word among filler words decides the label."""
    import random

    rng = random.Random(seed)
    lines = []
    for index in range(count):
        label = "pos" if index % 2 == 0 else "neg"
        words = [rng.choice(["the", "film", "plot", "was", "a", "cast", "story"]) for _ in range(rng.randint(1, 6))]
        words.insert(rng.randint(0, len(words)), rng.choice(["good", "great"] if label == "pos" else ["bad", "dull"]))
        lines.append(f"{' '.join(words)}\t{label}\n")
    return "".join(lines)


def _train_cli(config_file: Path, run_dir: Path, overrides: Any) -> None:
    """`swapnlp train` in a subprocess (its workers' output stays out of the notebook); a failure is a CheckFailed."""
    import os
    import subprocess
    import sys

    overrides_text = overrides if isinstance(overrides, str) else json.dumps(overrides)
    result = subprocess.run([sys.executable, "-m", "swapnlp", "train", str(config_file), "-s", str(run_dir),
                             "-o", overrides_text], capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, OMP_NUM_THREADS="1"))
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise CheckFailed(f"training with your overrides failed: {last}")


def check_distributed_overrides(namespace: Mapping[str, Any]) -> str:
    import copy

    import torch

    from swapnlp.common.errors import ConfigurationError
    from swapnlp.common.params import with_overrides
    from swapnlp.training.checkpointer import load_weights

    function = _get(namespace, "ddp_overrides", "the ddp_overrides function")
    if not callable(function):
        raise CheckFailed("ddp_overrides must be a function of (cuda_devices, effective_batch_size)")
    base = {"dataset_reader": {"type": "classification-tsv"}, "train_data_path": "train.tsv",
            "validation_data_path": "dev.tsv",
            "model": {"type": "simple_classifier",
                      "embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 8}}},
                      "encoder": {"type": "bag_of_embeddings", "embedding_dim": 8, "averaged": True}},
            "data_loader": {"batch_size": 16, "shuffle": False},
            "trainer": {"optimizer": {"type": "adam", "lr": 0.05}, "num_epochs": 2, "validation_metric": "-loss",
                        "enable_progress_bar": False},
            "random_seed": 5}
    for devices, effective in (([-1, -1], 16), ([0, 1, 2, 3], 64), ([1, 3], 48), ([-1], 8)):
        what = f"ddp_overrides({devices}, {effective})"
        overrides = _call(what, function, list(devices), effective)
        if not isinstance(overrides, (dict, str)):
            raise CheckFailed(f"{what} must return the overrides as a dict (like -o takes), not a "
                              f"{_type_name(overrides)}")
        try:
            config = with_overrides(copy.deepcopy(base), overrides)
        except ConfigurationError as error:
            raise CheckFailed(f"{what} gives overrides that cannot be applied: {error}") from None
        got = config.get("distributed", {}).get("cuda_devices") if isinstance(config.get("distributed"), dict) else None
        if got != devices:
            raise CheckFailed(f'{what}: the top-level "distributed": {{"cuda_devices": ...}} must list the devices '
                              f"you were given, one worker each; your config has {got!r}")
        if "cuda_device" in config.get("trainer", {}) or "cuda_devices" in config.get("trainer", {}):
            raise CheckFailed(f"{what} sets a device under trainer: leave the trainer alone, the distributed list "
                              f"gives each worker its device")
        batch = config.get("data_loader", {}).get("batch_size")
        if not isinstance(batch, int) or batch * len(devices) != effective:
            raise CheckFailed(f"{what}: with {len(devices)} worker(s) and data_loader.batch_size {batch!r}, one "
                              f"optimizer step sees {batch * len(devices) if isinstance(batch, int) else '?'} "
                              f"instances, not the effective batch of {effective}: batch_size counts per worker")
        changed = sorted(key for key in set(base) | set(config)
                         if key not in ("distributed", "data_loader") and config.get(key) != base.get(key))
        loader_rest = {k: v for k, v in config["data_loader"].items() if k != "batch_size"}
        if changed or loader_rest != {k: v for k, v in base["data_loader"].items() if k != "batch_size"}:
            raise CheckFailed(f"{what} changes more than the devices and the batch size "
                              f"({', '.join(changed) or 'data_loader'}): keep the rest of the experiment as it is")

    # Really train: two CPU workers with your overrides vs one process with the whole batch.
    with tempfile.TemporaryDirectory(prefix="swapnlp-check-3.3-") as folder:
        work = Path(folder)
        (work / "train.tsv").write_text(_tiny_reviews(32, 1), "utf-8")
        (work / "dev.tsv").write_text(_tiny_reviews(16, 2), "utf-8")
        config = dict(base, train_data_path=str(work / "train.tsv"), validation_data_path=str(work / "dev.tsv"))
        config_file = work / "config.json"
        config_file.write_text(json.dumps(config), "utf-8")
        _train_cli(config_file, work / "one", {})
        _train_cli(config_file, work / "two", function([-1, -1], 16))
        one, two = load_weights(work / "one" / "best.safetensors"), load_weights(work / "two" / "best.safetensors")
        metrics = json.loads((work / "two" / "metrics.json").read_text("utf-8"))
    if metrics.get("epoch") != 2 or not all(torch.allclose(one[name], two[name], atol=1e-5) for name in one):
        raise CheckFailed("two CPU workers with your overrides did not end with the weights of one process that "
                          "sees the same 16 reviews per step: check the batch size per worker")
    return ("one worker per device, the same effective batch: two CPU workers end with exactly the weights of one "
            "process, which is what DDP promises on GPUs too.")


# ---------------------------------------------------------------------------------------------------
# 3.4: fix a broken config with dry-run
# ---------------------------------------------------------------------------------------------------
def check_fixed_config(namespace: Mapping[str, Any]) -> str:
    from swapnlp.common import ConfigurationError, Params
    from swapnlp.training.dry_run import dry_run

    make_config = _get(namespace, "fixed_config", "fixed_config()")
    if not callable(make_config):
        raise CheckFailed("fixed_config must be the function that returns your repaired config")
    work_dir = Path(_get(namespace, "WORK_DIR", "WORK_DIR (the setup cell)"))
    text = _call("fixed_config()", make_config)
    if not isinstance(text, str):
        raise CheckFailed(f"fixed_config() must return the config as Jsonnet text (a str), not a {_type_name(text)}")
    config = evaluate_config(text, work_dir)
    broken = evaluate_config((work_dir / "broken.jsonnet").read_text("utf-8"), work_dir)
    for key in ("dataset_reader", "train_data_path", "validation_data_path", "data_loader"):
        if config.get(key) != broken.get(key):
            raise CheckFailed(f'keep "{key}" as it was: the data was not the problem')
    encoder = (config.get("model") or {}).get("encoder") or {}
    if not isinstance(encoder, dict) or encoder.get("type") != "bag_of_embeddings":
        raise CheckFailed("keep the bag_of_embeddings encoder: repair the config, do not swap the model")
    metric = (config.get("trainer") or {}).get("validation_metric")
    try:
        with contextlib.chdir(work_dir):
            report = dry_run(Params(config), num_batches=2)
    except ConfigurationError as error:
        raise CheckFailed(f"the dry run still fails: {error}") from None
    if metric != "+accuracy":
        raise CheckFailed(f'the experiment picks its best epoch by accuracy, higher is better: '
                          f'trainer.validation_metric should be "+accuracy", not {metric!r}')
    if not all(step["parameters_updated"] for step in report["batches"]):
        raise CheckFailed("the dry run's optimizer steps changed no weights: keep the learning rate as it was")
    return "your config builds, its shapes fit and its validation metric exists: the dry run passes."


# ---------------------------------------------------------------------------------------------------
# 3.5: write a search space and run a small tune
# ---------------------------------------------------------------------------------------------------
TUNED_VARIABLES_3_5 = ("lr", "embedding_dim")


def check_search_space(namespace: Mapping[str, Any]) -> str:
    from swapnlp.common import ConfigurationError
    from swapnlp.tuning.search_space import SearchSpace
    from swapnlp.tuning.tuner import tune

    make_space = _get(namespace, "search_space", "search_space()")
    if not callable(make_space):
        raise CheckFailed("search_space must be the function that returns your search space")
    work_dir = Path(_get(namespace, "WORK_DIR", "WORK_DIR (the setup cell)"))
    space = _call("search_space()", make_space)
    if not isinstance(space, dict):
        raise CheckFailed(f"search_space() must return a dict (the JSON a --search file holds), not a "
                          f"{_type_name(space)}")
    try:
        checked = SearchSpace(space)
    except ConfigurationError as error:
        raise CheckFailed(str(error)) from None
    missing = [name for name in TUNED_VARIABLES_3_5 if name not in space]
    if missing:
        raise CheckFailed(f'the config reads std.extVar("{missing[0]}"), so the search space must declare "{missing[0]}"')
    extra = sorted(set(space) - set(TUNED_VARIABLES_3_5))
    if extra:
        raise CheckFailed(f'the config never reads "{extra[0]}": declare only lr and embedding_dim')
    lr = checked.variables["lr"]
    if lr["type"] != "loguniform":
        raise CheckFailed(f'a learning rate is searched over orders of magnitude: make "lr" a "loguniform", not a '
                          f'"{lr["type"]}" (uniform draws would nearly all land in the top decade)')
    if not (1e-5 <= lr["low"] and lr["high"] <= 1.0 and lr["high"] >= 10 * lr["low"]):
        raise CheckFailed(f'"lr" from {lr["low"]} to {lr["high"]}: search at least one order of magnitude, within '
                          f"0.00001 to 1")
    dim = checked.variables["embedding_dim"]
    values = dim["choices"] if dim["type"] == "choice" else [dim["low"], dim["high"]]
    if dim["type"] not in ("choice", "int") or not all(isinstance(v, int) and not isinstance(v, bool) and
                                                       2 <= v <= 256 for v in values):
        raise CheckFailed("embedding_dim is a whole number of dimensions: a \"choice\" of integers or an \"int\" "
                          "range, between 2 and 256")
    if len(set(values)) < 2:
        raise CheckFailed("embedding_dim has a single value: give the search at least two to choose from")

    # A tiny tune of our own, on a slice of the exercise's data: every trial trains with values from the space.
    with tempfile.TemporaryDirectory(prefix=".check-3.5-", dir=work_dir) as folder:
        report = tune(work_dir / "tunable.jsonnet", space, trials=2, serialization_dir=folder, seed=0, quiet=True,
                      overrides={"dataset_reader": {"max_instances": 60}, "trainer": {"num_epochs": 2}})
        trials = report["trial_results"]
        for trial in trials:
            if trial["state"] not in ("complete", "pruned"):
                raise CheckFailed(f"a trial with {trial['params']} did not finish ({trial['state']})")
            trained = json.loads((Path(trial["serialization_dir"]) / "config.json").read_text("utf-8"))
            embedder = trained["model"]["embedder"]["token_embedders"]["tokens"]
            if (trained["trainer"]["optimizer"]["lr"], embedder["embedding_dim"]) != (
                    trial["params"]["lr"], trial["params"]["embedding_dim"]):
                raise CheckFailed("a trial's config did not get the values drawn from your space")
    if len(trials) != 2 or "best" not in report:
        raise CheckFailed("the small tune with your search space did not complete its trials")
    learner_report = namespace.get("REPORT")
    if not isinstance(learner_report, dict) or "best" not in learner_report:
        raise CheckFailed("REPORT is not set: run the tuning cell after writing your search space")
    return "your search space is valid and sensible, and tuning with it trains one model per trial."



# ---------------------------------------------------------------------------------------------------
# 3.6: let the configuration wizard write a config that trains
# ---------------------------------------------------------------------------------------------------
TARGET_ACCURACY_3_6 = 0.85
MAX_EPOCHS_3_6 = 15


def negation_reviews(count: int, seed: int) -> "list[tuple[str, str]]":
    """Made-up short reviews whose label depends on word order: "not" flips the adjective after it."""
    import random

    rng = random.Random(seed)
    reviews = []
    for _ in range(count):
        positive, negated = rng.random() < 0.5, rng.random() < 0.5
        words = [rng.choice(["the film", "this movie", "the plot", "the cast", "the ending"]),
                 rng.choice(["was", "is", "felt", "seemed"]), "not" if negated else "",
                 rng.choice(["good", "great", "superb", "funny"] if positive else ["bad", "dull", "awful", "weak"]),
                 rng.choice(["", "overall", "to me", "in the end", "at times"])]
        reviews.append((" ".join(word for word in words if word), "pos" if positive != negated else "neg"))
    return reviews


def check_wizard_config(namespace: Mapping[str, Any]) -> str:
    """Run the learner's `configure(wizard)` on a fresh wizard over the check's own data, write the config
    the wizard makes, train it, and require a dev accuracy of TARGET_ACCURACY_3_6."""
    from swapnlp.common.params import Params
    from swapnlp.configure.widgets import ConfigWizard
    from swapnlp.training.pipeline import train_model_from_file

    configure = _get(namespace, "configure", "configure(wizard)")
    if not callable(configure):
        raise CheckFailed("configure must be the function that makes your choices on the wizard")
    with tempfile.TemporaryDirectory(prefix="swapnlp-check-3.6-") as folder:
        work = Path(folder)
        for split, size, seed in (("train", 300, 36), ("dev", 100, 63)):
            reviews = negation_reviews(size, seed)
            (work / f"{split}.tsv").write_text("".join(f"{t}\t{label}\n" for t, label in reviews), "utf-8")
        wizard = ConfigWizard(output=work / "wizard.jsonnet", data_dir=str(work))
        wizard.unset("test_data_path")  # no test split here
        _call("configure(wizard)", configure, wizard)
        problems = wizard.problems()
        if problems:
            where, what = next(iter(problems.items()))
            raise CheckFailed(f"the wizard shows a problem at {where or 'the top level'}: {what}")
        config = wizard.to_config()
        encoder = config["model"]["encoder"]["type"]
        epochs = config["trainer"].get("num_epochs", 20)
        if epochs > MAX_EPOCHS_3_6:
            raise CheckFailed(f"trainer.num_epochs is {epochs}: keep it at most {MAX_EPOCHS_3_6}, the check trains "
                              f"your config itself")
        path = _call("wizard.write()", wizard.write)
        if Params.from_file(path).as_dict() != config:
            raise CheckFailed("the written file does not give back the wizard's config: write it with wizard.write()")
        with contextlib.chdir(work):
            _call("training the written config", train_model_from_file, path, work / "run",
                  {"trainer": {"enable_progress_bar": False}})
        metrics = json.loads((work / "run" / "metrics.json").read_text("utf-8"))
    accuracy = metrics["best_validation_accuracy"]
    if accuracy < TARGET_ACCURACY_3_6:
        why = (' A bag_of_embeddings averages the words and cannot see that "not" comes before "good": '
               "choose an encoder that reads word order") if encoder == "bag_of_embeddings" else (
               " Give it more epochs, filters or hidden units, or a larger learning rate")
        raise CheckFailed(f"the config your wizard wrote ({encoder} encoder) reached a dev accuracy of "
                          f"{accuracy:.2f} on the check's data, below the target {TARGET_ACCURACY_3_6:.2f}.{why}")
    return (f"the wizard wrote a config that builds, trains and reaches the target dev accuracy of "
            f"{TARGET_ACCURACY_3_6:.2f} on reviews where word order matters.")

# ---------------------------------------------------------------------------------------------------
# 3.2: serve the model with your own page (swapnlp serve --static-dir)
# ---------------------------------------------------------------------------------------------------
class _PageParser(html.parser.HTMLParser):
    """What a demo page is made of: its title, text boxes, buttons, linked files and inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.in_title, self.in_script = "", False, False
        self.inputs: Dict[str, str] = {}   # name or id -> tag
        self.buttons = 0
        self.assets: list = []             # (tag, url) of every file the page loads
        self.scripts: list = []            # inline script texts
        self.ids: set = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "title":
            self.in_title = True
        elif tag == "script":
            self.in_script = not attributes.get("src")
            if attributes.get("src"):
                self.assets.append(("script", attributes["src"]))
        elif tag == "link" and "stylesheet" in attributes.get("rel", "").lower() and attributes.get("href"):
            self.assets.append(("stylesheet", attributes["href"]))
        elif tag in ("img", "iframe", "audio", "video", "source") and attributes.get("src"):
            self.assets.append((tag, attributes["src"]))
        if tag == "textarea" or (tag == "input" and attributes.get("type", "text") in ("text", "search", "")):
            for key in ("name", "id"):
                if attributes.get(key):
                    self.inputs[attributes[key]] = tag
        if tag == "button" or (tag == "input" and attributes.get("type") == "submit"):
            self.buttons += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        if self.in_script:
            self.scripts.append(data)


def _http(url: str, body: Optional[dict] = None) -> "tuple[int, str]":
    """(status, text) of a GET, or of a POST of `body` as JSON."""
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def check_demo_page(namespace: Mapping[str, Any]) -> str:
    from swapnlp.serving.app import DEFAULT_TITLE, create_app_from_archive
    from swapnlp.serving.notebook import DemoServer

    page_dir = Path(_get(namespace, "PAGE_DIR", "PAGE_DIR (the cell that calls write_page)"))
    archive = Path(_get(namespace, "ARCHIVE", "ARCHIVE (the training cell)"))
    writer = namespace.get("write_page")
    if callable(writer) and not (page_dir / "index.html").exists():
        _call("write_page(PAGE_DIR)", writer, page_dir)  # says "not written yet" for the unfilled exercise
    if not (page_dir / "index.html").is_file():
        raise CheckFailed(f"there is no index.html in PAGE_DIR ({page_dir.name}/): write_page must write the page "
                          f"there, and run the cell that calls it")
    if not archive.exists():
        raise CheckFailed("ARCHIVE does not exist: run the training cell first")
    try:
        app = create_app_from_archive(archive, static_dir=page_dir)
    except Exception as error:
        raise CheckFailed(f"swapnlp serve --static-dir refused your folder: {_describe(error)}") from None
    server = DemoServer(app).start()
    try:
        base = server.url
        status, text = _http(base)
        if status != 200:
            raise CheckFailed(f"GET / answered {status} instead of your index.html")
        page = _PageParser()
        page.feed(text)
        schema = json.loads(_http(base + "api/schema")[1])
        title = page.title.strip()
        if not title or title == DEFAULT_TITLE:
            raise CheckFailed(f"give your page its own <title> (it is {title or 'missing'!r}): it is your demo")
        for kind, url in page.assets:
            if re.match(r"^(https?:)?//", url.strip(), re.IGNORECASE):
                raise CheckFailed(f"your page loads a {kind} from the internet ({url}): the demo must work offline, "
                                  f"so put that file in PAGE_DIR and link it by its file name")
        loaded = []
        for kind, url in page.assets:
            status, body = _http(base + url.strip().lstrip("/"))
            if status != 200:
                raise CheckFailed(f"your page links the {kind} {url!r}, but the server answers {status} for it: is "
                                  f"the file in PAGE_DIR, under exactly that name?")
            loaded.append((url, body))
        uses_builtin_script = any(url.strip().endswith("/_swapnlp/demo.js") for url, _ in loaded)
        for field in schema["fields"]:
            if field not in page.inputs and not (uses_builtin_script and "fields" in page.ids):
                raise CheckFailed(f'the page has no text box for the model\'s field "{field}": add '
                                  f'<textarea name="{field}"></textarea>')
        if not page.buttons:
            raise CheckFailed("the page has no button to click: add <button>Predict</button>")
        scripts = page.scripts + [body for url, body in loaded if url.strip().endswith(".js")]
        if not any("/predict" in script for script in scripts):
            raise CheckFailed("no script on the page sends the text to POST /predict: include "
                              "<script src=\"/_swapnlp/demo.js\"></script> or write your own fetch(\"/predict\", ...)")
        status, body = _http(base + "predict", {field: "a great , moving film" for field in schema["fields"]})
        if status != 200 or json.loads(body).get("label") not in schema["labels"]:
            raise CheckFailed(f"POST /predict through your server answered {status}: {body[:200]}")
    finally:
        server.stop()
    return "your page is served from your own folder, loads nothing from the internet, and gets its predictions from your model."


CHECKS: Dict[str, Callable[[Mapping[str, Any]], str]] = {
    "1.1": check_text_to_instance,
    "1.2": check_forward,
    "2.1": check_swapped_encoder,
    "3.1": check_pretrained_swap,
    "3.2": check_demo_page,
    "3.3": check_distributed_overrides,
    "3.6": check_wizard_config,
    "3.4": check_fixed_config,
    "3.5": check_search_space,
}
