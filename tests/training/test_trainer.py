"""The trainer: it learns, stops early, writes metrics and checkpoints, clips gradients, and resumes exactly."""

from __future__ import annotations

import copy
import json
from typing import List

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.data import ClassificationTsvReader, SimpleDataLoader, Vocabulary
from swapnlp.models import Model
from swapnlp.training import GradientDescentTrainer, Trainer
from swapnlp.nn.weights import load_weights
from swapnlp.training.checkpointer import Checkpointer
from swapnlp.training.optimizers import AdamOptimizer, SgdOptimizer
from swapnlp.run.train import train_model


def make_parts(tiny_dataset, tiny_config, batch_size=4):
    reader = ClassificationTsvReader()
    train = SimpleDataLoader(reader.read(tiny_dataset.train), batch_size=batch_size, shuffle=True, seed=1)
    dev = SimpleDataLoader(reader.read(tiny_dataset.dev), batch_size=batch_size)
    vocab = Vocabulary.from_instances(list(train.iter_instances()) + list(dev.iter_instances()))
    train.index_with(vocab)
    dev.index_with(vocab)
    torch.manual_seed(0)
    model = Model.from_params(Params(copy.deepcopy(tiny_config["model"]), "model."), vocab=vocab)
    return model, train, dev


def make_trainer(tiny_dataset, tiny_config, serialization_dir=None, batch_size=4, **options):
    model, train, dev = make_parts(tiny_dataset, tiny_config, batch_size)
    options.setdefault("enable_progress_bar", False)
    options.setdefault("optimizer", AdamOptimizer(list(model.named_parameters()), lr=0.05))
    return GradientDescentTrainer(model, train, dev, serialization_dir=serialization_dir, **options)


def frozen_optimizer(trainer_model):
    """lr 0 (torch's own SGD: swapnlp's optimizers refuse an lr that is not > 0): nothing ever changes."""
    return torch.optim.SGD(trainer_model.parameters(), lr=0.0)


def test_training_loss_decreases_and_accuracy_rises(tiny_dataset, tiny_config, tmp_path):
    trainer = make_trainer(tiny_dataset, tiny_config, num_epochs=3, validation_metric="+accuracy")
    metrics = trainer.train()
    history = trainer.history
    assert len(history) == 3
    losses = [epoch["training_loss"] for epoch in history]
    assert losses[0] > losses[1] > losses[2]
    assert history[-1]["training_accuracy"] > history[0]["training_accuracy"]
    assert metrics["best_validation_accuracy"] >= 0.8  # the signal words make the tiny data easy
    assert metrics["best_validation_accuracy"] == max(epoch["validation_accuracy"] for epoch in history)


def test_untrained_model_is_worse_than_the_trained_one(tiny_dataset, tiny_config):
    from swapnlp.training.evaluation import evaluate

    trainer = make_trainer(tiny_dataset, tiny_config, num_epochs=3)
    before = evaluate(trainer.model, trainer.validation_data_loader, enable_progress_bar=False)
    trainer.train()
    after = evaluate(trainer.model, trainer.validation_data_loader, enable_progress_bar=False)
    assert after["loss"] < before["loss"]
    assert after["accuracy"] > before["accuracy"] or before["accuracy"] == 1.0


def test_patience_stops_early(tiny_dataset, tiny_config, tmp_path, capsys):
    model, train, dev = make_parts(tiny_dataset, tiny_config)
    trainer = GradientDescentTrainer(model, train, dev, serialization_dir=tmp_path, optimizer=frozen_optimizer(model),
                                     num_epochs=6, patience=2, enable_progress_bar=False)
    metrics = trainer.train()  # lr 0: nothing improves after the first epoch
    assert metrics["epoch"] == 3 and metrics["best_epoch"] == 1
    assert len(trainer.history) == 3
    assert (tmp_path / "metrics_epoch_2.json").exists() and not (tmp_path / "metrics_epoch_3.json").exists()
    assert "stopping early" in capsys.readouterr().out


