"""Loading the scripts of benchmarks/ (a folder of scripts, not a package) in tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def load_benchmark(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable]:
    """load_benchmark("machine") -> benchmarks/machine.py as a module. The scripts import benchmarks/machine.py
    as `machine`: the path and the modules are undone after the test."""
    monkeypatch.setattr(sys, "path", [str(BENCHMARKS), str(BENCHMARKS.parent / "lib"), *sys.path])

    def load(name: str):
        spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while it is executed
        spec.loader.exec_module(module)
        return module

    yield load
    for name in ["machine", *(name for name in sys.modules if name.startswith("benchmark_"))]:
        sys.modules.pop(name, None)
