"""choose_precision: bf16 where the hardware has bf16 units, fp32 elsewhere; the CPU's answer is simulated here."""

from __future__ import annotations

import logging

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.nn import precision as precision_module
from swapnlp.nn.precision import bf16_units, choose_precision, cpu_bf16_units

CPU = torch.device("cpu")


def simulate_cpu(monkeypatch: pytest.MonkeyPatch, onednn_bf16: bool, amx: bool = False,
                 avx512_bf16: bool = False, machine: str = "x86_64") -> None:
    """Make this machine look like another CPU: what oneDNN and the x86 feature checks report."""
    monkeypatch.delenv(precision_module.CPU_BF16_VARIABLE, raising=False)
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: onednn_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(precision_module.platform, "machine", lambda: machine)


@pytest.mark.parametrize("cpu, expected", [
    (dict(onednn_bf16=True, amx=True, avx512_bf16=True), True),  # Sapphire Rapids and later: AMX
    (dict(onednn_bf16=True, avx512_bf16=True), True),  # Cooper Lake, Zen 4: AVX512-BF16
    (dict(onednn_bf16=True), False),  # Skylake/Ice Lake AVX-512: oneDNN converts, no bf16 instructions
    (dict(onednn_bf16=False), False),  # AVX2 only (most laptops, Zen 3)
    (dict(onednn_bf16=True, machine="aarch64"), True),  # Arm with BF16 (oneDNN says so)
])
def test_bf16_units_are_read_from_the_cpu(monkeypatch, cpu, expected):
    simulate_cpu(monkeypatch, **cpu)
    native, reason = cpu_bf16_units()
    assert native is expected
    assert reason


def test_the_environment_variable_overrules_the_cpu(monkeypatch):
    simulate_cpu(monkeypatch, onednn_bf16=True, amx=True)
    monkeypatch.setenv("SWAPNLP_CPU_BF16", "0")
    assert cpu_bf16_units() == (False, "SWAPNLP_CPU_BF16=0 is set")
    simulate_cpu(monkeypatch, onednn_bf16=False)
    monkeypatch.setenv("SWAPNLP_CPU_BF16", "1")
    assert cpu_bf16_units()[0] is True


def test_auto_picks_bf16_on_a_cpu_with_bf16_units_and_says_why(monkeypatch, caplog):
    simulate_cpu(monkeypatch, onednn_bf16=True, amx=True)
    with caplog.at_level(logging.INFO, logger="swapnlp"):
        chosen = choose_precision("auto", CPU)
    assert (chosen.name, chosen.dtype) == ("bf16", torch.bfloat16)
    assert [record.getMessage() for record in caplog.records] == [f"precision: bf16 on cpu ({chosen.reason})"]
    assert "AMX" in chosen.reason


def test_auto_picks_fp32_on_an_avx2_cpu_and_says_why(monkeypatch, caplog):
    simulate_cpu(monkeypatch, onednn_bf16=False)
    with caplog.at_level(logging.INFO, logger="swapnlp"):
        chosen = choose_precision("auto", CPU)
    assert (chosen.name, chosen.dtype) == ("fp32", None)
    assert len(caplog.records) == 1 and caplog.records[0].levelno == logging.INFO
    assert "emulated" in caplog.records[0].getMessage()


def test_forced_bf16_on_an_avx2_cpu_runs_with_one_warning(monkeypatch, caplog):
    simulate_cpu(monkeypatch, onednn_bf16=False)
    with caplog.at_level(logging.INFO, logger="swapnlp"):
        chosen = choose_precision("bf16", CPU)
    assert chosen.name == "bf16"
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "slower" in warnings[0] and '"auto"' in warnings[0]


def test_forced_bf16_on_a_bf16_cpu_does_not_warn(monkeypatch, caplog):
    simulate_cpu(monkeypatch, onednn_bf16=True, amx=True)
    with caplog.at_level(logging.INFO, logger="swapnlp"):
        choose_precision("bf16", CPU)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.parametrize("setting", ["fp32", None])
def test_fp32_and_null_never_use_bf16(monkeypatch, setting):
    simulate_cpu(monkeypatch, onednn_bf16=True, amx=True)
    chosen = choose_precision(setting, CPU)
    assert chosen.name == "fp32"
    with chosen.autocast(CPU):
        assert not torch.is_autocast_enabled("cpu")


def test_an_unknown_setting_is_a_clear_error():
    with pytest.raises(ConfigurationError, match=r'trainer.autocast must be "auto", "bf16" or "fp32".*fp16'):
        choose_precision("fp16", CPU)


def test_bf16_autocast_runs_matrix_products_in_bf16(monkeypatch):
    simulate_cpu(monkeypatch, onednn_bf16=True, amx=True)
    chosen = choose_precision("auto", CPU, log=False)
    layer = torch.nn.Linear(4, 3)
    with chosen.autocast(CPU):
        assert layer(torch.ones(2, 4)).dtype == torch.bfloat16
    assert layer.weight.dtype == torch.float32


def test_other_devices_never_pick_bf16_by_themselves():
    assert bf16_units(torch.device("meta"))[0] is False