def test_without_patience_every_epoch_runs(tiny_dataset, tiny_config):
    model, train, dev = make_parts(tiny_dataset, tiny_config)
    trainer = GradientDescentTrainer(model, train, dev, optimizer=frozen_optimizer(model), num_epochs=3,
                                     enable_progress_bar=False)
    assert trainer.train()["epoch"] == 3


@pytest.mark.parametrize("metric", ["accuracy", "+", "", "*loss"])
def test_validation_metric_needs_a_sign(tiny_dataset, tiny_config, metric):
    with pytest.raises(ConfigurationError) as error:
        make_trainer(tiny_dataset, tiny_config, validation_metric=metric)
    message = str(error.value)
    assert "trainer.validation_metric" in message and '"+accuracy"' in message and '"-loss"' in message


def test_validation_metric_sign_error_from_a_config(tiny_dataset, tiny_config):
    model, train, dev = make_parts(tiny_dataset, tiny_config)
    with pytest.raises(ConfigurationError, match='must start with "\\+"'):
        Trainer.from_params({"validation_metric": "accuracy"}, model=model, data_loader=train)


def test_unknown_validation_metric_lists_the_available_ones(tiny_dataset, tiny_config):
    trainer = make_trainer(tiny_dataset, tiny_config, num_epochs=1, validation_metric="+f1")
    with pytest.raises(ConfigurationError) as error:
        trainer.train()
    message = str(error.value)
    assert '"f1" is not reported' in message and "accuracy" in message and "loss" in message


def test_patience_must_be_positive(tiny_dataset, tiny_config):
    with pytest.raises(ConfigurationError, match="patience must be at least 1, got 0"):
        make_trainer(tiny_dataset, tiny_config, patience=0)


def test_metrics_files_are_written(tiny_dataset, tiny_config, tmp_path):
    trainer = make_trainer(tiny_dataset, tiny_config, serialization_dir=tmp_path, num_epochs=3,
                           validation_metric="+accuracy")
    final = trainer.train()
    for epoch in range(3):
        saved = json.loads((tmp_path / f"metrics_epoch_{epoch}.json").read_text())
        assert saved["epoch"] == epoch
        assert {"training_loss", "training_accuracy", "validation_loss", "validation_accuracy"} <= set(saved)
        assert saved["training_loss"] == pytest.approx(trainer.history[epoch]["training_loss"])
    assert not (tmp_path / "metrics_epoch_3.json").exists()
    written = json.loads((tmp_path / "metrics.json").read_text())
    assert written == json.loads(json.dumps(final))
    assert written["epoch"] == 3
    best = written["best_epoch"]
    assert written["best_validation_accuracy"] == trainer.history[best - 1]["validation_accuracy"]
    assert written["training_loss"] == trainer.history[-1]["training_loss"]
    assert (tmp_path / "checkpoint.pt").exists() and (tmp_path / "best.safetensors").exists()


def test_without_validation_data_the_training_metric_is_tracked(tiny_dataset, tiny_config, tmp_path):
    model, train, _ = make_parts(tiny_dataset, tiny_config)
    trainer = GradientDescentTrainer(model, train, None, serialization_dir=tmp_path, num_epochs=2,
                                     validation_metric="-loss", enable_progress_bar=False)
    metrics = trainer.train()
    assert "validation_loss" not in metrics and metrics["best_epoch"] in (1, 2)


