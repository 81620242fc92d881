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
        "parameters. `swapnlp describe encoder` lists them; configs/cnn.jsonnet and configs/lstm.jsonnet use two.",
        "A bag of embeddings averages the word vectors, so \"not good\" and \"good ... not\" look alike. An "
        "encoder that sees neighbours (a cnn with n-grams of 2 or more) or reads in order (lstm, gru, transformer) "
        "can learn the flip. Its input size must be the embedding size, 16.",
        "e.g. `baseline + {\"model\"+: {\"encoder\": {\"type\": \"gru\", \"input_size\": 16, \"hidden_size\": "
        "16}}}` (a cnn takes \"embedding_dim\", \"num_filters\" and \"ngram_filter_sizes\": [2, 3]); add "
        "`\"trainer\"+: {\"num_epochs\": 12}` if it is close to 0.90.",
    ),
    "3.1": (
        "Start from the baseline (`local baseline = import \"baseline.jsonnet\"; baseline + {...}`): the reader must "
        "cut text into the model's wordpieces and index them with its vocabulary, and the embedder must be the "
        "pretrained model. configs/bert.jsonnet is the same swap for the movie reviews.",
        "The tokenizer, the indexer and the token embedder are {\"type\": \"pretrained_transformer\", "
        "\"model_name\": \"minilm\"}; the indexer keeps the baseline's key (\"tokens\") so the embedder finds its "
        "ids. The encoder pools the wordpiece vectors into one: chapter 03.1 uses mean_pooler. Fine-tuning needs a "
        "small learning rate (1e-5 to 1e-4).",
        "`baseline + {\"dataset_reader\"+: {\"tokenizer\": T, \"token_indexers\": {\"tokens\": T}}, \"model\"+: "
        "{\"embedder\": {\"token_embedders\": {\"tokens\": T}}, \"encoder\": {\"type\": \"mean_pooler\", "
        "\"model_name\": \"minilm\"}}, \"trainer\"+: {\"optimizer\": {...}}}` with T as above and an "
        "AdamW optimizer of your choice.",
    ),
    "3.1b": (
        "Chapter 03.1, section 2 (Long reviews: truncate, or fold): a truncated text is cut by the tokenizer; a "
        "folded one is laid out in segments by the indexer and read segment by segment by the embedder. Both "
        "configs start from transformer.jsonnet and change only those parts.",
        "Truncated: `max_length` (at most 512, special tokens included) and `truncation` (\"head\", \"tail\" or "
        "\"head+tail\") on the reader's tokenizer. Folded: the SAME `max_length` on the token indexer and on the "
        "token embedder, and none on the tokenizer (it must keep every wordpiece).",
        "return {\"truncated\": 'local base = import \"transformer.jsonnet\"; base + {\"dataset_reader\"+: "
        "{\"tokenizer\"+: {...max_length and truncation...}}}', \"folded\": 'local base = ...; base + "
        "{\"dataset_reader\"+: {\"token_indexers\"+: {\"tokens\"+: {\"max_length\": 256}}}, \"model\"+: {...the "
        "same max_length under embedder, token_embedders, tokens...}}'} (each config in a triple-quoted string).",
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
        "Both configs start from transformer.jsonnet (`local base = import \"transformer.jsonnet\"; base + {...}`) "
        "and change only the pretrained_transformer token embedder (and, if you like, the trainer). Its options "
        "are its constructor's parameters: lib/swapnlp/modules/token_embedders/pretrained_transformer_embedder.py.",
        "Frozen: `train_parameters: false` on the embedder: no transformer weight gets a gradient and only the "
        "classification layer learns, so it can take a larger learning rate (1e-3). Fine-tuned: train_parameters "
        "stays true; `train_layers: 2` (with `cache_frozen_layers: true`) trains only the top two layers, cheaper "
        "than all six. train_layers alone does not freeze the transformer: its top layers still learn.",
        "return {\"frozen\": 'local base = import \"transformer.jsonnet\"; base + {\"model\"+: {\"embedder\"+: "
        "{\"token_embedders\"+: {\"tokens\"+: {\"train_parameters\": false}}}}, \"trainer\"+: {\"optimizer\"+: "
        "{\"lr\": 1e-3}}}', \"fine_tuned\": 'local base = ...; base + {...the same path to \"tokens\", with the "
        "top layers to train...}'} (write each config on several lines in a triple-quoted string).",
    ),
    "3.4": (
        "A search space has one entry per std.extVar variable of the config (lr, dropout, num_filters), each "
        "{\"type\": ..., ...}; the types are choice, int, uniform and loguniform (lib/swapnlp/tuning/search_space.py).",
        "Match the distribution to the kind of number: a rate spans orders of magnitude (loguniform, or a choice "
        "of values like 0.001, 0.003, 0.01, ...); a probability is a plain range (uniform); a count is whole (int, "
        "or a choice of integers).",
        "return {\"lr\": {\"type\": \"loguniform\", \"low\": ..., \"high\": ...}, \"dropout\": {\"type\": "
        "\"uniform\", ...}, \"num_filters\": {\"type\": \"int\", \"low\": ..., \"high\": ...}} -- fill in "
        "ranges within the ones the task gives.",
    ),
    "3.5": (
        "Look at bag_of_embeddings.py: an encoder is a Seq2VecEncoder subclass with __init__ (its config keys), "
        "get_input_dim, get_output_dim and forward(tokens, mask). Yours goes in the text of my_encoders.py, with "
        "@Seq2VecEncoder.register(\"a_name_of_yours\") above the class.",
        "The mask is False at padding: keep those positions out, e.g. tokens.masked_fill(~mask.unsqueeze(-1), "
        "-1e4).max(dim=1).values for a maximum, or (tokens * mask.unsqueeze(-1)).sum(1) / mask.sum(1, "
        "keepdim=True) for a mean. write_module returns {\"type\": \"a_name_of_yours\", \"embedding_dim\": 16}.",
        "(folder / \"my_encoders.py\").write_text(SOURCE) with SOURCE: `import torch`, `from swapnlp.modules import "
        "Seq2VecEncoder`, the decorated class (__init__ stores embedding_dim and calls super().__init__(); both "
        "dims return it; forward returns the masked maximum), then return the config dict.",
    ),
    "3.6": (
        "A Predictor subclass needs _json_to_instance (self._dataset_reader.text_to_instance(json_dict[\"sentence\"])) "
        "and is registered with @Predictor.register(\"a_name\"). swapnlp predict calls predict_batch_json(inputs): "
        "override it, call super().predict_batch_json for the model's answers, and add \"top_words\".",
        "Weigh a word by leaving it out: predict the full sentence and each sentence with one word removed; the "
        "drop in the predicted label's probability (index = self.model.vocab.get_token_index(label, \"labels\")) "
        "is the word's weight. Sort the (word, weight) pairs heaviest first.",
        "for item in inputs: words = self.validate(item)[\"sentence\"].split(); variants = [full sentence] + [the "
        "sentence without word i, or \".\" if empty]; full, *without = super().predict_batch_json([{\"sentence\": v} "
        "for v in variants]); weights = [full[\"probs\"][index] - w[\"probs\"][index] for w in without]; "
        "full[\"top_words\"] = the three heaviest [word, weight] pairs.",
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
