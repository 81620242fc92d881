"""Distributed training on CPU (gloo): the same weights as one process, reduced metrics, uneven shards, a
killed worker, the CLI and torchrun; and the GPU code paths (NCCL, set_device, device_ids) with fakes.

No GPU is needed: every multi-process test runs two CPU processes. Guards against hangs are timeouts on the
process group (`timeout_s`) and on subprocesses, never asserted durations.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, List

import pytest
import torch

from swapnlp.common.errors import ConfigurationError, WorkerError
from swapnlp.common.params import Params
from swapnlp.common.ports import free_port
from swapnlp.data import DataLoader, Vocabulary, batch_instances
from swapnlp.models import Model
from swapnlp.training import distributed
from swapnlp.metrics import Average, CategoricalAccuracy
from swapnlp.run.config import TrainingConfig, seed_everything
from swapnlp.run.train import train_model
from swapnlp.training.trainer import GradientDescentTrainer

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
TWO_CPUS = {"cuda_devices": [-1, -1], "timeout_s": 60}


def _config(tiny_config: Dict[str, Any], shuffle: bool = True) -> Dict[str, Any]:
    config = copy.deepcopy(tiny_config)
    config["data_loader"] = {"batch_size": 4, "shuffle": shuffle, "seed": 3}
    config["trainer"]["autocast"] = "fp32"  # weights are compared to 1e-5: closer than bf16 rounding keeps them
    return config


class ZippedLoader(DataLoader):
    """One process's view of a distributed step: batch k of every shard, concatenated into one batch."""

    def __init__(self, shards: List[Any]) -> None:
        self.shards = shards

    def set_epoch(self, epoch: int) -> None:
        for shard in self.shards:
            shard.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.shards[0])

    def __iter__(self):
        for parts in zip(*(shard.batches_of_instances() for shard in self.shards)):
            yield batch_instances([instance for part in parts for instance in part])


def _one_process_over_global_batches(config: Dict[str, Any], vocab: Vocabulary, epochs: int) -> GradientDescentTrainer:
    shards, validation = [], None
    for rank in range(2):
        data = TrainingConfig.from_params(Params(copy.deepcopy(config))).build_data()
        data.train_loader.shard(rank, 2, even=True)
        data.train_loader.index_with(vocab)
        shards.append(data.train_loader)
        validation = data.validation_loader
    validation.index_with(vocab)
    params = Params(copy.deepcopy(config))
    seed_everything(0)
    model = Model.from_params(params.pop("model"), vocab=vocab)
    trainer = GradientDescentTrainer(model, ZippedLoader(shards), validation,
                                     optimizer=torch.optim.Adam(model.parameters(), lr=0.05), num_epochs=epochs, validation_metric="+accuracy", enable_progress_bar=False,
                                     autocast=config["trainer"]["autocast"])
    trainer.train()
    return trainer


def _vocabulary(config: Dict[str, Any], folder: Path) -> Vocabulary:
    training_config = TrainingConfig.from_params(Params(copy.deepcopy(config)))
    vocab = training_config.build_vocabulary(training_config.build_data())
    vocab.save_to_files(folder)
    return vocab


def test_two_gloo_workers_end_identical_and_equal_to_one_process_over_the_same_global_batches(tiny_config,
                                                                                              tmp_path):
    import distributed_workers

    config = _config(tiny_config)
    vocab = _vocabulary(config, tmp_path / "vocabulary")
    plan = distributed.plan_from_config(TWO_CPUS)
    results = distributed.spawn_workers(distributed_workers.train_shard,
                                        (config, str(tmp_path / "vocabulary"), 2, True), plan)
    first, second = results[0]["state"], results[1]["state"]
    assert set(first) == set(second)
    for name in first:  # the two copies never drift apart: bit-identical
        assert torch.equal(first[name], second[name]), name

    reference = _one_process_over_global_batches(config, vocab, epochs=2)
    initial = Model.from_params(Params(copy.deepcopy(config["model"])), vocab=vocab).state_dict()
    for name, value in reference.model.state_dict().items():
        assert torch.allclose(first[name], value, atol=1e-5), name
        assert not torch.allclose(initial[name], value), f"{name} did not train"  # the comparison means something
    # validation metrics are reduced across workers: each worker saw half the dev set, the numbers cover all of it
    for distributed_epoch, reference_epoch in zip(results[0]["history"], reference.history):
        for key in ("training_loss", "validation_loss", "validation_accuracy", "training_accuracy"):
            assert distributed_epoch[key] == pytest.approx(reference_epoch[key], abs=1e-5), key
    timeless = [[{k: v for k, v in epoch.items() if k != "epoch_duration_s"} for epoch in result["history"]]
                for result in results]
    assert timeless[0] == timeless[1]  # every worker reads the same, global numbers


