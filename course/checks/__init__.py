"""Behavioural checks of the learner's work: `check("1.2")` runs their objects and says what is wrong.

A check never compares text with the reference solution. It takes the learner's objects from the calling
notebook's globals (or from `namespace`), runs them on small inputs it makes itself and tests what they
DO: the fields an instance has, the shapes and values a model returns, whether padding changes a result,
whether the loss goes down, what dev accuracy a config reaches...

It prints exactly one line, the same line for every correct solution:

    ✅ Exercise 1.2 passed: <what works>
    ❌ Exercise 1.2: <what is wrong>. Hint: course.hint("1.2")

and returns True or False. Anything the learner's code prints or warns while it is checked is swallowed,
and an exception inside it (the NotImplementedError of an unfilled exercise, say) becomes the ❌ line:
that is what makes `pytest --nbval exercises/...` fail at the check cell, by a different output, until
the work is right. Passes are recorded in the progress file.

One module per exercise holds its check (reader.py for 1.1, forward.py for 1.2, ...); core.py what they share;
workspace_run.py runs the swapnlp command in the exercise's folder, as the learner does.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Mapping, Optional

from course import progress, syllabus
from course.checks.core import FAIL_MARK, PASS_MARK, CheckFailed, describe_error, failure_line, one_line, quiet
from course.checks.demo_page import check_demo_page
from course.checks.encoder_swap import TARGET_ACCURACY_2_1, check_swapped_encoder
from course.checks.fold_or_truncate import check_fold_or_truncate
from course.checks.forward import check_forward
from course.checks.freeze_or_fine_tune import check_freeze_or_fine_tune
from course.checks.reader import check_text_to_instance
from course.checks.search_space import check_search_space
from course.checks.transformer_swap import TARGET_ACCURACY_3_1, check_pretrained_swap
from course.checks.own_encoder import check_own_encoder
from course.checks.own_predictor import check_own_predictor

__all__ = ["CHECKS", "CheckFailed", "FAIL_MARK", "PASS_MARK", "TARGET_ACCURACY_2_1", "TARGET_ACCURACY_3_1", "check",
           "run_check"]

CHECKS: Dict[str, Callable[[Mapping[str, Any]], str]] = {
    "1.1": check_text_to_instance,
    "1.2": check_forward,
    "2.1": check_swapped_encoder,
    "3.1": check_pretrained_swap,
    "3.1b": check_fold_or_truncate,
    "3.2": check_demo_page,
    "3.3": check_freeze_or_fine_tune,
    "3.4": check_search_space,
    "3.5": check_own_encoder,
    "3.6": check_own_predictor,
}


def check(exercise_id: str, namespace: Optional[Mapping[str, Any]] = None) -> bool:
    """Check exercise `exercise_id` on the objects of the calling notebook (or of `namespace`)."""
    if namespace is None:
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        namespace = caller.f_globals if caller is not None else {}
        del frame, caller
    passed, message = run_check(exercise_id, namespace)
    print(message)
    return passed


def run_check(exercise_id: str, namespace: Mapping[str, Any]) -> "tuple[bool, str]":
    """(passed, the one line `check` prints); records the result in the progress file."""
    try:
        syllabus.exercise(exercise_id)
        function = CHECKS[exercise_id]
    except KeyError:
        known = ", ".join(e.id for e in syllabus.EXERCISES)
        return False, f"{FAIL_MARK} There is no exercise {exercise_id!r} (exercises: {known})."
    try:
        with quiet():
            success = function(namespace)
        passed, line = True, f"{PASS_MARK} Exercise {exercise_id} passed: {one_line(success)}"
    except CheckFailed as failure:
        passed, line = False, failure_line(exercise_id, str(failure))
    except Exception as error:  # a bug met while checking: still one friendly line
        passed, line = False, failure_line(exercise_id, f"the check could not run your code: {describe_error(error)}")
    try:
        progress.record_check(exercise_id, passed)
    except OSError:
        pass  # a read-only data folder must not change what the check says
    return passed, line
