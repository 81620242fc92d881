"""The CUDA code paths on a real GPU: one GPU, bf16 autocast, archives and predictors on the GPU, NCCL, DDP.

Skipped where torch sees no GPU (CI, learners' laptops); run them where one is lent:
    pytest tests/training/test_cuda.py
test_distributed.py checks the same paths on CPU with fakes; these run them for real.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Dict

import pytest
import torch

from swapnlp.archive import load_archive
from swapnlp.common.params import Params
from swapnlp.predictors import Predictor
from swapnlp.training import distributed
from swapnlp.run.config import TrainingConfig
from swapnlp.run.train import train_model

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def _train(config: Dict[str, Any], folder: Path, cuda_device: int, autocast: bool = False) -> Any:
    config = copy.deepcopy(config)
    config["trainer"]["cuda_device"] = cuda_device
    if autocast:
        config["trainer"]["autocast"] = "bf16"
    model = train_model(Params(config), folder)
    return model, json.loads((folder / "metrics.json").read_text())


def test_one_gpu_trains_the_same_model_as_the_cpu(tiny_config, tmp_path):
    gpu_model, gpu_metrics = _train(tiny_config, tmp_path / "gpu", cuda_device=0)
    cpu_model, cpu_metrics = _train(tiny_config, tmp_path / "cpu", cuda_device=-1)
    assert {parameter.device.type for parameter in gpu_model.parameters()} == {"cuda"}
    for (name, on_gpu), on_cpu in zip(gpu_model.state_dict().items(), cpu_model.state_dict().values()):
        assert torch.allclose(on_gpu.cpu(), on_cpu, atol=1e-4), name  # same data order, same arithmetic
    assert gpu_metrics["test_accuracy"] == pytest.approx(cpu_metrics["test_accuracy"])


def test_bf16_autocast_on_the_gpu_learns_and_keeps_fp32_weights(tiny_config, tmp_path):
    model, metrics = _train(tiny_config, tmp_path / "bf16", cuda_device=0, autocast=True)
    assert {parameter.dtype for parameter in model.parameters()} == {torch.float32}
    assert metrics["best_validation_accuracy"] >= 0.75


def test_a_transformer_fine_tunes_on_the_gpu_with_bf16(tiny_config, tiny_bert, tmp_path):
    config = copy.deepcopy(tiny_config)
    config["dataset_reader"]["tokenizer"] = {"type": "pretrained_transformer", "model_name": tiny_bert}
    config["dataset_reader"]["token_indexers"] = {"bert": {"type": "pretrained_transformer", "model_name": tiny_bert}}
    config["model"]["embedder"] = {"token_embedders": {"bert": {"type": "pretrained_transformer",
                                                                "model_name": tiny_bert, "attention_dropout": 0.0}}}
    config["model"]["encoder"] = {"type": "mean_pooler", "model_name": tiny_bert}
    config["trainer"]["optimizer"] = {"type": "huggingface_adamw", "lr": 1e-3}
    model, metrics = _train(config, tmp_path / "bert", cuda_device=0, autocast=True)
    assert next(model.parameters()).is_cuda
    assert metrics["training_loss"] < 0.7  # below chance (ln 2 = 0.69): it learned something on the GPU


def test_an_archive_loads_and_predicts_on_the_gpu(tiny_config, tmp_path):
    _train(tiny_config, tmp_path / "run", cuda_device=-1)
    archive = load_archive(tmp_path / "run" / "model.tar.gz", cuda_device=0)
    assert next(archive.model.parameters()).is_cuda
    predictor = Predictor.from_archive(archive, "sentence_classifier")
    on_gpu = predictor.predict_json({"sentence": "the plot was great"})
    on_cpu = Predictor.from_path(tmp_path / "run" / "model.tar.gz", "sentence_classifier").predict_json(
        {"sentence": "the plot was great"})
    assert on_gpu["label"] == on_cpu["label"]
    assert on_gpu["probs"] == pytest.approx(on_cpu["probs"], abs=1e-5)


def test_a_worker_joins_an_nccl_group_on_its_gpu():
    import distributed_workers

    plan = distributed.plan_from_config({"cuda_devices": [0], "timeout_s": 120})
    assert plan.backend == "nccl"
    [result] = distributed.spawn_workers(distributed_workers.nccl_probe, (), plan)
    assert result == {"backend": "nccl", "device": "cuda:0", "shared": {"from": "rank 0"}, "total": [1.0, 1.0, 1.0]}


class _OneGpuTwoWorkers(distributed.DistributedPlan):
    """Two DDP workers sharing GPU 0. NCCL refuses two ranks on one GPU, so they talk through gloo (which
    moves CUDA tensors via the host): DistributedDataParallel on CUDA modules, checkable with one GPU."""

    backend = "gloo"  # type: ignore[assignment]


def test_two_ddp_workers_on_the_gpu_end_identical_and_equal_to_two_cpu_workers(tiny_config, tmp_path):
    import distributed_workers

    config = copy.deepcopy(tiny_config)
    config["data_loader"] = {"batch_size": 4, "shuffle": True, "seed": 3}
    params = Params(copy.deepcopy(config))
    training_config = TrainingConfig.from_params(params)
    training_config.build_vocabulary(training_config.build_data()).save_to_files(tmp_path / "vocabulary")
    arguments = (config, str(tmp_path / "vocabulary"), 2, True)
    on_gpu = distributed.spawn_workers(distributed_workers.train_shard, arguments + (0,),
                                       _OneGpuTwoWorkers([0, 0], timeout_s=120))
    on_cpu = distributed.spawn_workers(distributed_workers.train_shard, arguments + (-1,),
                                       distributed.plan_from_config({"cuda_devices": [-1, -1], "timeout_s": 120}))
    for name, value in on_gpu[0]["state"].items():
        assert torch.equal(value, on_gpu[1]["state"][name]), name  # DDP kept the two copies identical
        assert torch.allclose(value, on_cpu[0]["state"][name], atol=1e-4), name
    assert on_gpu[0]["history"][-1]["validation_accuracy"] == pytest.approx(
        on_cpu[0]["history"][-1]["validation_accuracy"])
