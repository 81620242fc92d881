"""Exercise 3.6: let the configuration wizard write a config that trains."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any, Mapping

from course.checks.core import CheckFailed, call_learner, learner_object


TARGET_ACCURACY_3_6 = 0.85
MAX_EPOCHS_3_6 = 15


def negation_reviews(count: int, seed: int) -> "list[tuple[str, str]]":
    """Made-up short reviews whose label depends on word order: "not" flips the adjective after it."""
    import random

    rng = random.Random(seed)
    reviews = []
    for _ in range(count):
        positive, negated = rng.random() < 0.5, rng.random() < 0.5
        words = [rng.choice(["the film", "this movie", "the plot", "the cast", "the ending"]),
                 rng.choice(["was", "is", "felt", "seemed"]), "not" if negated else "",
                 rng.choice(["good", "great", "superb", "funny"] if positive else ["bad", "dull", "awful", "weak"]),
                 rng.choice(["", "overall", "to me", "in the end", "at times"])]
        reviews.append((" ".join(word for word in words if word), "pos" if positive != negated else "neg"))
    return reviews


def check_wizard_config(namespace: Mapping[str, Any]) -> str:
    """Run the learner's `configure(wizard)` on a fresh wizard over the check's own data, write the config
    the wizard makes, train it, and require a dev accuracy of TARGET_ACCURACY_3_6."""
    from swapnlp.common.params import Params
    from swapnlp.configure.widgets import ConfigWizard
    from swapnlp.training.pipeline import train_model_from_file

    configure = learner_object(namespace, "configure", "configure(wizard)")
    if not callable(configure):
        raise CheckFailed("configure must be the function that makes your choices on the wizard")
    with tempfile.TemporaryDirectory(prefix="swapnlp-check-3.6-") as folder:
        work = Path(folder)
        for split, size, seed in (("train", 300, 36), ("dev", 100, 63)):
            reviews = negation_reviews(size, seed)
            (work / f"{split}.tsv").write_text("".join(f"{t}\t{label}\n" for t, label in reviews), "utf-8")
        wizard = ConfigWizard(output=work / "wizard.jsonnet", data_dir=str(work))
        wizard.unset("test_data_path")  # no test split here
        call_learner("configure(wizard)", configure, wizard)
        problems = wizard.problems()
        if problems:
            where, what = next(iter(problems.items()))
            raise CheckFailed(f"the wizard shows a problem at {where or 'the top level'}: {what}")
        config = wizard.to_config()
        encoder = config["model"]["encoder"]["type"]
        epochs = config["trainer"].get("num_epochs", 20)
        if epochs > MAX_EPOCHS_3_6:
            raise CheckFailed(f"trainer.num_epochs is {epochs}: keep it at most {MAX_EPOCHS_3_6}, the check trains "
                              f"your config itself")
        path = call_learner("wizard.write()", wizard.write)
        if Params.from_file(path).as_dict() != config:
            raise CheckFailed("the written file does not give back the wizard's config: write it with wizard.write()")
        with contextlib.chdir(work):
            call_learner("training the written config", train_model_from_file, path, work / "run",
                  {"trainer": {"enable_progress_bar": False}})
        metrics = json.loads((work / "run" / "metrics.json").read_text("utf-8"))
    accuracy = metrics["best_validation_accuracy"]
    if accuracy < TARGET_ACCURACY_3_6:
        why = (' A bag_of_embeddings averages the words and cannot see that "not" comes before "good": '
               "choose an encoder that reads word order") if encoder == "bag_of_embeddings" else (
               " Give it more epochs, filters or hidden units, or a larger learning rate")
        raise CheckFailed(f"the config your wizard wrote ({encoder} encoder) reached a dev accuracy of "
                          f"{accuracy:.2f} on the check's data, below the target {TARGET_ACCURACY_3_6:.2f}.{why}")
    return (f"the wizard wrote a config that builds, trains and reaches the target dev accuracy of "
            f"{TARGET_ACCURACY_3_6:.2f} on reviews where word order matters.")
