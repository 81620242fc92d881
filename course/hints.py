"""Graded hints: `course.hint("1.2")` shows the next hint of an exercise, one at a time.

The first hint says where to look, the next ones get more concrete; the last one is nearly the answer.
How many hints were shown is kept in the progress file, so the next call (even from a restarted kernel)
shows the next hint. `course.hint("1.2", 1)` shows hint 1 again; `course.hint("1.2", "all")` shows them all.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple, Union

from course import progress, syllabus

HINTS: Dict[str, Tuple[str, ...]] = {
    "1.1": (
        "An Instance is a dict of named Fields. This reader's model expects two names: \"text\" (a TextField) "
        "and, when a label is given, \"label\" (a LabelField).",
        "Split the text with the reader's own tokenizer (self.tokenizer.tokenize(text)); a TextField takes that "
        "list of Tokens AND the reader's token indexers (self.token_indexers), so a config can swap either one.",
        "fields = {\"text\": TextField(self.tokenizer.tokenize(text), self.token_indexers)}; add "
        "fields[\"label\"] = LabelField(label) only `if label is not None`; then return Instance(fields).",
    ),
    "1.2": (
        "Follow the data: text ids -> embedder -> one vector per token -> encoder -> one vector per text -> "
        "self.classifier -> one score (logit) per label. The mask tells the encoder which positions are padding.",
        "mask = get_text_field_mask(text); embedded = self.embedder(text); encoded = self.encoder(embedded, mask); "
        "logits = self.classifier(encoded). probs are torch.softmax(logits, dim=-1): one row per text sums to 1.",
        "Return {\"logits\": logits, \"probs\": probs}; when label is not None also add "
        "\"loss\": torch.nn.functional.cross_entropy(logits, label) (it takes the raw logits, not the probs) and "
        "call self.accuracy(logits, label) so get_metrics() can report it.",
    ),
    "2.1": (
        "You change the config, not Python code: the model's \"encoder\" is a registered name plus its "
        "parameters. Look at configs/cnn.jsonnet and configs/lstm.jsonnet in the repository.",
        "A bag of embeddings ignores word order, but here \"not good\" and \"good\" decide the label. A cnn "
        "looks at n-grams (\"not good\"), an lstm reads the words in order: either can learn it.",
        "Return the baseline with the encoder replaced, e.g. `baseline + {\"model\"+: {\"encoder\": {\"type\": "
        "\"cnn\", \"embedding_dim\": 16, \"num_filters\": 16, \"ngram_filter_sizes\": [2, 3]}}}`; for an lstm the "
        "parameters are \"input_size\": 16 and \"hidden_size\".",
    ),
    "3.1": (
        "Start from the baseline (`local baseline = import \"baseline.jsonnet\"; baseline + {...}`) and change "
        "exactly four parts: the reader's tokenizer and token_indexers, the model's embedder and encoder, and the "
        "trainer's optimizer. configs/bert.jsonnet is the same swap for the movie reviews.",
        "All three data/model parts name the same pretrained model: \"minilm\". The tokenizer and the indexer "
        "are {\"type\": \"pretrained_transformer\", \"model_name\": \"minilm\"}; the indexer and the token "
        "embedder keep the baseline's key (\"tokens\"), so the embedder finds the indexer's ids. A transformer's "
        "[CLS] vector is pooled by {\"type\": \"bert_pooler\", \"pretrained_model\": \"minilm\"}.",
        "Fine-tuning needs a small learning rate: \"optimizer\": {\"type\": \"huggingface_adamw\", \"lr\": 5e-5}. "
        "Use `\"dataset_reader\"+: {...}`, `\"model\"+: {...}` and `\"trainer\"+: {...}` so everything else stays "
        "as in the baseline.",
    ),
    "3.2": (
        "Your page is a folder with an index.html that the server sends for GET /. Start from the built-in "
        "page (lib/swapnlp/serving/page/index.html): it needs a <title> of your own, a text box named after the "
        "model's field (<textarea name=\"sentence\">), a button, and a script that posts to /predict.",
        "You do not have to write JavaScript: <script src=\"/_swapnlp/demo.js\"></script> is always served, "
        "and it wires up <form id=\"demo-form\">, <div id=\"error\">, <section id=\"result\"> with "
        "<strong id=\"label\"> and <div id=\"bars\">. Link your CSS by file name (href=\"style.css\"), "
        "never from a CDN: the demo must work offline.",
        "In write_page: (folder / \"style.css\").write_text(\"body { font-family: serif; }\") and "
        "(folder / \"index.html\").write_text(...) with <title>My demo</title>, <link rel=\"stylesheet\" "
        "href=\"style.css\">, <form id=\"demo-form\"><textarea name=\"sentence\"></textarea><button>Predict"
        "</button></form>, <div id=\"error\" hidden></div>, <section id=\"result\" hidden><strong "
        "id=\"label\"></strong><div id=\"bars\"></div></section> and the demo.js script tag.",
    ),
    "3.3": (
        "Two settings change when training moves to several devices: which devices the workers use (the "
        "top-level \"distributed\" part of the config) and how many instances each worker puts in a batch "
        "(data_loader.batch_size, counted per worker).",
        "Every optimizer step averages the gradients of one batch from EACH worker, so a step sees "
        "batch_size x number of workers instances: the effective batch. To keep it, divide it by "
        "len(cuda_devices).",
        "return {\"distributed\": {\"cuda_devices\": list(cuda_devices)}, "
        "\"data_loader\": {\"batch_size\": effective_batch_size // len(cuda_devices)}} -- and nothing under "
        "\"trainer\": the distributed list gives each worker its device.",
    ),
    "3.4": (
        "Run the dry-run cell on the broken config and read its error: it names the config key at fault. Fix "
        "that one thing, run the dry run again, and repeat until it passes: it stops at the first problem.",
        "Two things are wrong. The embedder makes 16-dim vectors but the encoder expects another size (they "
        "must match), and trainer.validation_metric names a metric the model does not report (look closely "
        "at its spelling: the model reports \"accuracy\" and \"loss\").",
        "Start from the broken file and change just those two values: `local broken = import \"broken.jsonnet\"; "
        "broken + {\"model\"+: {\"encoder\"+: {\"embedding_dim\": 16}}, \"trainer\"+: {\"validation_metric\": "
        "\"+accuracy\"}}`.",
    ),
    "3.5": (
        "A search space is a dict with one entry per std.extVar variable of the config (here \"lr\" and "
        "\"embedding_dim\"); each entry is {\"type\": ..., ...} with the types choice, int, uniform, loguniform "
        "(see lib/swapnlp/tuning/search_space.py).",
        "Learning rates are searched on a log scale (0.001 and 0.01 are as different as 0.01 and 0.1): use "
        "\"loguniform\" with \"low\" and \"high\". The embedding size is a whole number: a \"choice\" of a few "
        "integers, or an \"int\" range.",
        "return {\"lr\": {\"type\": \"loguniform\", \"low\": 0.001, \"high\": 0.1}, "
        "\"embedding_dim\": {\"type\": \"choice\", \"choices\": [8, 16, 32]}}",
    ),
    "3.6": (
        "The wizard starts from the bag-of-embeddings config, which cannot learn that \"not good\" is negative: "
        "it averages the words. Your configure(wizard) changes what must change, with wizard.choose(path, name) "
        "and wizard.set(path, value). Run `swapnlp describe encoder` (or look at the wizard) for the encoders.",
        "wizard.choose(\"model.encoder\", \"cnn\") (or \"lstm\", \"gru\"): the wizard fills in the input size "
        "from the embedder. Then set the encoder's other required parameters if you like, and the trainer's "
        "num_epochs (at most 15). wizard.problems() shows what does not build, with from_params' message.",
        "e.g. wizard.choose(\"model.encoder\", \"cnn\"); wizard.set(\"model.encoder.num_filters\", 16); "
        "wizard.set(\"model.encoder.ngram_filter_sizes\", [2, 3]); wizard.set(\"trainer.optimizer.lr\", 0.01); "
        "wizard.set(\"trainer.num_epochs\", 8)",
    ),
}


def hints_for(exercise_id: str) -> Tuple[str, ...]:
    syllabus.exercise(exercise_id)  # a clear KeyError for an unknown id
    return HINTS.get(exercise_id, ())


def hint(exercise_id: str, which: Union[int, str, None] = None) -> None:
    """Print the next hint of `exercise_id` (and remember it was shown); `which` = a hint number or "all"."""
    print(hint_text(exercise_id, which))


def hint_text(exercise_id: str, which: Union[int, str, None] = None) -> str:
    """What `hint` prints (and records as shown)."""
    hints = hints_for(exercise_id)
    if not hints:
        return f"Exercise {exercise_id} has no hints yet."
    total = len(hints)
    if which == "all":
        numbers: List[int] = list(range(1, total + 1))
    elif which is not None:
        number = int(which)
        if not 1 <= number <= total:
            raise ValueError(f"exercise {exercise_id} has hints 1 to {total}, not {number}")
        numbers = [number]
    else:
        shown = progress.hints_shown(exercise_id)
        numbers = [min(shown + 1, total)]
    lines = [f"Hint {n}/{total}: {hints[n - 1]}" for n in numbers]
    if which is None and progress.hints_shown(exercise_id) >= total:
        lines.append(f"That was the last hint. The reference solution is {syllabus.exercise(exercise_id).solution}.")
    try:
        progress.record_hint(exercise_id, max(numbers))
    except OSError:
        pass  # a read-only data folder must not stop the hint from showing
    return "\n".join(lines)


def next_hint_number(exercise_id: str) -> Optional[int]:
    total = len(hints_for(exercise_id))
    shown = progress.hints_shown(exercise_id)
    return shown + 1 if shown < total else None
