"""Where a benchmark ran: the CPU, what it computes natively, and its matrix-multiply peaks measured in the same run.

Every script in benchmarks/ prints this first and stores it with its results, so that each figure says what
machine it came from. A bf16 figure means little without knowing whether the CPU has bf16 units (Intel AMX,
AVX512-BF16): without them every bf16 matrix product is emulated, 70-100x slower than in fp32.

    python benchmarks/machine.py            # one paragraph
    python benchmarks/machine.py --json     # the dict

To see on a CPU with bf16 units what an AVX2-only laptop does, restrict the kernels to AVX2 (an AMX Xeon then
gives fp32 ~141 GFLOP/s and bf16 ~1.5 GFLOP/s on 2 threads, like a Zen 3 laptop):

    ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 python benchmarks/machine.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import torch

from swapnlp.nn.precision import CPU_BF16_VARIABLE, bf16_units, cpu_bf16_units

# Settings that change which kernels run (the first three emulate an older CPU; the last overrules swapnlp's choice).
VARIABLES = ("ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "SWAPNLP_CPU_BF16")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what platform reports."""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.lower().startswith("model name") and ":" in line:
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def matmul_gflops(dtype: torch.dtype, size: int, repeats: int = 5) -> float:
    """GFLOP/s of a size x size matrix product on this CPU: median of `repeats` after one warm-up product."""
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    a @ b
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * size ** 3 / statistics.median(times) / 1e9


def describe_machine(size: int = 2048, emulated_size: int = 512, repeats: int = 5, threads: Optional[int] = None,
                     measure: bool = True) -> Dict[str, Any]:
    """What this machine is and how fast it multiplies matrices, now.

    size: the matrices for the fp32 peak and, where the CPU has bf16 units, the bf16 peak. emulated_size: the
    (smaller) matrices for bf16 where it is emulated, labelled so: at ~1.5 GFLOP/s a 2048 product takes ~11 s.
    threads: torch threads for the measurement (default: the process's). measure=False leaves out the peaks.
    Returns a dict; its "summary" is one paragraph for printing."""
    native, reason = cpu_bf16_units()
    onednn_bf16 = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    description: Dict[str, Any] = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "capability": torch.backends.cpu.get_cpu_capability(),
        "onednn_bf16": onednn_bf16,
        "bf16_native": native,
        "bf16_reason": reason,
        "environment": {name: os.environ[name] for name in VARIABLES if name in os.environ},
        "gpus": _gpus(),
        "load_average": round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None,
        "measured_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    try:
        if measure:
            # bf16 at full size only where both swapnlp and oneDNN say it is native (SWAPNLP_CPU_BF16=1 on an
            # AVX2 CPU must not cost minutes here).
            bf16_size = size if native and onednn_bf16 else min(size, emulated_size)
            kind = "native" if native else "emulated"
            forced = os.environ.get(CPU_BF16_VARIABLE)
            if forced in ("0", "1"):  # swapnlp's answer is overruled; the kernels measured are still the CPU's own
                kind += f" per {CPU_BF16_VARIABLE}={forced}, measured with this CPU's own kernels"
            description.update(
                fp32_gflops=round(matmul_gflops(torch.float32, size, repeats), 1), fp32_size=size,
                bf16_gflops=round(matmul_gflops(torch.bfloat16, bf16_size, repeats), 1), bf16_size=bf16_size,
                bf16_kind=kind, repeats=repeats)
    finally:
        torch.set_num_threads(previous)
    description["summary"] = summary(description)
    return description


def _gpus() -> List[Dict[str, Any]]:
    if not torch.cuda.is_available():
        return []
    gpus = []
    for index in range(torch.cuda.device_count()):
        native, reason = bf16_units(torch.device("cuda", index))
        gpus.append({"name": torch.cuda.get_device_name(index), "bf16_native": native, "bf16_reason": reason})
    return gpus


def summary(description: Dict[str, Any]) -> str:
    """One paragraph: the CPU, its bf16 support (swapnlp's answer and oneDNN's), the peaks, the settings."""
    d = description
    text = (f"Machine: {d['cpu']}, {d['threads']} torch threads ({d['cores']} logical CPUs), torch {d['torch']}, "
            f"CPU capability {d['capability']}, oneDNN bf16 kernels {'yes' if d['onednn_bf16'] else 'no'}; "
            f"bf16 {'native' if d['bf16_native'] else 'EMULATED'}: {d['bf16_reason']}.")
    if "fp32_gflops" in d:
        text += (f" Matrix-multiply peak, median of {d['repeats']}: fp32 {d['fp32_gflops']:.1f} GFLOP/s "
                 f"({d['fp32_size']}x{d['fp32_size']}), bf16 {d['bf16_gflops']:.1f} GFLOP/s "
                 f"({d['bf16_size']}x{d['bf16_size']}, {d['bf16_kind']}).")
    if d["environment"]:
        text += " Set: " + " ".join(f"{name}={value}" for name, value in d["environment"].items()) + "."
    for gpu in d.get("gpus", []):
        text += f" GPU: {gpu['name']} (bf16 {'native' if gpu['bf16_native'] else 'not native'})."
    load = f", load average {d['load_average']}" if d.get("load_average") is not None else ""
    return text + f" Measured {d['measured_at']}{load}."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the dict as JSON")
    parser.add_argument("--size", type=int, default=2048, help="matrix size for fp32 (and native bf16)")
    parser.add_argument("--emulated-size", type=int, default=512, help="matrix size for emulated bf16")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    description = describe_machine(args.size, args.emulated_size, args.repeats, args.threads)
    print(json.dumps(description, indent=2) if args.json else description["summary"])


if __name__ == "__main__":
    main()
