"""Params: dotted key paths in errors, Jsonnet evaluation (locals, std.extVar) and --overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params, with_overrides


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the Params tree -------------------------------------------------------------------------------
def test_nested_values_remember_their_dotted_path():
    params = Params({"model": {"encoder": {"type": "cnn"}}})
    model = params.pop("model")
    encoder = model.pop("encoder")
    assert isinstance(encoder, Params)
    assert encoder.path("type") == "model.encoder.type"
    assert encoder.pop("type") == "cnn"
    assert "model" not in params


def test_missing_key_names_the_path_and_suggests_a_close_key():
    encoder = Params({"embeding_dim": 8}, history="model.encoder.")
    with pytest.raises(ConfigurationError) as error:
        encoder.pop("embedding_dim")
    message = str(error.value)
    assert '"model.encoder.embedding_dim"' in message
    assert 'Did you mean "embeding_dim"' in message
    assert "Keys present here: embeding_dim" in message


def test_pop_and_get_with_defaults():
    params = Params({"a": 1})
    assert params.pop("missing", None) is None
    assert params.get("missing", 5) == 5
    assert params.get("a") == 1
    assert params.pop("a") == 1
    assert len(params) == 0


def test_assert_empty_lists_unknown_keys_with_suggestion_and_accepted_parameters():
    params = Params({"averagd": True}, history="model.encoder.")
    with pytest.raises(ConfigurationError) as error:
        params.assert_empty("BagOfEmbeddingsEncoder", {"embedding_dim": "int", "averaged": "bool"})
    message = str(error.value)
    assert 'unknown key "model.encoder.averagd"' in message
    assert 'Did you mean "averaged"' in message
    assert "Accepted parameters: embedding_dim: int, averaged: bool" in message
    Params({}).assert_empty("nothing left")  # no error when every key was used


def test_as_dict_is_a_deep_plain_copy_and_duplicate_keeps_the_path():
    params = Params({"trainer": {"optimizer": {"lr": 0.1}}, "list": [{"x": 1}]}, history="top.")
    plain = params.as_dict()
    plain["trainer"]["optimizer"]["lr"] = 9
    assert params["trainer"]["optimizer"]["lr"] == 0.1
    assert type(plain["trainer"]) is dict
    copy = params.duplicate()
    assert copy.history == "top." and copy.as_dict() == params.as_dict() and copy is not params


def test_to_file_round_trips(tmp_path):
    params = Params({"a": {"b": [1, 2]}, "c": "x"})
    params.to_file(tmp_path / "config.json")
    assert Params.from_file(tmp_path / "config.json").as_dict() == params.as_dict()


# -- Jsonnet -----------------------------------------------------------------------------------------
def test_jsonnet_local_variables(tmp_path):
    path = write(tmp_path / "c.jsonnet", """
        local dim = 8;
        local data = "data/x/";
        {model: {embedding_dim: dim, encoder: {embedding_dim: dim * 2}}, train_data_path: data + "train.tsv"}
    """)
    config = Params.from_file(path).as_dict()
    assert config == {"model": {"embedding_dim": 8, "encoder": {"embedding_dim": 16}},
                      "train_data_path": "data/x/train.tsv"}


def test_std_extvar_reads_environment_variables(tmp_path, monkeypatch):
    path = write(tmp_path / "c.jsonnet",
                 '{model_name: std.extVar("SWAPNLP_TEST_MODEL"), dim: std.parseInt(std.extVar("SWAPNLP_TEST_DIM"))}')
    monkeypatch.setenv("SWAPNLP_TEST_MODEL", "bert-tiny")
    monkeypatch.setenv("SWAPNLP_TEST_DIM", "32")
    assert Params.from_file(path).as_dict() == {"model_name": "bert-tiny", "dim": 32}


def test_explicit_ext_vars_replace_the_environment(tmp_path, monkeypatch):
    path = write(tmp_path / "c.jsonnet", '{x: std.extVar("SWAPNLP_TEST_X")}')
    monkeypatch.setenv("SWAPNLP_TEST_X", "from-env")
    assert Params.from_file(path, ext_vars={"SWAPNLP_TEST_X": "given"})["x"] == "given"


def test_unset_extvar_is_a_clear_error(tmp_path, monkeypatch):
    path = write(tmp_path / "c.jsonnet", '{x: std.extVar("SWAPNLP_TEST_UNSET")}')
    monkeypatch.delenv("SWAPNLP_TEST_UNSET", raising=False)
    with pytest.raises(ConfigurationError) as error:
        Params.from_file(path)
    message = str(error.value)
    assert 'std.extVar("SWAPNLP_TEST_UNSET")' in message
    assert "environment variable SWAPNLP_TEST_UNSET is not set" in message
    assert str(path) in message


def test_jsonnet_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path / "broken.jsonnet", "{a: 1,, }")
    with pytest.raises(ConfigurationError, match="could not evaluate the Jsonnet config") as error:
        Params.from_file(path)
    assert "broken.jsonnet" in str(error.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigurationError, match="config file not found"):
        Params.from_file(tmp_path / "nope.jsonnet")


def test_config_must_be_an_object(tmp_path):
    with pytest.raises(ConfigurationError, match="must evaluate to an object"):
        Params.from_file(write(tmp_path / "list.jsonnet", "[1, 2]"))


# -- overrides ---------------------------------------------------------------------------------------
BASE = {"trainer": {"num_epochs": 20, "optimizer": {"type": "adam", "lr": 0.001}}, "model": {"type": "m"}}


def test_json_overrides_deep_merge(tmp_path):
    path = write(tmp_path / "c.json", json.dumps(BASE))
    config = Params.from_file(path, overrides='{"trainer": {"optimizer": {"lr": 0.1}}}').as_dict()
    assert config["trainer"] == {"num_epochs": 20, "optimizer": {"type": "adam", "lr": 0.1}}
    assert config["model"] == {"type": "m"}


def test_dotted_override_keys_address_nested_values(tmp_path):
    path = write(tmp_path / "c.json", json.dumps(BASE))
    config = Params.from_file(path, overrides='{"trainer.num_epochs": 2, "trainer.optimizer.lr": 0.5}').as_dict()
    assert config["trainer"] == {"num_epochs": 2, "optimizer": {"type": "adam", "lr": 0.5}}


def test_dotted_and_nested_override_keys_combine():
    merged = with_overrides(BASE, {"trainer.num_epochs": 3, "trainer": {"patience": 2}})
    assert merged["trainer"]["num_epochs"] == 3 and merged["trainer"]["patience"] == 2
    assert merged["trainer"]["optimizer"]["lr"] == 0.001
    assert BASE["trainer"]["num_epochs"] == 20  # the original is not modified


def test_override_can_add_new_keys_and_replace_non_dicts():
    merged = with_overrides({"a": 1, "b": {"c": 1}}, '{"a": {"x": 1}, "b.d": [1], "e": null}')
    assert merged == {"a": {"x": 1}, "b": {"c": 1, "d": [1]}, "e": None}


@pytest.mark.parametrize("overrides", ["", None, {}])
def test_empty_overrides_change_nothing(overrides):
    assert with_overrides(dict(BASE), overrides) == BASE


def test_invalid_json_overrides_error():
    with pytest.raises(ConfigurationError) as error:
        with_overrides(BASE, "{trainer: {num_epochs: 2}}")
    message = str(error.value)
    assert "--overrides must be a JSON object" in message
    assert '{"trainer": {"num_epochs": 2}}' in message  # shows a correct example


def test_non_object_json_overrides_error():
    with pytest.raises(ConfigurationError, match="--overrides must be a JSON object"):
        with_overrides(BASE, "[1, 2]")
