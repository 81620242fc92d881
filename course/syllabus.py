"""The syllabus as data: the chapters, their exercises, time estimates and prerequisites.

Everything else in the course (the exercise builder, the checks, hints, the progress table, the index
notebook) reads this file, so adding a chapter or an exercise starts here.

Exercise ids follow chapters: chapter 01's exercises are 1.1, 1.2, ...; chapter 03.1's exercise is 3.1 (the
chapter id without its leading zero), its second 3.1b, a third would be 3.1c. Every chapter with something to practise has at least
one; chapter 04 (the course's conclusion) has none.

An exercise's `minutes` is the time to write it plus the time to run its reference solution. The writing part
is an estimate (reading the task, trying, perhaps a hint); the running part is measured: REFERENCE_RUN_SECONDS
holds what executing the solution notebook took (`python -m course run-solutions ID`), and on which CPU.

Paths are relative to the repository root (`ROOT`). The learner works in `WORKSPACE`: their own copies of
the exercise notebooks, made by `python -m course workspace` (course/workspace.py) and never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = "workspace"  # the learner's folder, relative to ROOT (git-ignored)


@dataclass(frozen=True)
class Chapter:
    id: str                      # "01"
    title: str
    slug: str                    # "your-first-model" -> chapters/01-your-first-model.ipynb
    minutes: int                 # time to read and run it
    prerequisites: Tuple[str, ...] = ()  # chapter ids to do first
    summary: str = ""

    @property
    def notebook(self) -> str:
        return f"chapters/{self.id}-{self.slug}.ipynb"


@dataclass(frozen=True)
class Exercise:
    id: str                      # "1.1": chapter 1, exercise 1
    title: str
    chapter: str                 # chapter id
    slug: str                    # -> solutions/1.1-<slug>.ipynb and exercises/1.1-<slug>.ipynb
    minutes: int
    task: str                    # one sentence: what the learner writes
    reads: Tuple[str, ...] = field(default=())  # names the check takes from the notebook

    @property
    def solution(self) -> str:
        return f"solutions/{self.id}-{self.slug}.ipynb"

    @property
    def notebook(self) -> str:
        """The generated exercise (the course's version, never edited by the learner)."""
        return f"exercises/{self.id}-{self.slug}.ipynb"

    @property
    def workspace_copy(self) -> str:
        """The learner's own copy of the exercise: where they work."""
        return f"{WORKSPACE}/{self.id}-{self.slug}.ipynb"

    @property
    def stub(self) -> str:
        """The line that replaces the solution region in the exercise notebook."""
        return f'raise NotImplementedError("Exercise {self.id}: write this part. Stuck? Run course.hint(\\"{self.id}\\")")'


CHAPTERS: List[Chapter] = [
    Chapter("01", "Your first model", "your-first-model", 30, (),
            "The dataset reader, tokenizer and token indexers, the vocabulary, SimpleClassifier, "
            "the bag-of-embeddings config and a first training run."),
    Chapter("02", "Training and prediction", "training-and-prediction", 30, ("01",),
            "The train / evaluate / predict commands, the model archive, the predictor, and the same "
            "pipeline as a short Python script."),
    Chapter("03.1", "Next steps: a pretrained transformer", "pretrained-transformer", 20, ("02",),
            "Swap the bag of embeddings for a pretrained transformer (MiniLM) with four config changes: wordpiece "
            "tokenizer and indexer, transformer embedder and pooler, AdamW; long texts truncated or folded; "
            "another architecture by its model name."),
    Chapter("03.2", "Next steps: running a demo", "running-a-demo", 20, ("02",),
            "swapnlp serve: a demo page and a JSON API for a trained model (validation, micro-batching, "
            "offline API docs), and the demo cell that serves it from a notebook."),
    Chapter("03.3", "Next steps: using GPUs", "using-gpus", 20, ("02",),
            "cuda_device and --cuda-device, mps on a Mac; several devices with DistributedDataParallel (NCCL on "
            "GPUs, gloo on CPU processes), the effective batch, and torchrun for several machines."),
    Chapter("03.4", "Next steps: more commands", "more-commands", 25, ("02",),
            "swapnlp dry-run (dataset statistics and two training steps before any training) and swapnlp tune "
            "(Optuna search over a config's std.extVar variables, pruning, expected validation performance)."),
    Chapter("03.5", "Next steps: describe and the configuration wizard", "configuration-wizard", 20, ("02",),
            "swapnlp describe (what is registered, a component's parameters), the configuration wizard in a "
            "notebook (ipywidgets) and swapnlp configure in a terminal: pick, check, write a commented config."),
    Chapter("03.6", "Next steps: writing your own script", "writing-your-own-script", 15, ("02",),
            "The bag-of-embeddings model built by hand in plain Python, and proof that with the same seed it is "
            "the very model the config trains."),
    Chapter("04", "Where to go next", "where-to-go-next", 10, ("02",),
            "What the course built, in one page; what to try next on your own data and models; and where the "
            "library goes further than the chapters."),
]

EXERCISES: List[Exercise] = [
    Exercise("1.1", "Write the reader's text_to_instance", "01", "text-to-instance", 10,
             "Turn a text and an optional label into an Instance with a TextField and a LabelField.",
             reads=("MovieReviewReader",)),
    Exercise("1.2", "Write the classifier's forward", "01", "classifier-forward", 15,
             "Embed, mask, encode and classify a batch; return logits, probs and, with labels, the loss "
             "and the accuracy.",
             reads=("SentimentClassifier",)),
    Exercise("2.1", "Swap the encoder in the config and beat the baseline", "02", "swap-the-encoder", 10,
             "Change only the config: replace the bag of embeddings by any encoder that reads word order and "
             "reach a dev accuracy of at least 0.90 on a data set where word order matters.",
             reads=("experiment_config", "DEV_ACCURACY", "WORK_DIR")),
    Exercise("3.1", "Swap in a pretrained transformer", "03.1", "swap-in-a-transformer", 15,
             "Swap the packaged MiniLM into the config (tokenizer, indexers, embedder, a pooler, an optimizer of "
             "your choice) and reach 0.85 dev accuracy on reviews whose sentiment words training never showed.",
             reads=("experiment_config", "DEV_ACCURACY", "WORK_DIR")),
    Exercise("3.1b", "Truncate or fold a long review", "03.1", "fold-or-truncate", 15,
             "Write two configs that let MiniLM read reviews longer than its 512 positions, one truncating and one "
             "folding, and compare what each reads and how long it takes.",
             reads=("experiment_configs", "WORK_DIR")),
    Exercise("3.2", "Your own demo page", "03.2", "your-own-demo-page", 15,
             "Write your own demo page (index.html and its files, nothing from the internet) and serve the "
             "trained model with it through --static-dir; a prediction made through the page is the test.",
             reads=("PAGE_DIR", "ARCHIVE", "write_page")),
    Exercise("3.3", "Freeze or fine-tune: what a laptop can afford", "03.3", "freeze-or-fine-tune", 15,
             "Write two configs of the same MiniLM experiment, one with the transformer frozen and one fine-tuned, "
             "train both and compare their dev accuracy and training time; the check compares the transformer's "
             "weights with the pretrained ones.",
             reads=("experiment_configs", "RESULTS", "WORK_DIR")),
    Exercise("3.4", "A search space for three kinds of hyperparameter", "03.4", "search-space", 15,
             "Write the search space of a CNN config's learning rate, dropout and number of filters, each with a "
             "distribution that suits it, and run a four-trial search with it.",
             reads=("search_space", "WORK_DIR", "REPORT")),
    Exercise("3.5", "Your own encoder, in your own module", "03.5", "your-own-encoder", 20,
             "Write a Seq2VecEncoder of your own in a module of your own, see it listed by swapnlp describe, and "
             "train a config that uses it with swapnlp train --include-package.",
             reads=("write_module", "ENCODER_CONFIG", "WORK_DIR")),
    Exercise("3.6", "Your own predictor: which words decided", "03.6", "your-own-predictor", 20,
             "Write a Predictor of your own that also returns the words that weighed most in the prediction, "
             "and use it from Python and from swapnlp predict --predictor.",
             reads=("write_module", "ARCHIVE", "WORK_DIR")),
]


# Seconds to execute a solution notebook top to bottom (`python -m course run-solutions ID`, nice'd), measured on
# 2 shared cores of an Intel Xeon with AMX (bf16 units: "autocast": "auto" picks bf16 there; a laptop without
# them runs fp32, slower for the MiniLM exercises 3.1 and 3.3). Exercises not listed were not re-measured.
REFERENCE_RUN_SECONDS: Dict[str, float] = {
    "1.1": 4.5,     # kernel start, then reading a few lines (nbconvert --execute, AMX Xeon, 2026-12-06)
    "1.2": 5.5,     # one forward pass of a tiny model
    "2.1": 17.9,    # the reference's run and the check (builder.run_solutions, AMX Xeon, 2 busy cores)
    "3.1": 35.6,
    "3.1b": 17.6,   # MiniLM reads three long reviews twice (no training)
    "3.2": 22.3,
    "3.3": 125.5,   # MiniLM trained twice on 240 sentences (frozen: 29 s, top two layers: 66 s)
    "3.4": 23.8,
    "3.5": 42.7,
    "3.6": 41.8,
}


def chapter(chapter_id: str) -> Chapter:
    for item in CHAPTERS:
        if item.id == chapter_id:
            return item
    raise KeyError(f"no chapter {chapter_id!r}; chapters: {', '.join(c.id for c in CHAPTERS)}")


def exercise(exercise_id: str) -> Exercise:
    for item in EXERCISES:
        if item.id == exercise_id:
            return item
    raise KeyError(f"no exercise {exercise_id!r}; exercises: {', '.join(e.id for e in EXERCISES)}")


def exercises_of(chapter_id: str) -> List[Exercise]:
    return [item for item in EXERCISES if item.chapter == chapter_id]


def by_id() -> Dict[str, Exercise]:
    return {item.id: item for item in EXERCISES}