def test_the_best_epoch_weights_are_kept(tiny_dataset, tiny_config, tmp_path, monkeypatch):
    """Scripted epochs: validation accuracy 0.5, 0.9, 0.7 -> the weights after epoch 2 are returned."""
    model, train, dev = make_parts(tiny_dataset, tiny_config)
    trainer = GradientDescentTrainer(model, train, dev, serialization_dir=tmp_path, num_epochs=3,
                                     validation_metric="+accuracy", enable_progress_bar=False)
    scores = iter([0.5, 0.9, 0.7])
    bias = model.classifier.bias

    def scripted_epoch(loader, description):
        with torch.no_grad():
            bias.add_(1.0)  # "training" moves the weights by +1 per epoch
        return {"loss": 1.0, "accuracy": 0.0}

    def scripted_validation(*args, **kwargs):
        return {"loss": 1.0, "accuracy": next(scores)}

    with torch.no_grad():
        bias.zero_()
    start = bias.detach().clone()
    monkeypatch.setattr(trainer, "_run_epoch", scripted_epoch)
    monkeypatch.setattr("swapnlp.training.trainer.evaluation_pass", scripted_validation)
    metrics = trainer.train()
    assert metrics["best_epoch"] == 2 and metrics["best_validation_accuracy"] == 0.9
    assert torch.equal(model.classifier.bias.detach(), start + 2.0)
    assert torch.equal(load_weights(tmp_path / "best.safetensors")["classifier.bias"], start + 2.0)
    last = torch.load(tmp_path / "checkpoint.pt", weights_only=False)["model"]["classifier.bias"]
    assert torch.equal(last, start + 3.0)  # the checkpoint holds the last epoch, to resume from


def test_grad_norm_clips_the_update(tiny_dataset, tiny_config):
    def one_step_change(grad_norm):
        model, train, _ = make_parts(tiny_dataset, tiny_config, batch_size=1000)  # one batch = one step
        before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
        optimizer = SgdOptimizer(list(model.named_parameters()), lr=1.0)
        GradientDescentTrainer(model, train, None, optimizer=optimizer, num_epochs=1, grad_norm=grad_norm,
                               enable_progress_bar=False).train()
        after = torch.cat([p.detach().flatten() for p in model.parameters()])
        return (after - before).norm().item()

    limit = 0.01
    assert one_step_change(None) > limit  # unclipped, the gradient is larger than the limit ...
    assert one_step_change(limit) == pytest.approx(limit, rel=1e-3)  # ... so clipping makes the step exactly it


def test_gradient_accumulation_steps_less_often(tiny_dataset, tiny_config, monkeypatch):
    trainer = make_trainer(tiny_dataset, tiny_config, num_epochs=1, num_gradient_accumulation_steps=5)
    steps = []
    original = trainer.optimizer.step
    monkeypatch.setattr(trainer.optimizer, "step", lambda *a, **k: (steps.append(1), original(*a, **k))[1])
    trainer.train()
    batches = len(trainer.data_loader)  # 12 batches of 4
    assert len(steps) == -(-batches // 5)  # every 5th batch, and the last one


def test_learning_rate_scheduler_is_stepped_per_batch(tiny_dataset, tiny_config):
    from swapnlp.common.from_params import Lazy, construct_value
    from swapnlp.training import LearningRateScheduler

    lazy = construct_value(Lazy[LearningRateScheduler], {"type": "linear_with_warmup", "warmup_steps": 2},
                           "trainer.learning_rate_scheduler", {})
    trainer = make_trainer(tiny_dataset, tiny_config, num_epochs=2, learning_rate_scheduler=lazy)
    trainer.train()
    assert trainer.scheduler.last_epoch == 2 * len(trainer.data_loader)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)  # decayed to 0 at the end


# -- resuming --------------------------------------------------------------------------------------
class Interrupted(Exception):
    pass


@pytest.fixture
def resume_config(tiny_config):
    """Everything that has state between epochs: shuffling, bucketing, dropout, Adam, a scheduler."""
    config = copy.deepcopy(tiny_config)
    config["model"]["dropout"] = 0.3
    config["data_loader"] = {"batch_size": 4, "shuffle": True, "bucket": True}
    config["trainer"]["learning_rate_scheduler"] = {"type": "linear_with_warmup", "warmup_steps": 3}
    config["trainer"]["num_epochs"] = 3
    return config


def state_of(model):
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def assert_same_weights(first, second):
    assert first.keys() == second.keys()
    for name in first:
        assert torch.equal(first[name], second[name]), name


