"""sentence_classifier: JSON in, label + probabilities out; bad requests raise InputError naming the field."""

from __future__ import annotations

import pytest
import torch

from swapnlp.common.errors import ConfigurationError, InputError
from swapnlp.predictors import Predictor, SentenceClassifierPredictor


@pytest.fixture(scope="module")
def predictor(trained_run):
    return Predictor.from_path(trained_run.archive)


def test_from_path_uses_the_models_default_predictor(predictor):
    assert isinstance(predictor, SentenceClassifierPredictor)
    assert not predictor.model.training


def test_predict_json_gives_a_label_and_probs_summing_to_one(predictor):
    result = predictor.predict_json({"sentence": "a good film"})
    assert set(result) == {"label", "probs"}
    assert set(result["probs"]) == {"pos", "neg"}
    assert sum(result["probs"].values()) == pytest.approx(1.0, abs=1e-6)
    assert all(isinstance(p, float) and 0.0 <= p <= 1.0 for p in result["probs"].values())
    assert result["label"] == max(result["probs"], key=result["probs"].get)


def test_predictions_match_the_model(predictor, trained_run):
    from swapnlp.data import ClassificationTsvReader
    from swapnlp.data.batch import batch_instances

    texts = ["good plot", "the acting was awful", "a story"]
    results = predictor.predict_batch_json([{"sentence": text} for text in texts])
    reader = ClassificationTsvReader()
    instances = [reader.text_to_instance(text) for text in texts]
    for instance in instances:
        instance.index_fields(trained_run.model.vocab)
    with torch.no_grad(), predictor.precision.autocast(torch.device("cpu")):  # the precision the predictor chose
        probs = trained_run.model(**batch_instances(instances))["probs"]
    labels = predictor.labels()
    for row, result in enumerate(results):
        assert [result["probs"][label] for label in labels] == pytest.approx(probs[row].tolist(), abs=1e-6)


def test_predict_is_predict_json(predictor):
    assert predictor.predict("fine film") == predictor.predict_json({"sentence": "fine film"})


def test_extra_fields_are_ignored(predictor):
    assert predictor.predict_json({"sentence": "good", "id": 7}) == predictor.predict_json({"sentence": "good"})


def test_unknown_words_are_fine(predictor):
    result = predictor.predict_json({"sentence": "zzqx blorf"})
    assert sum(result["probs"].values()) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("inputs, words", [
    ({"text": "a good film"}, ['missing field "sentence"']),
    ({}, ['missing field "sentence"']),
    ({"sentence": 3}, ['field "sentence" must be a string', "a number"]),
    ({"sentence": ["a", "list"]}, ['field "sentence" must be a string', "an array"]),
    ({"sentence": None}, ['field "sentence" must be a string']),
    ({"sentence": ""}, ['field "sentence" is empty']),
    ({"sentence": "   \n"}, ['field "sentence" is empty']),
])
def test_bad_inputs_raise_input_error_naming_the_field(predictor, inputs, words):
    with pytest.raises(InputError) as error:
        predictor.predict_json(inputs)
    assert error.value.field == "sentence"
    for word in words:
        assert word in str(error.value)


def test_a_non_object_input(predictor):
    with pytest.raises(InputError, match="expected a JSON object"):
        predictor.predict_json(["a good film"])


def test_one_bad_input_in_a_batch_fails_the_batch_before_predicting(predictor, monkeypatch):
    called = []
    monkeypatch.setattr(predictor.model, "forward_on_instances", lambda instances: called.append(1))
    with pytest.raises(InputError):
        predictor.predict_batch_json([{"sentence": "good"}, {"sentence": ""}])
    assert not called


def test_unknown_predictor_name(trained_run):
    from swapnlp.archive import load_archive

    with pytest.raises(ConfigurationError, match="is not a registered Predictor"):
        Predictor.from_archive(load_archive(trained_run.archive), "sentence_clasifier")


def test_the_predictor_runs_in_the_precision_it_was_given(trained_run, monkeypatch):
    seen = []
    original = torch.nn.functional.linear

    def spy(input, weight, bias=None):
        seen.append(torch.get_autocast_dtype("cpu") if torch.is_autocast_enabled("cpu") else None)
        return original(input, weight, bias)

    monkeypatch.setattr(torch.nn.functional, "linear", spy)
    Predictor.from_path(trained_run.archive, autocast="bf16").predict("a good film")
    Predictor.from_path(trained_run.archive, autocast="fp32").predict("a good film")
    assert seen == [torch.bfloat16, None]


def test_auto_precision_follows_the_cpu(trained_run, monkeypatch):
    monkeypatch.setenv("SWAPNLP_CPU_BF16", "0")
    assert Predictor.from_path(trained_run.archive).precision.name == "fp32"
    monkeypatch.setenv("SWAPNLP_CPU_BF16", "1")
    assert Predictor.from_path(trained_run.archive).precision.name == "bf16"
