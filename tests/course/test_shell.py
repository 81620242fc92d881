"""course.shell.swapnlp: the `swapnlp` command from a notebook cell."""

from __future__ import annotations

import pytest

from course.shell import swapnlp


def test_prints_and_returns_the_output(capsys: pytest.CaptureFixture) -> None:
    output = swapnlp("--help")
    assert output.startswith("usage: swapnlp")
    assert capsys.readouterr().out == output


def test_a_failing_command_raises_with_its_error_output() -> None:
    with pytest.raises(RuntimeError, match=r"swapnlp train failed \(exit status \d+\):\n.*no_such\.jsonnet"):
        swapnlp("train", "no_such.jsonnet", "-s", "runs/never")


def test_check_false_prints_the_errors_and_does_not_raise(capsys: pytest.CaptureFixture) -> None:
    swapnlp("train", "no_such.jsonnet", "-s", "runs/never", check=False)
    assert "no_such.jsonnet" in capsys.readouterr().out


def test_needs_a_command() -> None:
    with pytest.raises(ValueError, match="needs a command"):
        swapnlp()