def test_uneven_shards_finish_on_every_worker(tiny_config, tmp_path):
    import distributed_workers

    config = _config(tiny_config)
    lines = Path(config["train_data_path"]).read_text().splitlines()[:13]
    Path(config["train_data_path"]).write_text("\n".join(lines) + "\n")
    config["data_loader"]["batch_size"] = 6  # unpadded shards of 7 and 6 instances: 2 batches and 1 batch
    _vocabulary(config, tmp_path / "vocabulary")
    plan = distributed.plan_from_config({"cuda_devices": [-1, -1], "timeout_s": 30})
    results = distributed.spawn_workers(distributed_workers.train_shard,
                                        (config, str(tmp_path / "vocabulary"), 2, False), plan)
    for name, value in results[0]["state"].items():
        assert torch.equal(value, results[1]["state"][name]), name


def test_even_sharding_gives_every_worker_the_same_number_of_batches(tiny_config):
    config = _config(tiny_config)
    sizes, seen = [], []
    for rank in range(3):
        data = TrainingConfig.from_params(Params(copy.deepcopy(config))).build_data()
        total = len(data.train_loader.instances)
        data.train_loader.shard(rank, 3, even=True)
        sizes.append(len(data.train_loader.instances))
        seen += [id(instance) for instance in data.train_loader.instances]
    assert total == 48 and sizes == [16, 16, 16]
    validation_sizes = []
    for rank in range(5):  # 16 dev instances over 5 workers: each exactly once, nothing repeated
        data = TrainingConfig.from_params(Params(copy.deepcopy(config))).build_data()
        texts = [" ".join(t.text for t in i.fields["text"].tokens) for i in data.validation_loader.instances]
        data.validation_loader.shard(rank, 5, even=False)
        validation_sizes.append(len(data.validation_loader.instances))
    assert validation_sizes == [4, 3, 3, 3, 3] and sum(validation_sizes) == len(texts)


def test_the_pipeline_trains_with_two_cpu_workers_and_rank_0_writes_the_run(tiny_config, tmp_path, capfd):
    config = _config(tiny_config)
    config["distributed"] = TWO_CPUS
    model = train_model(Params(copy.deepcopy(config)), tmp_path / "run")
    out = capfd.readouterr().out
    assert sum(line.startswith("epoch 1/3") for line in out.splitlines()) == 1  # rank 0 alone reports
    run = tmp_path / "run"
    for name in ("config.json", "vocabulary", "checkpoint.pt", "best.safetensors", "model.tar.gz",
                 "metrics_epoch_2.json"):
        assert (run / name).exists(), name
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["epoch"] == 3 and 0.0 <= metrics["test_accuracy"] <= 1.0
    assert json.loads((run / "config.json").read_text())["distributed"] == TWO_CPUS
    assert isinstance(model, Model) and not model.training  # the archived best model comes back


