"""Distributed training: several processes ("workers"), each with a copy of the model and a shard of the data.

    "distributed": {"cuda_devices": [0, 1]}      two GPUs: one process per GPU, NCCL between them
    "distributed": {"cuda_devices": [-1, -1]}    two CPU processes, gloo between them (same arithmetic)

Every worker (rank 0 .. world_size-1) computes gradients on its own batches; DistributedDataParallel averages
them across the workers during backward, so every copy takes the same optimizer step and stays identical.
One step therefore sees world_size batches: the effective batch is batch_size x world_size.

Two ways to start the workers, one config:
- `swapnlp train` spawns them itself (`spawn_workers`: a free port on this machine, a clear error when one dies);
- PyTorch's launcher starts them, on one or several machines (`torchrun --nnodes 2 --nproc-per-node 4 ...`):
  `torchrun_env` reads the RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR variables it sets (env:// rendezvous).
"""

from __future__ import annotations

import datetime
import os
import pickle
import queue
import signal
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Dict, List, Optional, Sequence

import torch
import torch.distributed as dist

from swapnlp.common.errors import ConfigurationError, InputError, WorkerError
from swapnlp.common.ports import free_port
from swapnlp.nn.devices import resolve_device
from swapnlp.metrics.metric import Metric

DEFAULT_TIMEOUT_S = 300  # a collective that waits longer than this for a peer fails instead of hanging


@dataclass
class DistributedPlan:
    """The top-level "distributed" config. cuda_devices: one entry per worker on a machine (-1 = CPU), all GPUs
    or all CPU. timeout_s: how long a worker waits for the others before the run fails.
    find_unused_parameters: set true for models with parameters some forward passes don't use."""

    config_title: ClassVar[str] = 'the top-level "distributed" config'  # how from_params' errors name it
    cuda_devices: List[int]
    timeout_s: float = DEFAULT_TIMEOUT_S
    find_unused_parameters: bool = False

    def __post_init__(self) -> None:
        devices = self.cuda_devices
        if not isinstance(devices, list) or not devices:
            raise ConfigurationError('distributed.cuda_devices must be a list with one device per worker, e.g. '
                                     f'[0, 1] (two GPUs) or [-1, -1] (two CPU processes); got {devices!r}.')
        for index, device in enumerate(devices):
            if device != -1:  # a GPU that isn't there: the same clear error as trainer.cuda_device
                resolve_device(device, where=f"distributed.cuda_devices[{index}]")
        if len(set(d >= 0 for d in devices)) > 1:
            raise ConfigurationError(f"distributed.cuda_devices {devices} mixes CPU (-1) and GPUs: use only GPUs "
                                     f"(NCCL) or only -1 (gloo).")
        gpus = [d for d in devices if d >= 0]
        if len(gpus) != len(set(gpus)):
            raise ConfigurationError(f"distributed.cuda_devices {devices} names a GPU twice: one worker per GPU.")

    @property
    def backend(self) -> str:
        """NCCL between GPUs, gloo between CPU processes."""
        return "nccl" if self.cuda_devices[0] >= 0 else "gloo"


def plan_from_config(config: Dict[str, Any]) -> DistributedPlan:
    """The top-level "distributed" config, built and checked as from_params builds it in a training config."""
    from swapnlp.common.from_params import construct
    from swapnlp.common.params import Params

    return construct(DistributedPlan, Params(dict(config), "distributed."))


def torchrun_env() -> Optional[Dict[str, int]]:
    """{"rank", "world_size", "local_rank", "local_world_size"} when started by torchrun, else None."""
    if not all(name in os.environ for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")):
        return None
    world_size = int(os.environ["WORLD_SIZE"])
    return {"rank": int(os.environ["RANK"]), "world_size": world_size,
            "local_rank": int(os.environ.get("LOCAL_RANK", 0)),
            "local_world_size": int(os.environ.get("LOCAL_WORLD_SIZE", world_size))}


def init_worker(rank: int, world_size: int, cuda_device: int, init_method: str = "env://",
                timeout_s: float = DEFAULT_TIMEOUT_S, local_world_size: Optional[int] = None,
                backend: Optional[str] = None) -> torch.device:
    """Join the process group as `rank`; -> this worker's device. A GPU worker first makes its GPU the
    current one (torch.cuda.set_device), so NCCL and every tensor without an explicit device land there.
    CPU workers share the cores: each gets cores / workers-on-this-machine threads.
    backend: None = NCCL for a GPU worker, gloo for a CPU one (gloo also moves CUDA tensors, more slowly)."""
    if cuda_device >= 0:
        torch.cuda.set_device(cuda_device)
    else:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // (local_world_size or world_size)))
    backend = backend or ("nccl" if cuda_device >= 0 else "gloo")
    dist.init_process_group(backend, init_method=init_method, rank=rank,
                            world_size=world_size, timeout=datetime.timedelta(seconds=timeout_s))
    return resolve_device(cuda_device, where="distributed.cuda_devices")


def is_distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def is_primary() -> bool:
    """Rank 0 shows progress and writes checkpoints, metrics and the archive."""
    return rank() == 0


def wrap_model(model: torch.nn.Module, device: torch.device, find_unused_parameters: bool = False) -> torch.nn.Module:
    """DistributedDataParallel around `model` in a distributed run (gradients averaged in backward), else
    `model` itself. It starts by copying rank 0's weights to every worker. find_unused_parameters: DDP's
    option for models with parameters some forward passes don't use (the "distributed" config's key)."""
    if not is_distributed():
        return model
    device_ids = [device.index] if device.type == "cuda" else None  # one GPU per process
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=device_ids,
                                                     find_unused_parameters=find_unused_parameters)