def test_an_interrupted_run_resumes_to_the_same_weights(resume_config, tmp_path, monkeypatch):
    straight = train_model(Params(copy.deepcopy(resume_config)), tmp_path / "straight")
    straight_state = state_of(straight)

    original_save = Checkpointer.save_checkpoint

    def save_then_crash(self, state):
        original_save(self, state)
        if state["epoch"] == 1:
            raise Interrupted("the power went out after epoch 1")

    with monkeypatch.context() as patch:
        patch.setattr(Checkpointer, "save_checkpoint", save_then_crash)
        with pytest.raises(Interrupted):
            train_model(Params(copy.deepcopy(resume_config)), tmp_path / "resumed")
    assert json.loads((tmp_path / "resumed" / "metrics_epoch_0.json").read_text())["epoch"] == 0
    assert not (tmp_path / "resumed" / "metrics_epoch_1.json").exists()

    resumed = train_model(Params(copy.deepcopy(resume_config)), tmp_path / "resumed", recover=True)
    assert_same_weights(straight_state, state_of(resumed))  # the best epoch's weights
    last = [torch.load(tmp_path / run / "checkpoint.pt", weights_only=False) for run in ("straight", "resumed")]
    assert last[0]["epoch"] == last[1]["epoch"] == 3
    assert_same_weights(last[0]["model"], last[1]["model"])  # the last epoch's weights
    assert last[0]["optimizer"]["state"].keys() == last[1]["optimizer"]["state"].keys()
    for key, value in last[0]["optimizer"]["state"].items():
        assert torch.equal(value["exp_avg"], last[1]["optimizer"]["state"][key]["exp_avg"])

    def history(run):
        return [{k: v for k, v in epoch.items() if k != "epoch_duration_s"} for epoch in last[run]["history"]]

    assert history(0) == history(1)


def count_training_epochs(monkeypatch) -> List[str]:
    """From now on, the description of every training epoch a trainer runs (validation is not one)."""
    epochs_run: List[str] = []
    original = GradientDescentTrainer._run_epoch

    def counting(self, loader, description):
        epochs_run.append(description)
        return original(self, loader, description)

    monkeypatch.setattr(GradientDescentTrainer, "_run_epoch", counting)
    return epochs_run


def test_recovering_a_run_does_not_repeat_finished_epochs(tiny_config, tmp_path, monkeypatch):
    config = copy.deepcopy(tiny_config)
    config["trainer"]["num_epochs"] = 2
    train_model(Params(copy.deepcopy(config)), tmp_path / "run")
    epochs_run = count_training_epochs(monkeypatch)
    train_model(Params(copy.deepcopy(config)), tmp_path / "fresh")
    assert len(epochs_run) == 2  # the counter counts: a fresh run trains both epochs
    epochs_run.clear()
    train_model(Params(copy.deepcopy(config)), tmp_path / "run", recover=True)
    assert epochs_run == []  # everything was done already
    assert (tmp_path / "run" / "model.tar.gz").exists()


