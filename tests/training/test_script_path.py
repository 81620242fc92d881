"""The Python-script path: the parts composed by hand (examples/train_bag_of_embeddings.py) train exactly the
model the config builds: same seed -> identical initial and final weights, same dev accuracy."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import torch

from swapnlp.common.params import Params
from swapnlp.run.train import train_model

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("train_bag_of_embeddings",
                                                  ROOT / "examples" / "train_bag_of_embeddings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config_run(tiny_dataset, folder, epochs=3, seed=13):
    overrides = {"train_data_path": str(tiny_dataset.train), "validation_data_path": str(tiny_dataset.dev),
                 "test_data_path": None, "random_seed": seed,
                 "trainer": {"num_epochs": epochs, "enable_progress_bar": False}}
    params = Params.from_file(ROOT / "configs" / "bag_of_embeddings.jsonnet", overrides)
    model = train_model(params, folder)
    return model, json.loads((folder / "metrics.json").read_text())


def test_the_script_and_the_config_train_the_same_model(tiny_dataset, tmp_path):
    script = load_script()
    trainer = script.build_trainer(tiny_dataset.train, tiny_dataset.dev, tmp_path / "script", num_epochs=3,
                                   enable_progress_bar=False)
    initial = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    script_metrics = trainer.train()
    model, config_metrics = config_run(tiny_dataset, tmp_path / "config")

    assert trainer.model.vocab == model.vocab
    weights = model.state_dict()
    assert weights.keys() == trainer.model.state_dict().keys()
    for name, value in trainer.model.state_dict().items():
        assert torch.equal(value, weights[name]), name
    assert not all(torch.equal(initial[k], weights[k]) for k in initial)  # it did train
    assert script_metrics["best_validation_accuracy"] == config_metrics["best_validation_accuracy"]
    assert [h["training_loss"] for h in trainer.history] == [
        json.loads((tmp_path / "config" / f"metrics_epoch_{e}.json").read_text())["training_loss"] for e in range(3)]


def test_another_seed_gives_another_model(tiny_dataset, tmp_path):
    script = load_script()
    trainer = script.build_trainer(tiny_dataset.train, tiny_dataset.dev, num_epochs=1, seed=14,
                                   enable_progress_bar=False)
    trainer.train()
    model, _ = config_run(tiny_dataset, tmp_path / "config", epochs=1, seed=13)
    weights = model.state_dict()
    assert not torch.equal(trainer.model.state_dict()["classifier.weight"], weights["classifier.weight"])
