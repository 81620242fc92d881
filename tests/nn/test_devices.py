"""resolve_device: -1 is the CPU, N a GPU; Apple's mps stands in for GPU 0; a missing GPU is a clear error."""

from __future__ import annotations

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.nn.devices import resolve_device


def no_gpu(monkeypatch, mps: bool = False) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


def test_minus_one_is_the_cpu():
    assert resolve_device(-1) == torch.device("cpu")


def test_a_missing_gpu_says_what_was_found_and_what_to_write_instead(monkeypatch):
    no_gpu(monkeypatch)
    with pytest.raises(ConfigurationError) as error:
        resolve_device(0)
    message = str(error.value)
    assert "trainer.cuda_device is 0" in message and "no GPU is available here" in message
    assert "torch.cuda.is_available() is False" in message and "cuda_device -1" in message


def test_the_message_names_the_option_it_came_from(monkeypatch):
    no_gpu(monkeypatch)
    with pytest.raises(ConfigurationError, match="--cuda-device is 1, .* Use --cuda-device -1"):
        resolve_device(1, where="--cuda-device")


def test_apple_mps_is_used_for_gpu_0_where_present(monkeypatch):
    no_gpu(monkeypatch, mps=True)
    assert resolve_device(0) == torch.device("mps")
    with pytest.raises(ConfigurationError):
        resolve_device(1)  # there is one mps device


def test_cuda_gpus_by_index_and_an_index_too_high(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device(1) == torch.device("cuda", 1)
    with pytest.raises(ConfigurationError, match=r"has 2 GPU\(s\) \(indices 0..1\)"):
        resolve_device(2)


@pytest.mark.parametrize("value", [-2, "0", 1.0, True])
def test_values_that_are_not_a_device_index(value):
    with pytest.raises(ConfigurationError, match="expected -1 \\(CPU\\) or a GPU index"):
        resolve_device(value)
