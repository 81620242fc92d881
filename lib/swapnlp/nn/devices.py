"""Which device to train or predict on: `cuda_device` -1 is the CPU, 0, 1, ... a GPU index."""

from __future__ import annotations

import torch

from swapnlp.common.errors import ConfigurationError


def resolve_device(cuda_device: int = -1, where: str = "trainer.cuda_device") -> torch.device:
    """-1 -> cpu; N >= 0 -> cuda:N (or Apple's mps for 0 when there is no CUDA). A GPU that is not
    there is a ConfigurationError that says what was found and what to write instead."""
    if not isinstance(cuda_device, int) or isinstance(cuda_device, bool) or cuda_device < -1:
        raise ConfigurationError(f"{where}: expected -1 (CPU) or a GPU index 0, 1, ..., got {cuda_device!r}.")
    if cuda_device == -1:
        return torch.device("cpu")
    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        if cuda_device < count:
            return torch.device("cuda", cuda_device)
        raise ConfigurationError(f"{where} is {cuda_device}, but this machine has {count} GPU(s) "
                                 f"(indices 0..{count - 1}). Use one of those, or -1 for the CPU.")
    mps = getattr(torch.backends, "mps", None)
    if cuda_device == 0 and mps is not None and mps.is_available():
        return torch.device("mps")
    build = "a CPU-only build of torch" if torch.version.cuda is None else f"torch built for CUDA {torch.version.cuda}"
    raise ConfigurationError(f"{where} is {cuda_device}, but no GPU is available here ({build}, "
                             f"torch.cuda.is_available() is False). Use {where.split('.')[-1]} -1 to run on the CPU.")