def _cli(*args: str, env_extra: Dict[str, str] = {}, timeout: int = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(HERE), "OMP_NUM_THREADS": "1", **env_extra}
    return subprocess.run([sys.executable, "-m", "swapnlp.commands.main", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=str(HERE))


def test_a_killed_worker_fails_the_run_cleanly_and_recover_resumes_it(tiny_config, tmp_path):
    config = _config(tiny_config)
    config["model"]["type"] = "killable_classifier"
    config["distributed"] = TWO_CPUS
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    run = tmp_path / "run"
    # 6 batches per epoch and worker: worker 1 dies at its 15th batch, in epoch 3
    died = _cli("train", str(config_file), "-s", str(run), "--include-package", "distributed_workers",
                env_extra={"SWAPNLP_TEST_KILL_AT_BATCH": "15"})
    assert died.returncode == 2, died.stderr
    errors = [line for line in died.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "worker 1 was killed by signal SIGKILL" in errors[0], died.stderr
    assert "--recover" in errors[0] and "Traceback" not in died.stderr
    assert (run / "checkpoint.pt").exists() and not (run / "model.tar.gz").exists()

    resumed = _cli("train", str(config_file), "-s", str(run), "--include-package", "distributed_workers",
                   "--recover")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming from the checkpoint after epoch" in resumed.stdout
    assert json.loads((run / "metrics.json").read_text())["epoch"] == 3 and (run / "model.tar.gz").exists()


def _torchrun(config_file: Path, run: Path) -> subprocess.CompletedProcess:
    """`torchrun --standalone --nproc-per-node 2 -m swapnlp.commands.main train CONFIG -s RUN` (faulthandler on:
    a worker that aborts prints where its Python threads were)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONFAULTHANDLER": "1"}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                           "-m", "swapnlp.commands.main", "train", str(config_file), "-s", str(run)],
                          capture_output=True, text=True, timeout=240, env=env)


# Once in CI (and in none of ~80 runs here, alone or beside other work), a torchrun worker died of SIGABRT with
# only this line from C++, after rank 0 had reached the test-set pass. It comes from inside torch/gloo, not from
# Python code (pytorch/gloo#514 shows one such abort in gloo's TCP listener). One retry for that signature only,
# announced as a warning; any other failure, or the same abort twice, fails the test.
GLOO_ABORT = "terminate called without an active exception"


def test_the_same_config_runs_under_torchrun(tiny_config, tmp_path):
    config = _config(tiny_config)
    config["distributed"] = TWO_CPUS
    config["trainer"]["num_epochs"] = 2
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    run = tmp_path / "run"
    result = _torchrun(config_file, run)
    if result.returncode != 0 and GLOO_ABORT in result.stderr:
        warnings.warn(f"a torchrun worker aborted inside torch/gloo; running again once:\n{result.stderr[-4000:]}")
        run = tmp_path / "run-again"
        result = _torchrun(config_file, run)
    assert result.returncode == 0, result.stderr[-6000:]
    assert sum(line.startswith("epoch 1/2") for line in result.stdout.splitlines()) == 1
    assert result.stdout.count("model archived at") == 1
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["epoch"] == 2 and "test_accuracy" in metrics and (run / "model.tar.gz").exists()


# -- configuration errors: said before any worker starts ---------------------------------------------
@pytest.mark.parametrize("config, expected", [
    ({"cuda_devices": []}, "one device per worker"),
    ({"cuda_devices": 2}, "distributed.cuda_devices: expected a list"),
    ({"cuda_devices": [-1, -1], "backend": "gloo"}, 'unknown key "distributed.backend" for the top-level "distributed" config'),
])
def test_bad_distributed_configs_say_what_to_write(config, expected):
    with pytest.raises(ConfigurationError, match=expected.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        distributed.plan_from_config(config)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without a GPU")
def test_gpus_asked_for_where_there_are_none_name_what_was_found_and_the_cpu_alternative():
    with pytest.raises(ConfigurationError) as error:
        distributed.plan_from_config({"cuda_devices": [0, 1]})
    message = str(error.value)
    assert "distributed.cuda_devices[0]" in message and "no GPU is available" in message and "-1" in message


def test_mixed_and_repeated_gpus_are_refused(monkeypatch):
    monkeypatch.setattr(distributed, "resolve_device", lambda device, where: torch.device("cuda", device))
    with pytest.raises(ConfigurationError, match="mixes CPU"):
        distributed.plan_from_config({"cuda_devices": [0, -1]})
    with pytest.raises(ConfigurationError, match="names a GPU twice"):
        distributed.plan_from_config({"cuda_devices": [0, 0]})
    assert distributed.plan_from_config({"cuda_devices": [0, 1]}).backend == "nccl"
    assert distributed.plan_from_config({"cuda_devices": [-1, -1]}).backend == "gloo"


def test_trainer_cuda_device_and_distributed_together_is_an_error(tiny_config, tmp_path):
    config = _config(tiny_config)
    config["distributed"] = TWO_CPUS
    config["trainer"]["cuda_device"] = -1
    with pytest.raises(ConfigurationError, match="remove trainer.cuda_device"):
        train_model(Params(config), tmp_path / "run")


def test_under_torchrun_the_device_list_must_match_the_processes_per_machine(tiny_config, tmp_path, monkeypatch):
    for name, value in {"RANK": "0", "WORLD_SIZE": "4", "LOCAL_RANK": "0", "LOCAL_WORLD_SIZE": "2",
                        "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    assert distributed.torchrun_env() == {"rank": 0, "world_size": 4, "local_rank": 0, "local_world_size": 2}
    config = _config(tiny_config)
    config["distributed"] = {"cuda_devices": [-1, -1, -1]}
    with pytest.raises(ConfigurationError, match="--nproc-per-node 3"):
        train_model(Params(config), tmp_path / "run")


def test_torchrun_env_is_none_outside_torchrun(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert distributed.torchrun_env() is None


def test_a_free_port_can_be_listened_on():
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))  # raises if it were taken


# -- the GPU code paths, with fakes for torch.cuda and the process group ------------------------------
def test_a_gpu_worker_makes_its_gpu_current_before_joining_an_nccl_group(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, "set_device", lambda device: calls.append(("set_device", device)))
    monkeypatch.setattr(distributed.dist, "init_process_group",
                        lambda backend, **kwargs: calls.append(("init", backend, kwargs["rank"], kwargs["world_size"])))
    monkeypatch.setattr(distributed, "resolve_device", lambda device, where: torch.device("cuda", device))
    device = distributed.init_worker(1, 2, 3, "tcp://127.0.0.1:1234")
    assert calls == [("set_device", 3), ("init", "nccl", 1, 2)] and device == torch.device("cuda", 3)


def test_a_cpu_worker_joins_gloo_and_shares_the_cores(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, "set_device", lambda device: calls.append("set_device"))
    monkeypatch.setattr(distributed.dist, "init_process_group", lambda backend, **kwargs: calls.append(backend))
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    threads = torch.get_num_threads()
    try:
        assert distributed.init_worker(0, 4, -1, "tcp://127.0.0.1:1234", local_world_size=2) == torch.device("cpu")
        assert calls == ["gloo"] and torch.get_num_threads() == 4
    finally:
        torch.set_num_threads(threads)


def test_ddp_gets_the_workers_gpu_as_device_ids_and_none_on_cpu(monkeypatch):
    made = []
    monkeypatch.setattr(distributed, "is_distributed", lambda: True)
    monkeypatch.setattr(torch.nn.parallel, "DistributedDataParallel",
                        lambda model, device_ids, find_unused_parameters: made.append(device_ids) or model)
    model = torch.nn.Linear(2, 2)
    distributed.wrap_model(model, torch.device("cuda", 2))
    distributed.wrap_model(model, torch.device("cpu"))
    assert made == [[2], None]


def test_outside_a_distributed_run_the_helpers_change_nothing():
    model = torch.nn.Linear(2, 2)
    accuracy = CategoricalAccuracy()
    accuracy.set_counts([3.0, 4.0])
    distributed.all_reduce_metrics([accuracy], torch.device("cpu"))
    assert distributed.wrap_model(model, torch.device("cpu")) is model and accuracy.get_metric() == 0.75
    assert distributed.min_across_workers(5, torch.device("cpu")) == 5 and distributed.is_primary()
    assert distributed.broadcast_object({"a": 1}) == {"a": 1} and distributed.world_size() == 1


def test_find_metrics_finds_the_metrics_of_the_model_and_its_submodules():
    class Inner(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.loss = Average()

    class Outer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner, self.accuracy = Inner(), CategoricalAccuracy()

    outer = Outer()
    assert {id(m) for m in distributed.find_metrics(outer)} == {id(outer.accuracy), id(outer.inner.loss)}


def test_a_raising_worker_reports_its_error_in_one_line(tiny_config, tmp_path):
    config = _config(tiny_config)
    config["distributed"] = TWO_CPUS
    config["model"]["encoder"]["embedding_dim"] = 5  # the model's own check fails in every worker
    with pytest.raises(ConfigurationError, match="embedder gives 8-dim vectors"):
        train_model(Params(config), tmp_path / "run")
    assert WorkerError.__mro__[1] is RuntimeError


def test_a_single_device_list_is_an_ordinary_run_on_that_device(tiny_config, tmp_path):
    config = _config(tiny_config)
    config["distributed"] = {"cuda_devices": [-1]}
    config["trainer"]["num_epochs"] = 1
    train_model(Params(config), tmp_path / "run")
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["epoch"] == 1


def test_epoch_callbacks_that_cannot_reach_the_workers_are_refused(tiny_config, tmp_path):
    config = _config(tiny_config)
    config["distributed"] = TWO_CPUS
    with pytest.raises(ConfigurationError, match="epoch_callbacks must be functions defined in a module"):
        train_model(Params(config), tmp_path / "run", epoch_callbacks=[lambda trainer, metrics: None])