# -- atomic checkpoints -----------------------------------------------------------------------------
def test_a_failing_checkpoint_write_leaves_the_previous_checkpoint_intact(tiny_dataset, tiny_config, tmp_path,
                                                                          monkeypatch):
    trainer = make_trainer(tiny_dataset, tiny_config, serialization_dir=tmp_path, num_epochs=2)
    real_save = torch.save
    calls = []

    def save_half_then_fail(obj, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 1:
            return real_save(obj, path, *args, **kwargs)
        with open(path, "wb") as file:
            file.write(b"half a checkpoint")  # a write that dies midway
        raise OSError("No space left on device")

    monkeypatch.setattr(torch, "save", save_half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        trainer.train()
    assert len(calls) == 2
    monkeypatch.undo()
    checkpoint = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert checkpoint["epoch"] == 1  # the checkpoint after epoch 1, whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") or p.suffix == ".tmp") == []
    assert str(calls[1]) != str(tmp_path / "checkpoint.pt")  # it wrote to a temporary file, not the real one


def test_checkpointer_round_trip(tmp_path):
    checkpointer = Checkpointer(tmp_path)
    assert checkpointer.load_checkpoint() is None
    checkpointer.save_checkpoint({"epoch": 4, "w": torch.arange(3)})
    loaded = checkpointer.load_checkpoint()
    assert loaded["epoch"] == 4 and torch.equal(loaded["w"], torch.arange(3))
    checkpointer.save_best_weights({"a": torch.ones(2), "b": torch.zeros(1)})
    assert torch.equal(load_weights(checkpointer.best_weights_path())["a"], torch.ones(2))


def test_recovering_a_run_that_stopped_early_trains_no_more(tiny_config, tmp_path, monkeypatch):
    config = copy.deepcopy(tiny_config)
    config["trainer"].update({"optimizer": {"type": "sgd", "lr": 1e-12}, "num_epochs": 5, "patience": 1})
    train_model(Params(copy.deepcopy(config)), tmp_path / "run")  # nothing improves: stops after epoch 2
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["epoch"] == 2
    epochs_run = count_training_epochs(monkeypatch)
    train_model(Params(copy.deepcopy(config)), tmp_path / "run", recover=True)
    assert epochs_run == []
    assert not (tmp_path / "run" / "metrics_epoch_2.json").exists()


def spy_on_linear_layers(monkeypatch) -> list:
    """-> the list that receives the dtype of every linear layer's output from now on."""
    seen = []
    original = torch.nn.functional.linear

    def spy(input, weight, bias=None):
        out = original(input, weight, bias)
        seen.append(out.dtype)
        return out

    monkeypatch.setattr(torch.nn.functional, "linear", spy)
    return seen


def test_bf16_autocast_runs_matmuls_in_bf16_and_still_learns(tiny_dataset, tiny_config, monkeypatch):
    trainer = make_trainer(tiny_dataset, tiny_config, num_epochs=3, autocast="bf16")
    seen = spy_on_linear_layers(monkeypatch)
    metrics = trainer.train()
    assert torch.bfloat16 in seen  # the classifier's linear layer ran in bf16
    assert all(p.dtype == torch.float32 for p in trainer.model.parameters())  # the weights stay fp32
    losses = [epoch["training_loss"] for epoch in trainer.history]
    assert losses[-1] < losses[0]
    assert metrics["best_validation_loss"] == metrics["best_validation_loss"]  # not NaN


def test_autocast_accepts_only_known_precisions(tiny_dataset, tiny_config):
    config = {"type": "gradient_descent", "autocast": "fp8"}
    model, train, dev = make_parts(tiny_dataset, tiny_config)
    with pytest.raises(ConfigurationError, match="bf16"):
        Trainer.from_params(Params(config, "trainer."), model=model, data_loader=train)


def test_epoch_callbacks_see_every_epoch_and_can_stop_training(tiny_dataset, tiny_config, tmp_path):
    seen = []

    def record(trainer, metrics):
        seen.append((trainer.epoch, metrics["validation_accuracy"]))
        if trainer.epoch == 2:
            raise KeyboardInterrupt  # what a pruner does: stop the run from the callback

    trainer = make_trainer(tiny_dataset, tiny_config, num_epochs=5, epoch_callbacks=[record])
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    assert [epoch for epoch, _ in seen] == [1, 2]
    assert [accuracy for _, accuracy in seen] == [h["validation_accuracy"] for h in trainer.history]


def test_train_model_passes_epoch_callbacks_to_the_trainer(tiny_config, tmp_path):
    epochs = []
    train_model(Params(copy.deepcopy(tiny_config)), tmp_path / "run",
                epoch_callbacks=[lambda trainer, metrics: epochs.append(trainer.epoch)])
    assert epochs == [1, 2, 3]


@pytest.mark.parametrize("cpu_bf16, expected", [("1", torch.bfloat16), ("0", torch.float32)])
def test_auto_autocast_is_the_default_and_follows_the_cpu(tiny_dataset, tiny_config, monkeypatch, cpu_bf16, expected):
    monkeypatch.setenv("SWAPNLP_CPU_BF16", cpu_bf16)  # simulate a CPU with (1) or without (0) bf16 units
    trainer = make_trainer(tiny_dataset, tiny_config, num_epochs=1)  # no autocast given: "auto"
    assert trainer.precision.name == ("bf16" if cpu_bf16 == "1" else "fp32")
    seen = spy_on_linear_layers(monkeypatch)
    trainer.train()
    assert seen and set(seen) == {expected}
