"""Exercises 2.1, 3.1, 3.1b, 3.3, 3.4, 3.5 and 3.6, checked in-process: at least three different correct answers pass and
named mistakes fail with a line that names the mistake (course_variants.py holds the answers)."""

from __future__ import annotations

import json
import shutil

import pytest

from course import checks
from course.checks import transformer_swap
from course_variants import (ALTERNATIVES_2_1, ALTERNATIVES_3_1B, ALTERNATIVES_3_3, ALTERNATIVES_3_4, ALTERNATIVES_3_5,
                             ALTERNATIVES_3_6, WRONG_2_1_ALL, WRONG_3_1B, WRONG_3_3, WRONG_3_4, WRONG_3_5, WRONG_3_6)
from course import builder, syllabus
from test_course_checks import ROOT, cleanup, filled, run_cells

# 3.1b and 3.3: the reference runs from the solution notebook (MiniLM); the other answers with a tiny BERT below
CASES = {"2.1": (ALTERNATIVES_2_1, WRONG_2_1_ALL), "3.1b": ({}, {}), "3.3": ({}, {}), "3.4": (ALTERNATIVES_3_4, WRONG_3_4),
         "3.5": (ALTERNATIVES_3_5, WRONG_3_5), "3.6": (ALTERNATIVES_3_6, WRONG_3_6)}


@pytest.mark.parametrize("exercise_id,name", [(e, n) for e, (alternatives, _) in CASES.items()
                                              for n in ["reference", *sorted(alternatives)]])
def test_correct_answers_pass(exercise_id, name):
    if name == "reference":  # the solution notebook itself (its region may hold a module's unindented text)
        notebook = builder.read_notebook(ROOT / syllabus.exercise(exercise_id).solution)
        for cell in notebook.cells:
            cell.source = builder.remove_markers(cell.source)
        namespace = run_cells(notebook)
    else:
        namespace = filled(exercise_id, CASES[exercise_id][0][name])
    with cleanup(namespace):
        passed, line = checks.run_check(exercise_id, namespace)
    assert passed, line


@pytest.mark.parametrize("exercise_id,name", [(e, n) for e, (_, wrong) in CASES.items() for n in sorted(wrong)])
def test_named_mistakes_fail_and_say_why(exercise_id, name):
    code, message = CASES[exercise_id][1][name]
    with cleanup(filled(exercise_id, code)) as namespace:
        passed, line = checks.run_check(exercise_id, namespace)
    assert not passed and message in line, line
    assert line.rstrip().endswith(f'Hint: course.hint("{exercise_id}")')


# ---- 3.1 with a tiny random BERT: the config is judged by what it swaps in, the run by its dev accuracy
BASELINE_3_1 = {
    "dataset_reader": {"type": "classification-tsv", "tokenizer": {"type": "whitespace"},
                       "token_indexers": {"tokens": {"type": "single_id"}}},
    "train_data_path": "train.tsv", "validation_data_path": "dev.tsv",
    "model": {"type": "simple_classifier",
              "embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 8}}},
              "encoder": {"type": "bag_of_embeddings", "embedding_dim": 8, "averaged": True}},
    "data_loader": {"batch_size": 8, "shuffle": True, "seed": 0},
    "trainer": {"optimizer": {"type": "adam", "lr": 0.01}, "num_epochs": 1, "validation_metric": "+accuracy",
                "enable_progress_bar": False},
}


def _swap(model: str, encoder: dict, trainer: dict, reader: str = "pretrained_transformer",
          other: dict = None) -> str:
    indexer = {"type": reader, **({"model_name": model} if reader != "single_id" else {})}
    parts = {"dataset_reader+": {"tokenizer": {"type": "pretrained_transformer", "model_name": model},
                                 "token_indexers": {"tokens": indexer}},
             "model+": {"embedder": {"token_embedders": {"tokens": {"type": "pretrained_transformer",
                                                                    "model_name": model}}},
                        "encoder": encoder},
             "trainer+": trainer, **(other or {})}
    body = ", ".join(f'"{key[:-1]}"+: {json.dumps(value)}' for key, value in parts.items())
    return f'local baseline = import "baseline.jsonnet"; baseline + {{{body}}}'


