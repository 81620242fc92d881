"""benchmarks/machine.py says where a benchmark ran; transformer_throughput skips its bf16 rows where bf16 is emulated.

Tiny matrices only (the peaks' numbers are not checked, only that they are measured and labelled); no benchmark runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from swapnlp.nn import precision as precision_module

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
TINY = dict(size=64, emulated_size=32, repeats=1)


@pytest.fixture
def machine(load_benchmark):
    return load_benchmark("machine")


def simulate_avx2(monkeypatch) -> None:
    """What an AVX2-only CPU reports: oneDNN has no bf16 kernels, no AMX, no AVX512-BF16."""
    monkeypatch.delenv(precision_module.CPU_BF16_VARIABLE, raising=False)
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)


def test_the_description_has_every_field(machine, monkeypatch):
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)
    description = machine.describe_machine(**TINY)
    for field in ("cpu", "cores", "threads", "torch", "capability", "onednn_bf16", "bf16_native", "bf16_reason",
                  "environment", "fp32_gflops", "fp32_size", "bf16_gflops", "bf16_size", "bf16_kind", "measured_at",
                  "summary"):
        assert field in description, field
    assert description["cpu"] and description["torch"] == torch.__version__
    assert description["capability"] == torch.backends.cpu.get_cpu_capability()
    assert (description["bf16_native"], description["bf16_reason"]) == precision_module.cpu_bf16_units()
    assert description["environment"].get("ONEDNN_MAX_CPU_ISA") == "AVX2"
    assert "ATEN_CPU_CAPABILITY" not in description["environment"]
    assert description["fp32_gflops"] > 0 and description["fp32_size"] == 64
    summary = description["summary"]
    assert "\n" not in summary
    for part in (description["cpu"], description["capability"], "fp32", "GFLOP/s", "ONEDNN_MAX_CPU_ISA=AVX2"):
        assert part in summary
    json.dumps(description)  # goes into JSON lines as it is


def test_a_cpu_without_bf16_units_gets_bf16_measured_small_and_labelled_emulated(machine, monkeypatch):
    simulate_avx2(monkeypatch)
    description = machine.describe_machine(**TINY)
    assert (description["bf16_native"], description["onednn_bf16"]) == (False, False)
    assert (description["bf16_kind"], description["bf16_size"]) == ("emulated", 32)
    assert description["fp32_size"] == 64
    assert "EMULATED" in description["summary"] and "emulated)" in description["summary"]
    assert description["bf16_reason"] in description["summary"]


def test_the_environment_variable_also_makes_bf16_emulated(machine, monkeypatch):
    monkeypatch.setenv("SWAPNLP_CPU_BF16", "0")
    description = machine.describe_machine(**TINY)
    assert description["bf16_native"] is False
    assert description["bf16_kind"].startswith("emulated per SWAPNLP_CPU_BF16=0")
    assert description["bf16_size"] == 32
    assert description["environment"]["SWAPNLP_CPU_BF16"] == "0"
    assert "SWAPNLP_CPU_BF16=0" in description["summary"]


def test_forcing_bf16_on_an_avx2_cpu_does_not_measure_a_large_emulated_product(machine, monkeypatch):
    simulate_avx2(monkeypatch)
    monkeypatch.setenv("SWAPNLP_CPU_BF16", "1")
    description = machine.describe_machine(**TINY)
    assert description["bf16_native"] is True and description["bf16_size"] == 32


def test_a_cpu_with_bf16_units_measures_bf16_at_full_size(machine, monkeypatch):
    monkeypatch.delenv("SWAPNLP_CPU_BF16", raising=False)
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True)
    monkeypatch.setattr(precision_module.platform, "machine", lambda: "x86_64")
    description = machine.describe_machine(**TINY)
    assert (description["bf16_native"], description["bf16_kind"], description["bf16_size"]) == (True, "native", 64)
    assert "bf16 native" in description["summary"]


def test_threads_are_set_for_the_measurement_and_restored(machine):
    before = torch.get_num_threads()
    description = machine.describe_machine(threads=1, measure=False)
    assert description["threads"] == 1 and torch.get_num_threads() == before
    assert "fp32_gflops" not in description and description["summary"]


def test_the_command_line_prints_json():
    finished = subprocess.run([sys.executable, str(BENCHMARKS / "machine.py"), "--json", "--size", "32",
                               "--emulated-size", "16", "--repeats", "1"], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    description = json.loads(finished.stdout)
    assert description["fp32_size"] == 32 and description["summary"].startswith("Machine: ")


@pytest.fixture
def throughput(load_benchmark):
    return load_benchmark("transformer_throughput")


def test_the_bf16_rows_are_skipped_with_the_reason_on_a_cpu_without_bf16_units(throughput, monkeypatch):
    simulate_avx2(monkeypatch)
    rows, skipped = throughput.plan_rows()
    names = [row.name for row in rows]
    assert not any(row.autocast == "bf16" or row.bf16 for row in rows)
    assert "swapnlp (bf16, bucketing)" not in names and "HF Trainer (bf16, group_by_length)" not in names
    assert len(skipped) == 2
    reason = precision_module.cpu_bf16_units()[1]
    assert all(line.startswith("skipped: ") and reason in line and "emulated" in line for line in skipped)
    # the comparison at the config's precision still runs, at the library's choice: fp32 on both sides
    config_rows = [row for row in rows if row.attention_dropout == 0.0]
    assert [(row.trainer, row.autocast, row.bf16) for row in config_rows] == [("swapnlp", "auto", False),
                                                                             ("hf", None, False)]
    assert all("fp32" in row.name for row in config_rows)
    assert "HF Trainer (defaults: fp32)" in names and "swapnlp (fp32, bucketing)" in names


def test_every_row_runs_on_a_cpu_with_bf16_units(throughput):
    rows, skipped = throughput.plan_rows((True, "this CPU has bf16 units (AMX)"))
    assert skipped == [] and len(rows) == 6
    config_rows = [row for row in rows if row.attention_dropout == 0.0]
    assert [(row.autocast, row.bf16) for row in config_rows] == [("auto", False), (None, True)]
    assert all("bf16" in row.name for row in config_rows)


def test_the_skip_follows_the_environment_variable(throughput, monkeypatch):
    monkeypatch.setenv("SWAPNLP_CPU_BF16", "0")
    rows, skipped = throughput.plan_rows()
    assert len(skipped) == 2 and all("SWAPNLP_CPU_BF16=0 is set" in line for line in skipped)
    monkeypatch.setenv("SWAPNLP_CPU_BF16", "1")
    assert throughput.plan_rows()[1] == []
