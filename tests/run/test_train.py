"""train_model: the `iterator` alias, --force / --recover rules, and what a run folder holds."""

from __future__ import annotations

import copy
import json

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.run.config import normalize_legacy_keys
from swapnlp.run.train import train_model, train_model_from_file


def short(config, epochs=1):
    config = copy.deepcopy(config)
    config["trainer"]["num_epochs"] = epochs
    return config


def train(config, folder, **flags):
    return train_model(Params(copy.deepcopy(config)), folder, **flags)


def test_a_run_folder_holds_config_vocabulary_metrics_and_archive(tiny_config, tmp_path):
    config = short(tiny_config, 2)
    train(config, tmp_path / "run")
    run = tmp_path / "run"
    assert json.loads((run / "config.json").read_text()) == config
    assert (run / "vocabulary" / "tokens.txt").exists() and (run / "vocabulary" / "labels.txt").exists()
    for name in ("metrics_epoch_0.json", "metrics_epoch_1.json", "metrics.json", "checkpoint.pt",
                 "best.safetensors", "model.tar.gz"):
        assert (run / name).exists(), name
    metrics = json.loads((run / "metrics.json").read_text())
    assert {"test_accuracy", "test_loss", "best_epoch", "best_validation_accuracy"} <= set(metrics)


def test_evaluate_on_test_false_skips_the_test_data(tiny_config, tmp_path):
    config = short(tiny_config)
    config["evaluate_on_test"] = False
    train(config, tmp_path / "run")
    assert "test_accuracy" not in json.loads((tmp_path / "run" / "metrics.json").read_text())


def test_iterator_alias_gives_a_one_line_notice_and_works(tiny_config, tmp_path, capsys):
    config = short(tiny_config)
    del config["data_loader"]
    config["iterator"] = {"type": "basic", "batch_size": 5}
    train(config, tmp_path / "run")
    out = capsys.readouterr().out
    notices = [line for line in out.splitlines() if "iterator" in line]
    assert len(notices) == 1
    assert notices[0].startswith("notice:") and "data_loader" in notices[0]
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert "iterator" not in saved
    assert saved["data_loader"]["batch_size"] == 5 and saved["data_loader"]["bucket"] is False
    assert (tmp_path / "run" / "model.tar.gz").exists()


def test_iterator_bucket_type_turns_bucketing_on():
    params = Params({"iterator": {"type": "bucket", "batch_size": 8, "sorting_keys": [["text", "num_tokens"]]}})
    normalize_legacy_keys(params)
    assert params.as_dict() == {"data_loader": {"batch_size": 8, "shuffle": True, "bucket": True}}


def test_no_iterator_no_change():
    params = Params({"data_loader": {"batch_size": 3}})
    normalize_legacy_keys(params)
    assert params.as_dict() == {"data_loader": {"batch_size": 3}}


def test_iterator_and_data_loader_together_is_an_error():
    with pytest.raises(ConfigurationError, match='both "iterator" and "data_loader"'):
        normalize_legacy_keys(Params({"iterator": {"batch_size": 2}, "data_loader": {"batch_size": 2}}))


def test_unknown_iterator_type_says_what_to_write():
    with pytest.raises(ConfigurationError, match='iterator.type "multiprocess" has no equivalent'):
        normalize_legacy_keys(Params({"iterator": {"type": "multiprocess"}}))


def test_existing_run_without_flags_is_an_error_naming_both_options(tiny_config, tmp_path):
    config = short(tiny_config)
    train(config, tmp_path / "run")
    before = (tmp_path / "run" / "model.tar.gz").stat().st_mtime_ns
    with pytest.raises(ConfigurationError) as error:
        train(config, tmp_path / "run")
    message = str(error.value)
    assert "already holds a run" in message and "--recover" in message and "--force" in message
    assert (tmp_path / "run" / "model.tar.gz").stat().st_mtime_ns == before  # untouched


def test_force_deletes_the_old_run(tiny_config, tmp_path):
    config = short(tiny_config)
    train(config, tmp_path / "run")
    (tmp_path / "run" / "stale.txt").write_text("from the old run")
    train(config, tmp_path / "run", force=True)
    assert not (tmp_path / "run" / "stale.txt").exists()
    assert (tmp_path / "run" / "model.tar.gz").exists()


def test_force_and_recover_together_is_an_error(tiny_config, tmp_path):
    with pytest.raises(ConfigurationError, match="not both"):
        train(short(tiny_config), tmp_path / "run", force=True, recover=True)


def test_recover_without_a_run_is_an_error(tiny_config, tmp_path):
    with pytest.raises(ConfigurationError) as error:
        train(short(tiny_config), tmp_path / "nothing", recover=True)
    message = str(error.value)
    assert "--recover" in message and str(tmp_path / "nothing") in message and "resume" in message


def test_recover_with_a_different_config_is_an_error(tiny_config, tmp_path):
    train(short(tiny_config), tmp_path / "run")
    changed = short(tiny_config)
    changed["trainer"]["optimizer"]["lr"] = 0.001
    with pytest.raises(ConfigurationError, match="the config differs"):
        train(changed, tmp_path / "run", recover=True)


def test_an_empty_existing_folder_is_fine(tiny_config, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    train(short(tiny_config), tmp_path / "run")
    assert (tmp_path / "run" / "notes.txt").exists() and (tmp_path / "run" / "model.tar.gz").exists()


def test_train_from_a_jsonnet_file_with_overrides(tiny_dataset, tmp_path):
    config_file = tmp_path / "config.jsonnet"
    config_file.write_text(f"""
        local dim = 8;
        {{
          dataset_reader: {{type: "classification-tsv"}},
          train_data_path: "{tiny_dataset.train}",
          validation_data_path: "{tiny_dataset.dev}",
          model: {{
            type: "simple_classifier",
            embedder: {{token_embedders: {{tokens: {{type: "embedding", embedding_dim: dim}}}}}},
            encoder: {{type: "bag_of_embeddings", embedding_dim: dim}},
          }},
          data_loader: {{batch_size: 4}},
          trainer: {{num_epochs: 5, optimizer: "adam", enable_progress_bar: false}},
        }}
    """)
    train_model_from_file(config_file, tmp_path / "run", overrides='{"trainer.num_epochs": 1}')
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["trainer"]["num_epochs"] == 1 and saved["trainer"]["optimizer"] == "adam"
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["epoch"] == 1


def test_the_same_seed_gives_the_same_model(tiny_config, tmp_path):
    import torch

    first = train(short(tiny_config), tmp_path / "a")
    second = train(short(tiny_config), tmp_path / "b")
    for (name, a), (_, b) in zip(first.state_dict().items(), second.state_dict().items()):
        assert torch.equal(a, b), name
