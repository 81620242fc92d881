"""Which precision to compute in: bf16 where the hardware has bf16 units, fp32 everywhere else.

bfloat16 halves the bytes per number and, on hardware built for it (Intel AMX / AVX512-BF16 CPUs, Ampere and
later GPUs), multiplies matrices several times faster than fp32. On a CPU without those units (most laptops:
AVX2 only) every bf16 product is emulated and runs ~16x SLOWER than fp32. So the one setting the configs use is

    trainer.autocast: "auto"   # bf16 if this device computes it natively, else fp32 (the default)
                      "bf16"   # always bf16 (a warning on a CPU without bf16 units)
                      "fp32"   # never (null means the same)

Every place that runs a model (trainer, dry-run, evaluate, predict, serve, tune, the chapters) asks
`choose_precision` and runs forward passes inside `precision.autocast(device)`:

    precision = choose_precision("auto", torch.device("cpu"))
    with precision.autocast(device):
        output = model(**batch)

Weights and optimizer state always stay fp32: autocast only changes the dtype matrix products run in.
Set the environment variable SWAPNLP_CPU_BF16=0 (or 1) to overrule what the CPU reports, e.g. to see on a bf16
machine what a learner's AVX2 laptop will pick.
"""

from __future__ import annotations

import logging
import os
import platform
from dataclasses import dataclass
from typing import Optional, Tuple

import torch

from swapnlp.common.errors import ConfigurationError

logger = logging.getLogger(__name__)

CHOICES = ("auto", "bf16", "fp32")
CPU_BF16_VARIABLE = "SWAPNLP_CPU_BF16"


@dataclass(frozen=True)
class Precision:
    """name: "bf16" or "fp32"; reason: one sentence on why (shown in the log)."""

    name: str
    reason: str

    @property
    def dtype(self) -> Optional[torch.dtype]:
        """torch.bfloat16 for bf16 autocast, None for plain fp32."""
        return torch.bfloat16 if self.name == "bf16" else None

    def autocast(self, device: torch.device) -> torch.autocast:
        """The context to run forward passes in: bf16 autocast, or a disabled (no-op) autocast for fp32."""
        return torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.name == "bf16")


def cpu_bf16_units() -> Tuple[bool, str]:
    """(True, what) when this CPU multiplies bf16 natively (AMX or AVX512-BF16 on x86, BF16 on Arm);
    (False, why not) when bf16 would be emulated."""
    forced = os.environ.get(CPU_BF16_VARIABLE)
    if forced in ("0", "1"):
        return forced == "1", f"{CPU_BF16_VARIABLE}={forced} is set"
    if not torch.ops.mkldnn._is_mkldnn_bf16_supported():  # oneDNN has no bf16 kernels for this CPU
        return False, f"this CPU ({torch.backends.cpu.get_cpu_capability()}) has no bf16 units"
    if platform.machine().lower() in ("x86_64", "amd64", "i686", "x86"):
        units = [name for name, check in (("AMX", "_is_amx_tile_supported"), ("AVX512-BF16", "_is_avx512_bf16_supported"))
                 if getattr(torch.cpu, check, lambda: False)()]
        if not units:  # AVX-512 without BF16 instructions: oneDNN converts, it does not compute in bf16
            return False, "this CPU has AVX-512 but no bf16 instructions (no AMX, no AVX512-BF16)"
        return True, f"this CPU has bf16 units ({' and '.join(units)})"
    return True, "this CPU's oneDNN kernels compute bf16"


def bf16_units(device: torch.device) -> Tuple[bool, str]:
    """Does `device` compute bf16 natively? -> (answer, the reason in a few words)."""
    if device.type == "cuda":
        if torch.cuda.is_bf16_supported(including_emulation=False):
            return True, f"GPU {torch.cuda.get_device_name(device)} has bf16 units"
        return False, f"GPU {torch.cuda.get_device_name(device)} has no bf16 units"
    if device.type == "cpu":
        return cpu_bf16_units()
    return False, f"bf16 autocast is not used on {device.type}"


def choose_precision(autocast: Optional[str], device: torch.device, where: str = "trainer.autocast",
                     log: bool = True) -> Precision:
    """The precision for `autocast` ("auto", "bf16", "fp32" or None = fp32) on `device`. Logs one line that
    says what was chosen and why; warns when "bf16" is forced on a device that would emulate it."""
    setting = "fp32" if autocast is None else autocast
    if setting not in CHOICES:
        raise ConfigurationError(f'{where} must be "auto", "bf16" or "fp32" (or null for fp32), got {autocast!r}.')
    native, why = bf16_units(device)
    if setting == "auto":
        precision = (Precision("bf16", f"{where} is auto and {why}") if native else
                     Precision("fp32", f"{where} is auto and {why}: bf16 would be emulated, many times slower"))
    elif setting == "bf16":
        precision = Precision("bf16", f'{where} is "bf16"')
        if not native:
            logger.warning(f'warning: {where} is "bf16", but {why}: every bf16 product is emulated, so this runs many times '
                           f'(~16x) slower than fp32. Use "auto" to pick bf16 only where the hardware has it.')
    else:
        precision = Precision("fp32", f'{where} is {"null" if autocast is None else repr(setting)}')
    if log:
        logger.info(f"precision: {precision.name} on {device.type} ({precision.reason})")
    return precision
