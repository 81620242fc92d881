"""Helpers for test_distributed.py that spawned worker processes import by name (so they live in a module).

- `train_shard`: one worker of a hand-built distributed run that returns its final weights and history;
- `nccl_probe`: what a GPU worker sees of its process group (tests/training/test_cuda.py);
- `KillableClassifier` ("killable_classifier"): a SimpleClassifier whose rank-1 copy kills its own process
  with SIGKILL at the training batch named by $SWAPNLP_TEST_KILL_AT_BATCH (a worker dying mid-run).
"""

from __future__ import annotations

import copy
import os
import signal
from typing import Any, Dict

import torch

from swapnlp.common.params import Params
from swapnlp.data import Vocabulary
from swapnlp.models import Model, SimpleClassifier
from swapnlp.training import distributed
from swapnlp.nn.weights import snapshot
from swapnlp.run.config import TrainingConfig, seed_everything
from swapnlp.training.trainer import GradientDescentTrainer

KILL_AT_BATCH = "SWAPNLP_TEST_KILL_AT_BATCH"


def train_shard(rank: int, config: Dict[str, Any], vocabulary_dir: str, epochs: int, even: bool,
                cuda_device: int = -1) -> Dict[str, Any]:
    """Train this worker's shard of `config`'s data for `epochs` on `cuda_device` -> {"state", "history"}."""
    torch.set_num_threads(1)
    training_config = TrainingConfig.from_params(Params(copy.deepcopy(config)))
    data = training_config.build_data()
    data.train_loader.shard(rank, distributed.world_size(), even=even)
    data.validation_loader.shard(rank, distributed.world_size(), even=False)
    vocab = Vocabulary.from_files(vocabulary_dir)
    data.train_loader.index_with(vocab)
    data.validation_loader.index_with(vocab)
    seed_everything(0)
    model = training_config.model.construct(vocab=vocab)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    trainer = GradientDescentTrainer(model, data.train_loader, data.validation_loader, optimizer=optimizer,
                                     num_epochs=epochs, validation_metric="+accuracy", enable_progress_bar=False,
                                     cuda_device=cuda_device, autocast=config["trainer"].get("autocast", "auto"))
    trainer.train()
    return {"state": snapshot(model.state_dict()), "history": trainer.history}


def nccl_probe(rank: int) -> Dict[str, Any]:
    """What a GPU worker sees of its process group: backend, device, a broadcast object, an all-reduce."""
    device = torch.device("cuda", torch.cuda.current_device())
    shared = distributed.broadcast_object({"from": "rank 0"})
    total = torch.ones(3, device=device)
    torch.distributed.all_reduce(total)
    return {"backend": torch.distributed.get_backend(), "device": str(device), "shared": shared,
            "total": total.tolist()}


@Model.register("killable_classifier")
class KillableClassifier(SimpleClassifier):
    def forward(self, text: Any, label: Any = None) -> Dict[str, torch.Tensor]:  # type: ignore[override]
        kill_at = int(os.environ.get(KILL_AT_BATCH, "0"))
        if kill_at and self.training and distributed.rank() == 1:
            self.batches_seen = getattr(self, "batches_seen", 0) + 1
            if self.batches_seen == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        return super().forward(text, label)
