"""Exercise 3.6: a Predictor of the learner's own that says which words weighed most.

The check runs `swapnlp predict ARCHIVE reviews --predictor NAME --include-package my_predictors` in the
exercise's folder, as a terminal would, on made-up reviews in which exactly one word decides the label, and
judges the answers: the model's own label, and "top_words" ([word, weight] pairs, heaviest first) that start
with the deciding word for nearly every review.
"""

from __future__ import annotations

import json
import random
from typing import Any, List, Mapping

from course.checks.core import CheckFailed, call_learner, exercise_dir, learner_object
from course.checks.workspace_run import last_error_line, run_swapnlp

PACKAGE_3_6 = "my_predictors"
DECIDING_SHARE = 0.8  # of the reviews whose first top word must be the deciding one


def probe_reviews(positive: List[str], negative: List[str], filler: List[str], count: int = 12) -> List[tuple]:
    """(review, deciding word) pairs: filler words around one sentiment word."""
    rng = random.Random(606)
    reviews = []
    for index in range(count):
        word = rng.choice(positive if index % 2 == 0 else negative)
        words = [rng.choice(filler) for _ in range(rng.randint(3, 6))]
        words.insert(rng.randint(0, len(words)), word)
        reviews.append((" ".join(words), word))
    return reviews


def _pairs(top: Any) -> List[tuple]:
    """top_words as (word, weight) pairs: [word, weight] lists or {"word": ..., "weight": ...} objects."""
    pairs = []
    for item in top if isinstance(top, list) else []:
        if isinstance(item, dict) and {"word", "weight"} <= set(item):
            item = [item["word"], item["weight"]]
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], (int, float))):
            raise CheckFailed('each entry of "top_words" must be a [word, weight] pair (or {"word": ..., '
                              f'"weight": ...}}), got {item!r}')
        pairs.append((item[0], float(item[1])))
    return pairs


def check_own_predictor(namespace: Mapping[str, Any]) -> str:
    work_dir = exercise_dir(namespace)
    archive = learner_object(namespace, "ARCHIVE", "ARCHIVE (the training cell)")
    name = namespace.get("PREDICTOR_NAME")
    if name is None:
        call_learner("write_module(WORK_DIR)", learner_object(namespace, "write_module", "write_module"), work_dir)
        raise CheckFailed("PREDICTOR_NAME is None: run the cell that calls write_module")
    if not isinstance(name, str):
        raise CheckFailed("write_module must return the name your predictor is registered under (a str)")
    words = [namespace.get(key) for key in ("POSITIVE", "NEGATIVE", "FILLER")]
    reviews = probe_reviews(*words)
    inputs = work_dir / ".check-3.6-inputs.jsonl"
    inputs.write_text("".join(json.dumps({"sentence": text}) + "\n" for text, _ in reviews), "utf-8")
    try:
        status, own, error = run_swapnlp(work_dir, "predict", str(archive), inputs.name, "--predictor", name,
                                         "--include-package", PACKAGE_3_6)
        if status != 0:
            raise CheckFailed(f"swapnlp predict --predictor {name} --include-package {PACKAGE_3_6} failed: "
                              f"{last_error_line(error)}")
        status, default, error = run_swapnlp(work_dir, "predict", str(archive), inputs.name)
    finally:
        inputs.unlink(missing_ok=True)
    answers = [json.loads(line) for line in own.splitlines() if line.strip().startswith("{")]
    expected = [json.loads(line) for line in default.splitlines() if line.strip().startswith("{")]
    if len(answers) != len(reviews):
        raise CheckFailed(f"swapnlp predict with your predictor printed {len(answers)} answers for {len(reviews)} "
                          f"reviews: one JSON object per input")
    deciding = 0
    for (text, word), answer, model in zip(reviews, answers, expected):
        if answer.get("label") != model.get("label"):
            raise CheckFailed(f'for "{text}" your predictor says label {answer.get("label")!r}, the model says '
                              f'{model.get("label")!r}: keep the model\'s prediction in the answer')
        if "top_words" not in answer:
            raise CheckFailed('the answers have no "top_words": add the words that weighed most, with their weights')
        pairs = _pairs(answer["top_words"])
        if not pairs or any(w not in text.split() for w, _ in pairs):
            raise CheckFailed(f'"top_words" must hold words of the review; for "{text}" it holds '
                              f"{[w for w, _ in pairs]}")
        if any(a[1] < b[1] for a, b in zip(pairs, pairs[1:])):
            raise CheckFailed(f'"top_words" must be heaviest first; for "{text}" the weights are '
                              f"{[round(w, 3) for _, w in pairs]}")
        deciding += pairs[0][0] == word
    if deciding < DECIDING_SHARE * len(reviews):
        raise CheckFailed(f"in these reviews one word decides the label, yet it comes first in top_words for only "
                          f"{deciding} of {len(reviews)}: weigh each word by how much the prediction depends on it")
    return (f"your predictor is used by name with --predictor and --include-package, keeps the model's label, and "
            f"names the deciding word first in at least {DECIDING_SHARE:.0%} of the reviews.")