ALTERNATIVES_3_1 = {
    "cls pooler, AdamW with a schedule and two epochs": lambda m: _swap(
        m, {"type": "cls_pooler", "embedding_dim": 32},
        {"optimizer": {"type": "adamw", "lr": 5e-5}, "num_epochs": 2,
         "learning_rate_scheduler": {"type": "linear_with_warmup", "warmup_steps": 2}}),
    "bert pooler, huggingface AdamW": lambda m: _swap(m, {"type": "bert_pooler", "pretrained_model": m},
                                                      {"optimizer": {"type": "huggingface_adamw", "lr": 3e-5}}),
    "mean pooler, Adam and a bigger batch": lambda m: _swap(m, {"type": "mean_pooler", "pretrained_model": m},
                                                            {"optimizer": {"type": "adam", "lr": 1e-4}},
                                                            other={"data_loader+": {"batch_size": 16}}),
}
WRONG_3_1_TINY = {
    "the indexer left as single_id": (lambda m: _swap(m, {"type": "cls_pooler", "embedding_dim": 32},
                                                      {"optimizer": {"type": "adamw", "lr": 5e-5}},
                                                      reader="single_id"),
                                      "must be a pretrained_transformer indexer"),
    "fewer training examples": (lambda m: _swap(m, {"type": "cls_pooler", "embedding_dim": 32},
                                                {"optimizer": {"type": "adamw", "lr": 5e-5}},
                                                other={"dataset_reader+": {"max_instances": 8}}),
                                "you also changed dataset_reader.max_instances"),
    "the baseline's learning rate": (lambda m: _swap(m, {"type": "cls_pooler", "embedding_dim": 32},
                                                     {"optimizer": {"type": "adam", "lr": 0.01}}),
                                     "a learning rate of 0.01 is large for fine-tuning"),
}


def _namespace_3_1(tmp_path, config_text):
    from swapnlp.common import Params
    from swapnlp.run.train import train_model

    work = tmp_path / "work"
    work.mkdir()
    rows = [("a good film", "pos"), ("a bad film", "neg"), ("great fun", "pos"), ("dull and slow", "neg")] * 4
    for split in ("train", "dev"):
        (work / f"{split}.tsv").write_text("".join(f"{t}\t{l}\n" for t, l in rows))
    (work / "baseline.jsonnet").write_text(json.dumps(BASELINE_3_1))
    namespace = {"WORK_DIR": work, "experiment_config": lambda: config_text}
    config = transformer_swap.evaluate_config(config_text, work)
    import contextlib
    import os
    with contextlib.chdir(work):
        train_model(Params(json.loads(json.dumps(config))), work / "runs" / "experiment")
    metrics = json.loads((work / "runs" / "experiment" / "metrics.json").read_text())
    namespace["DEV_ACCURACY"] = metrics["best_validation_accuracy"]
    return namespace


@pytest.mark.parametrize("name", sorted(ALTERNATIVES_3_1))
def test_3_1_any_pooler_optimizer_schedule_and_epochs_pass(name, tiny_bert, tmp_path, monkeypatch):
    monkeypatch.setattr(transformer_swap, "TARGET_ACCURACY_3_1", 0.0)  # a random tiny BERT learns little
    passed, line = checks.run_check("3.1", _namespace_3_1(tmp_path, ALTERNATIVES_3_1[name](tiny_bert)))
    assert passed, line


@pytest.mark.parametrize("name", sorted(WRONG_3_1_TINY))
def test_3_1_named_mistakes_fail(name, tiny_bert, tmp_path, monkeypatch):
    monkeypatch.setattr(transformer_swap, "TARGET_ACCURACY_3_1", 1.01)  # only the structure may pass
    make, message = WRONG_3_1_TINY[name]
    try:
        namespace = _namespace_3_1(tmp_path, make(tiny_bert))
    except Exception:  # a config that does not train: the check judges it from the config alone
        namespace = {"WORK_DIR": tmp_path / "work", "experiment_config": lambda: make(tiny_bert)}
    passed, line = checks.run_check("3.1", namespace)
    assert not passed and message in line, line


# ---- 3.1b and 3.3 with a tiny random BERT (512 positions, 2 layers): judged by what the configs' models do
def _config_functions(code: str):
    scope: dict = {}
    body = "\n".join("    " + line for line in code.strip("\n").split("\n"))
    exec(f"def experiment_configs():\n{body}\n", scope)
    return scope["experiment_configs"]


