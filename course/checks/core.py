"""What every exercise check shares: the pass/fail marks, the one exception a check raises, and the helpers
that run the learner's code (get an object from the notebook, call it, keep its prints and warnings quiet)."""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

PASS_MARK = "✅"
FAIL_MARK = "❌"


class CheckFailed(Exception):
    """What is wrong, in one sentence the learner can act on."""


def failure_line(exercise_id: str, problem: str) -> str:
    problem = one_line(problem).rstrip(".")
    end = "" if problem.endswith(("?", "!")) else "."  # a question keeps its own mark: "... order? Hint: ..."
    return f'{FAIL_MARK} Exercise {exercise_id}: {problem}{end} Hint: course.hint("{exercise_id}")'


def one_line(text: str, limit: int = 400) -> str:
    text = re.sub(r"\s+", " ", str(text)).strip()
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # object addresses change every run
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_error(error: BaseException) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow prints and warnings of the checked code; keep torch's random state and threads as they were."""
    import torch

    threads = torch.get_num_threads()
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
            torch.random.fork_rng(devices=[]):
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        torch.set_num_threads(1)  # tiny models: one thread is fastest and the results reproducible
        try:
            yield
        finally:
            torch.set_num_threads(threads)


def learner_object(namespace: Mapping[str, Any], name: str, what: str) -> Any:
    """The notebook's `name`, or a CheckFailed that says which cell to run."""
    if name not in namespace:
        raise CheckFailed(f"{name} is not defined: run the cell that defines {what} first")
    return namespace[name]


def call_learner(what: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run learner code; its exceptions become a CheckFailed that says where."""
    try:
        return function(*args, **kwargs)
    except CheckFailed:
        raise
    except NotImplementedError:
        raise CheckFailed(f"{what} is not written yet: it still raises NotImplementedError") from None
    except Exception as error:
        raise CheckFailed(f"{what} raised {describe_error(error)}") from None


def type_name(value: Any) -> str:
    return type(value).__name__


def learner_function_result(namespace: Mapping[str, Any], name: str, returns: type, what: str) -> Any:
    """Call the notebook's function `name`() -> its result, which must be a `returns` (`what` says what it
    stands for); a missing function, an exception or a wrong type becomes a CheckFailed."""
    function = learner_object(namespace, name, f"{name}()")
    if not callable(function):
        raise CheckFailed(f"{name} must be the function that returns {what}")
    result = call_learner(f"{name}()", function)
    if not isinstance(result, returns):
        raise CheckFailed(f"{name}() must return {what} (a {returns.__name__}), not a {type_name(result)}")
    return result


def exercise_dir(namespace: Mapping[str, Any]) -> Path:
    """The exercise's working folder, which the notebook's setup cell defines as WORK_DIR."""
    return Path(learner_object(namespace, "WORK_DIR", "WORK_DIR (the setup cell)"))
