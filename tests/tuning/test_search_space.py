"""The search-space file: its four types, the values a trial draws, and errors that name the variable."""

from __future__ import annotations

import json

import optuna
import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.tuning.search_space import SearchSpace, as_ext_vars

SPACE = {
    "lr": {"type": "loguniform", "low": 0.0001, "high": 0.1},
    "dim": {"type": "int", "low": 8, "high": 64, "step": 8},
    "dropout": {"type": "uniform", "low": 0.0, "high": 0.5},
    "encoder": {"type": "choice", "choices": ["cnn", "lstm"]},
    "layers": {"type": "int", "low": 1, "high": 16, "log": True},
}


def test_suggested_values_respect_every_type():
    space = SearchSpace(SPACE)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(30):
        values = space.suggest(study.ask())
        assert 0.0001 <= values["lr"] <= 0.1
        assert values["dim"] in range(8, 65, 8)
        assert 0.0 <= values["dropout"] <= 0.5
        assert values["encoder"] in ("cnn", "lstm")
        assert isinstance(values["layers"], int) and 1 <= values["layers"] <= 16
    assert space.defaults() == {"lr": 0.0001, "dim": 8, "dropout": 0.0, "encoder": "cnn", "layers": 1}


def test_loguniform_draws_spread_over_orders_of_magnitude():
    space = SearchSpace({"lr": SPACE["lr"]})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    draws = [space.suggest(study.ask())["lr"] for _ in range(200)]
    below = sum(d < 0.001 for d in draws) / len(draws)
    assert 0.2 < below < 0.5  # log-uniform: a third below 1e-3; uniform would give ~1%


def test_ext_vars_are_json_text_that_jsonnet_can_parse():
    assert as_ext_vars({"lr": 0.003, "encoder": "cnn", "dim": 16, "flag": True}) == {
        "lr": "0.003", "encoder": '"cnn"', "dim": "16", "flag": "true"}


def test_from_file_and_its_errors(tmp_path):
    good = tmp_path / "space.json"
    good.write_text(json.dumps(SPACE))
    assert len(SearchSpace.from_file(good)) == 5
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"lr": {"type": "uniform",\n "low": 0.1 "high": 1}}')
    with pytest.raises(ConfigurationError, match=r"bad.json:2: not valid JSON"):
        SearchSpace.from_file(bad_json)
    with pytest.raises(ConfigurationError, match="search space file not found"):
        SearchSpace.from_file(tmp_path / "missing.json")


@pytest.mark.parametrize("spec, message", [
    ({"type": "loguniforn", "low": 1, "high": 2}, 'unknown type "loguniforn". Did you mean "loguniform"'),
    ({"low": 1, "high": 2}, 'must be an object with a "type"'),
    ({"type": "uniform", "low": 2, "high": 1}, r'"low" \(2\) must be below "high" \(1\)'),
    ({"type": "loguniform", "low": 0, "high": 1}, 'a log scale needs "low" > 0'),
    ({"type": "int", "low": 1.5, "high": 4}, '"low" must be an integer'),
    ({"type": "uniform", "low": 0, "hihg": 1}, 'unknown key "hihg" for type "uniform". Did you mean "high"'),
    ({"type": "choice", "choices": []}, '"choices" must be a non-empty list'),
    ({"type": "int", "low": 1, "high": 8, "step": 2, "log": True}, '"step" and "log" cannot be used together'),
])
def test_a_wrong_variable_is_named_with_the_fix(spec, message):
    with pytest.raises(ConfigurationError, match=f'the search space: "x".*{message}'):
        SearchSpace({"x": spec})


def test_an_empty_space_is_an_error():
    with pytest.raises(ConfigurationError, match="at least one variable"):
        SearchSpace({})