def min_across_workers(value: int, device: torch.device) -> int:
    """The smallest `value` of all workers: how many batches every worker can run (a worker that stopped
    early would leave the others waiting forever in backward)."""
    if not is_distributed():
        return value
    tensor = torch.tensor([value], dtype=torch.long, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.MIN)
    return int(tensor.item())


def find_metrics(model: torch.nn.Module) -> List[Metric]:
    """Every Metric held as an attribute of the model or one of its submodules."""
    return [value for module in model.modules() for value in vars(module).values() if isinstance(value, Metric)]


def all_reduce_metrics(metrics: Sequence[Metric], device: torch.device) -> None:
    """Add up the raw counts of each metric over all workers (then every worker reads the global value)."""
    if not is_distributed() or not metrics:
        return
    sizes = [len(metric.counts()) for metric in metrics]
    flat = torch.tensor([c for metric in metrics for c in metric.counts()], dtype=torch.float64, device=device)
    dist.all_reduce(flat)
    for metric, part in zip(metrics, flat.cpu().split(sizes)):
        metric.set_counts(part.tolist())


def broadcast_object(value: Any) -> Any:
    """Rank 0's `value` on every worker (pickled; for small things such as a vocabulary or a checkpoint)."""
    if not is_distributed():
        return value
    holder = [value]
    dist.broadcast_object_list(holder, src=0)
    return holder[0]


def barrier() -> None:
    """Wait until every worker gets here (no-op outside a process group). Workers meet here before they
    leave: one that leaves while another still talks to the group can abort both."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def destroy() -> None:
    """Leave the process group (at the end of a worker)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def spawn_workers(function: Callable[..., Any], args: Sequence[Any], plan: DistributedPlan) -> List[Any]:
    """Run `function(rank, *args)` in one new process per entry of plan.cuda_devices, inside the process
    group; -> their return values, by rank. `function` must be importable (defined in a module, not in a
    notebook). When a worker raises or dies, the others are stopped and a WorkerError says which and why."""
    import torch.multiprocessing as mp

    context = mp.get_context("spawn")
    results = context.SimpleQueue()
    init_method = f"tcp://127.0.0.1:{free_port()}"
    workers = mp.start_processes(_worker_main, args=(function, tuple(args), plan, init_method, results),
                                 nprocs=len(plan.cuda_devices), join=False, start_method="spawn")
    outcomes: Dict[int, Any] = {}
    try:
        while not workers.join(timeout=1, grace_period=2):  # on a failure: 2 s for the others to report
            _collect(results, outcomes)
    except (mp.ProcessRaisedException, mp.ProcessExitedException):  # all workers have ended by now
        _collect(results, outcomes)
        raise _failure([process.exitcode for process in workers.processes], outcomes) from None
    _collect(results, outcomes)
    return [pickle.loads(outcomes[index][1]) for index in range(len(plan.cuda_devices))]


def _collect(results: Any, outcomes: Dict[int, Any]) -> None:
    while not results.empty():
        try:
            worker, *outcome = results.get()
        except (EOFError, queue.Empty):  # pragma: no cover - a worker died mid-message
            return
        outcomes[worker] = outcome  # ["ok", pickled value] or [kind, message, traceback]


def _failure(exit_codes: List[Optional[int]], outcomes: Dict[int, Any]) -> Exception:
    """The error that explains the others: a worker the OS killed (its peers then fail to reach it), else a
    learner's mistake (ConfigurationError, said as in one process), else the first other error."""

    def weight(worker: int) -> int:
        code, kind = exit_codes[worker], outcomes.get(worker, ("",))[0]
        killed = code is not None and code < 0 and -code != signal.SIGTERM  # SIGTERM: we stopped it
        return 0 if killed else 1 if kind == "user" else 2 if kind == "error" else 3

    worker = min(range(len(exit_codes)), key=weight)
    kind, message, trace = (list(outcomes.get(worker, ())) + ["", "", ""])[:3]
    if kind == "user":
        return ConfigurationError(message)
    if kind == "error":  # a bug, not a mistake in the config: show where it happened
        print(f"worker {worker}: {trace}", file=sys.stderr)
    code = exit_codes[worker]
    how = (f"was killed by signal {signal.Signals(-code).name}" if code is not None and code < 0 else
           f"raised {message}" if kind == "error" else f"exited with code {code}")
    return WorkerError(f"distributed training failed: worker {worker} {how}. The other workers were stopped; "
                       f"fix the cause and resume with --recover (checkpoints are kept).")


def _worker_main(index: int, function: Callable[..., Any], args: Sequence[Any], plan: DistributedPlan,
                 init_method: str, results: Any) -> None:
    """The first code a spawned worker runs: join the group, run `function`, report, leave the group."""
    try:
        init_worker(index, len(plan.cuda_devices), plan.cuda_devices[index], init_method, plan.timeout_s,
                    backend=plan.backend)
        value = function(index, *args)
        results.put((index, "ok", pickle.dumps(value)))  # plain bytes: no shared memory outliving the worker
        barrier()  # all done before anyone leaves: rank 0 hosts the rendezvous store the others still use
    except BaseException as error:
        user = isinstance(error, (ConfigurationError, InputError))
        results.put((index, "user" if user else "error", str(error) if user else f"{type(error).__name__}: {error}",
                     "" if user else traceback.format_exc()))  # the parent shows the one that explains the rest
        raise
    finally:
        destroy()