def _transformer_jsonnet(model: str, embedder: dict) -> str:
    return json.dumps({
        "dataset_reader": {"type": "classification-tsv",
                           "tokenizer": {"type": "pretrained_transformer", "model_name": model},
                           "token_indexers": {"tokens": {"type": "pretrained_transformer", "model_name": model}}},
        "train_data_path": "train.tsv", "validation_data_path": "dev.tsv",
        "model": {"type": "simple_classifier",
                  "embedder": {"token_embedders": {"tokens": {"type": "pretrained_transformer", "model_name": model,
                                                              **embedder}}},
                  "encoder": {"type": "mean_pooler", "model_name": model}},
        "data_loader": {"batch_size": 8, "shuffle": True, "seed": 0},
        "trainer": {"optimizer": {"type": "huggingface_adamw", "lr": 5e-5}, "num_epochs": 1,
                    "validation_metric": "+accuracy", "enable_progress_bar": False},
    })


def _namespace_3_1b(tmp_path, model, code):
    work = tmp_path / "work"
    work.mkdir()
    (work / "transformer.jsonnet").write_text(_transformer_jsonnet(model, {"train_parameters": False}))
    return {"WORK_DIR": work, "experiment_configs": _config_functions(code)}


@pytest.mark.parametrize("name", sorted(ALTERNATIVES_3_1B))
def test_3_1b_any_truncation_and_segment_length_pass(name, tiny_bert, tmp_path):
    passed, line = checks.run_check("3.1b", _namespace_3_1b(tmp_path, tiny_bert, ALTERNATIVES_3_1B[name]))
    assert passed, line


@pytest.mark.parametrize("name", sorted(WRONG_3_1B))
def test_3_1b_named_mistakes_fail(name, tiny_bert, tmp_path):
    code, message = WRONG_3_1B[name]
    passed, line = checks.run_check("3.1b", _namespace_3_1b(tmp_path, tiny_bert, code))
    assert not passed and message in line, line
    assert line.rstrip().endswith('Hint: course.hint("3.1b")')


def _namespace_3_3(tmp_path, model, code):
    """The 3.3 notebook with a tiny BERT: both configs trained in WORK_DIR/runs/<kind>, RESULTS as the cell sets it."""
    import contextlib

    from swapnlp.common import Params
    from swapnlp.run.train import train_model

    work = tmp_path / "work"
    work.mkdir()
    rows = [("a good film", "pos"), ("a bad film", "neg"), ("great fun", "pos"), ("dull and boring", "neg")] * 4
    for split in ("train", "dev"):
        (work / f"{split}.tsv").write_text("".join(f"{t}\t{l}\n" for t, l in rows))
    (work / "transformer.jsonnet").write_text(_transformer_jsonnet(model, {"attention_dropout": 0.0}))
    function = _config_functions(code)
    results = {}
    for kind, text in function().items():
        config = transformer_swap.evaluate_config(text, work)
        with contextlib.chdir(work):
            train_model(Params(json.loads(json.dumps(config))), work / "runs" / kind)
        results[kind] = json.loads((work / "runs" / kind / "metrics.json").read_text())["best_validation_accuracy"]
    return {"WORK_DIR": work, "experiment_configs": function, "RESULTS": results}


@pytest.mark.parametrize("name", sorted(ALTERNATIVES_3_3))
def test_3_3_any_way_to_freeze_and_to_fine_tune_passes(name, tiny_bert, tmp_path):
    passed, line = checks.run_check("3.3", _namespace_3_3(tmp_path, tiny_bert, ALTERNATIVES_3_3[name]))
    assert passed, line


@pytest.mark.parametrize("name", sorted(WRONG_3_3))
def test_3_3_named_mistakes_fail(name, tiny_bert, tmp_path):
    code, message = WRONG_3_3[name]
    passed, line = checks.run_check("3.3", _namespace_3_3(tmp_path, tiny_bert, code))
    assert not passed and message in line, line
    assert line.rstrip().endswith('Hint: course.hint("3.3")')


def test_3_3_results_must_come_from_the_runs(tiny_bert, tmp_path):
    namespace = _namespace_3_3(tmp_path, tiny_bert, ALTERNATIVES_3_3["frozen; the top two layers with cached frozen ones"])
    passed, line = checks.run_check("3.3", dict(namespace, RESULTS=dict(namespace["RESULTS"], frozen=1.5)))
    assert not passed and 'RESULTS["frozen"] must be the best dev accuracy of your frozen run' in line, line
    shutil.rmtree(namespace["WORK_DIR"] / "runs" / "fine_tuned")
    passed, line = checks.run_check("3.3", namespace)
    assert not passed and "no finished training run of your fine_tuned config" in line, line
