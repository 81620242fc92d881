"""Learner answers written by the tests: for each exercise, correct answers that differ from the reference
solution (ALTERNATIVES: the one that also goes through nbval), and named mistakes with a piece of the ❌ line each
must produce (NBVAL_WRONG: the one that goes through nbval).

The code replaces the exercise's stub (`raise NotImplementedError(...)`), at the stub's indentation.
"""

from __future__ import annotations

from typing import Dict, Tuple

# ------------------------------------------------------------------------------------------------- 1.1
ALTERNATIVE_1_1 = '''
fields = {}
fields["text"] = TextField(list(self.tokenizer.tokenize(text)), token_indexers=self.token_indexers)
if label is None:
    return Instance(fields)
fields["label"] = LabelField(str(label), label_namespace="labels")
return Instance(fields)
'''

WRONG_1_1: Dict[str, Tuple[str, str]] = {
    "label even when there is none": ('''
tokens = self.tokenizer.tokenize(text)
return Instance({"text": TextField(tokens, self.token_indexers), "label": LabelField(label)})
''', 'must have only the "text" field'),
    "str.split instead of the tokenizer": ('''
from swapnlp.data import Token
fields = {"text": TextField([Token(word) for word in text.split()], self.token_indexers)}
if label is not None:
    fields["label"] = LabelField(label)
return Instance(fields)
''', "split the text with the reader's tokenizer"),
    "new indexers instead of the reader's": ('''
fields = {"text": TextField(self.tokenizer.tokenize(text), {"tokens": SingleIdTokenIndexer()})}
if label is not None:
    fields["label"] = LabelField(label)
return Instance(fields)
''', "the reader's token indexers"),
    "another field name": ('''
fields = {"sentence": TextField(self.tokenizer.tokenize(text), self.token_indexers)}
if label is not None:
    fields["label"] = LabelField(label)
return Instance(fields)
''', 'exactly the fields "text" and "label"'),
    "a changed label": ('''
fields = {"text": TextField(self.tokenizer.tokenize(text), self.token_indexers)}
if label is not None:
    fields["label"] = LabelField(label.upper())
return Instance(fields)
''', "must hold the label it was given"),
    "plain strings as tokens": ('''
fields = {"text": TextField(text.split(), self.token_indexers)}
if label is not None:
    fields["label"] = LabelField(label)
return Instance(fields)
''', "not plain strings"),
    "returns a dict": ('''
fields = {"text": TextField(self.tokenizer.tokenize(text), self.token_indexers)}
if label is not None:
    fields["label"] = LabelField(label)
return fields
''', "must return an Instance"),
}

# ------------------------------------------------------------------------------------------------- 1.2
ALTERNATIVE_1_2 = '''
mask = text["tokens"]["tokens"] != 0
vectors = self.encoder(self.embedder(text), mask=mask)
logits = self.classifier(vectors)
log_probs = torch.log_softmax(logits, dim=1)
result = dict(logits=logits, probs=log_probs.exp())
if label is not None:
    result["loss"] = torch.nn.functional.nll_loss(log_probs, label)
    self.accuracy(predictions=logits, gold_labels=label)
return result
'''

_FORWARD = '''
mask = get_text_field_mask(text)
logits = self.classifier(self.encoder(self.embedder(text), mask))
output = {{"logits": logits, "probs": {probs}}}
if label is not None:
    output["loss"] = {loss}
    {metric}
return output
'''


def _forward(probs: str = "torch.softmax(logits, dim=-1)",
             loss: str = "torch.nn.functional.cross_entropy(logits, label)",
             metric: str = "self.accuracy(logits, label)") -> str:
    return _FORWARD.format(probs=probs, loss=loss, metric=metric)


WRONG_1_2: Dict[str, Tuple[str, str]] = {
    "forgets the mask": ('''
embedded = self.embedder(text)
logits = self.classifier(self.encoder(embedded))
output = {"logits": logits, "probs": torch.softmax(logits, dim=-1)}
if label is not None:
    output["loss"] = torch.nn.functional.cross_entropy(logits, label)
    self.accuracy(logits, label)
return output
''', "pass it to the encoder"),
    "unnormalised probs": (_forward(probs="logits"), "probability distribution"),
    "softmax over the batch": (_forward(probs="torch.softmax(logits, dim=0)"), "probability distribution"),
    "loss of the probs": (_forward(loss="torch.nn.functional.cross_entropy(torch.softmax(logits, dim=-1), label)"),
                          "the loss is computed from the probs"),
    "no accuracy": (_forward(metric="pass"), "call self.accuracy(logits, label)"),
    "detached": (_forward().replace("logits = self.classifier(", "logits = self.classifier(").replace(
        "self.encoder(self.embedder(text), mask)", "self.encoder(self.embedder(text), mask).detach()"),
        "no gradient reaches the embedder"),
}

# ------------------------------------------------------------------------------------------------- 2.1
def _encoder_2_1(encoder: str, extra: str = "") -> str:
    return f"""
return '''
local baseline = import "baseline.jsonnet";
baseline + {{"model"+: {{"encoder": {encoder}}}{extra}}}
'''
"""


# any encoder that reads word order: judged by the dev accuracy its run reaches
ALTERNATIVES_2_1 = {
    "lstm": _encoder_2_1('{"type": "lstm", "input_size": 16, "hidden_size": 24}'),
    "bidirectional gru, more epochs": _encoder_2_1('{"type": "gru", "input_size": 16, "hidden_size": 16, '
                                                   '"bidirectional": true}', ', "trainer"+: {"num_epochs": 12}'),
    "the learner's own bigram encoder": '''
import torch
from swapnlp.modules import Seq2VecEncoder

@Seq2VecEncoder.register("bigram_max_2_1", exist_ok=True)
class BigramMax(Seq2VecEncoder):
    """Each word next to the word before it, through a linear layer, max-pooled over the text."""
    def __init__(self, embedding_dim: int) -> None:
        super().__init__()
        self.dim, self.pair = embedding_dim, torch.nn.Linear(2 * embedding_dim, 32)
    def get_input_dim(self): return self.dim
    def get_output_dim(self): return 32
    def forward(self, tokens, mask=None):
        before = torch.nn.functional.pad(tokens, (0, 0, 1, 0))[:, :-1]
        pairs = torch.relu(self.pair(torch.cat([before, tokens], dim=-1)))
        return pairs.masked_fill(~mask.unsqueeze(-1), 0).max(dim=1).values
''' + _encoder_2_1('{"type": "bigram_max_2_1", "embedding_dim": 16}'),
}
ALTERNATIVE_2_1 = ALTERNATIVES_2_1["lstm"]

WRONG_2_1_ALL: Dict[str, Tuple[str, str]] = {
    "still a bag of embeddings": (_encoder_2_1('{"type": "bag_of_embeddings", "embedding_dim": 16, "averaged": false}'),
                                  "still a bag_of_embeddings"),
    "a bigger batch on the side": (_encoder_2_1('{"type": "lstm", "input_size": 16, "hidden_size": 24}',
                                                ', "data_loader"+: {"batch_size": 64}'),
                                   'keep "data_loader" as in the baseline'),
    "an order-blind encoder of a different name": (_encoder_2_1('{"type": "cnn", "embedding_dim": 16, '
                                                                '"num_filters": 16, "ngram_filter_sizes": [1]}'),
                                                   "does it read word order?"),
}
WRONG_2_1, WRONG_2_1_MESSAGE = WRONG_2_1_ALL["still a bag of embeddings"]

ALTERNATIVES = {"1.1": ALTERNATIVE_1_1, "1.2": ALTERNATIVE_1_2, "2.1": ALTERNATIVE_2_1}
# the one subtly wrong answer per exercise that also goes through nbval
NBVAL_WRONG = {
    "1.1": WRONG_1_1["label even when there is none"],
    "1.2": WRONG_1_2["forgets the mask"],
    "2.1": (WRONG_2_1, WRONG_2_1_MESSAGE),
}


# ------------------------------------------------------------------------------------------------- 3.2
# The learner's write_page(folder) body: a page of their own for `swapnlp serve --static-dir`.
ALTERNATIVE_3_2 = '''
page = """<!doctype html>
<html><head><meta charset="utf-8"><title>Thumbs up or down?</title>
<style>body { font-family: sans-serif; max-width: 36rem; margin: 2rem auto; }</style></head>
<body><h1>Thumbs up or down?</h1>
<input type="text" id="sentence" size="60"> <button onclick="go()">Ask the model</button>
<p id="answer"></p>
<script>
async function go() {
  const response = await fetch("/predict", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({sentence: document.getElementById("sentence").value})});
  const answer = await response.json();
  document.getElementById("answer").textContent = response.ok ? answer.label : answer.detail;
}
</script></body></html>
"""
(folder / "index.html").write_text(page, encoding="utf-8")
'''


def _page_3_2(head: str = '<title>My mood meter</title><link rel="stylesheet" href="style.css">',
              box: str = '<textarea name="sentence"></textarea>', script: str = '/_swapnlp/demo.js',
              css_file: str = "style.css") -> str:
    return f"""
(folder / "{css_file}").write_text("body {{ font-family: serif; }}")
(folder / "index.html").write_text(\'\'\'<!doctype html>
<html><head><meta charset="utf-8">{head}</head><body>
<form id="demo-form">{box}<button>Predict</button></form>
<div id="error" hidden></div><section id="result" hidden><strong id="label"></strong><div id="bars"></div></section>
<script src="{script}"></script></body></html>\'\'\')
"""


# two more correct pages: a relative fetch("predict") with a form's submit event, and XMLHttpRequest
ALTERNATIVES_3_2 = {
    "own fetch to /predict": ALTERNATIVE_3_2,
    "relative fetch on submit": '''
(folder / "index.html").write_text("""<!doctype html><html><head><title>Review reader</title></head><body>
<form id="f"><label>Review <input name="sentence"></label><input type="submit" value="Read it"></form>
<output id="out"></output>
<script>
document.getElementById("f").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = JSON.stringify({sentence: event.target.sentence.value});
  const answer = await (await fetch("predict", {method: "POST", body, headers: {"Content-Type": "application/json"}})).json();
  document.getElementById("out").textContent = "the model says: " + answer.label;
});
</script></body></html>""")
''',
    "XMLHttpRequest in its own file": '''
(folder / "app.js").write_text("""
function ask() {
  const request = new XMLHttpRequest();
  request.open("POST", "/predict");
  request.setRequestHeader("Content-Type", "application/json");
  request.onload = () => { document.getElementById("verdict").textContent = JSON.parse(request.responseText).label; };
  request.send(JSON.stringify({sentence: document.getElementById("sentence").value}));
}
""")
(folder / "index.html").write_text("""<!doctype html><html><head><title>XHR demo</title><script src="app.js"></script>
</head><body><textarea id="sentence"></textarea><button type="button" onclick="ask()">Go</button>
<p id="verdict"></p></body></html>""")
''',
}

WRONG_3_2: Dict[str, Tuple[str, str]] = {
    "/predict only in a comment": ('''
(folder / "index.html").write_text("""<!doctype html><html><head><title>Not wired</title></head><body>
<textarea name="sentence"></textarea><button>Predict</button>
<script>
// TODO: fetch("/predict", ...) when the button is clicked
</script></body></html>""")
''', "prediction request"),
    "a stylesheet from a CDN": (_page_3_2(head='<title>My mood meter</title><link rel="stylesheet" '
                                               'href="https://cdn.jsdelivr.net/npm/water.css@2/out/water.css">'),
                                "loads a stylesheet from the internet"),
    "a misspelt css file": (_page_3_2(css_file="styles.css"), "the server answers 404 for it"),
    "no text box for the field": (_page_3_2(box='<textarea name="review"></textarea>'),
                                  'no text box for the model\'s field "sentence"'),
    "the default title": (_page_3_2(head="<title>Swappable NLP demo</title>"), "give your page its own <title>"),
    "no script that predicts": (_page_3_2(script="style.css"), "prediction request"),
    "the page in the wrong folder": ('''
(folder.parent / "index.html").write_text("<title>Lost page</title>")
''', "there is no index.html in PAGE_DIR"),
}

ALTERNATIVES["3.2"] = ALTERNATIVE_3_2
NBVAL_WRONG["3.2"] = WRONG_3_2["a stylesheet from a CDN"]


# ------------------------------------------------------------------------------------------------- 3.4
# The body of search_space(): a dict in the --search JSON format, over lr, dropout and num_filters.
def _space_3_4(lr: str = '{"type": "loguniform", "low": 0.001, "high": 0.1}',
               dropout: str = '{"type": "uniform", "low": 0.0, "high": 0.5}',
               filters: str = '{"type": "int", "low": 4, "high": 32}', extra: str = "") -> str:
    return f'return {{"lr": {lr}, "dropout": {dropout}, "num_filters": {filters}{extra}}}'


ALTERNATIVES_3_4 = {
    "a log-spaced grid of learning rates": _space_3_4(
        lr='{"type": "choice", "choices": [0.001, 0.003, 0.01, 0.03, 0.1]}',
        dropout='{"type": "choice", "choices": [0.0, 0.2, 0.4]}', filters='{"type": "choice", "choices": [8, 16, 32]}'),
    "built step by step, an int range with a step": '''
space = {}
space["num_filters"] = {"type": "int", "low": 8, "high": 64, "step": 8}
space["dropout"] = {"type": "uniform", "low": 0.1, "high": 0.6}
space["lr"] = {"type": "loguniform", "low": 0.0003, "high": 0.3}
return space
''',
    "an int range on a log scale": _space_3_4(filters='{"type": "int", "low": 4, "high": 64, "log": True}'),
}
ALTERNATIVE_3_4 = ALTERNATIVES_3_4["a log-spaced grid of learning rates"]

WRONG_3_4: Dict[str, Tuple[str, str]] = {
    "a uniform learning rate": (_space_3_4(lr='{"type": "uniform", "low": 0.001, "high": 0.1}'),
                                'Make it a "loguniform"'),
    "a variable the config never reads": (_space_3_4(extra=', "embedding_dim": {"type": "choice", "choices": [8, 16]}'),
                                          'the config never reads "embedding_dim"'),
    "dropout forgotten": ('return {"lr": {"type": "loguniform", "low": 0.001, "high": 0.1}, '
                          '"num_filters": {"type": "int", "low": 4, "high": 32}}',
                          'the search space must declare "dropout"'),
    "a fractional number of filters": (_space_3_4(filters='{"type": "uniform", "low": 4, "high": 32}'),
                                       '"num_filters" is a whole number'),
    "a misspelt type": (_space_3_4(lr='{"type": "log-uniform", "low": 0.001, "high": 0.1}'),
                        'unknown type "log-uniform". Did you mean "loguniform"'),
}
ALTERNATIVES["3.4"] = ALTERNATIVE_3_4
NBVAL_WRONG["3.4"] = WRONG_3_4["a uniform learning rate"]


# ------------------------------------------------------------------------------------------------- 3.1
# The body of experiment_config(): the baseline with a pretrained transformer swapped in.
ALTERNATIVE_3_1 = """
return '''
local baseline = import "baseline.jsonnet";
local name = "sentence-transformers/all-MiniLM-L6-v2";
baseline + {
  "dataset_reader"+: {"tokenizer": {"type": "pretrained_transformer", "model_name": name},
                      "token_indexers": {"tokens": {"type": "pretrained_transformer", "model_name": "minilm"}}},
  "model"+: {"embedder": {"token_embedders": {"tokens": {"type": "pretrained_transformer", "model_name": name}}},
             "encoder": {"type": "cls_pooler", "embedding_dim": 384}},
  "trainer"+: {"optimizer": {"type": "adamw", "lr": 8e-5}},
}
'''
"""

_SWAP_3_1 = '''
local baseline = import "baseline.jsonnet";
baseline + {
  "dataset_reader"+: {READER_EXTRA"tokenizer": {"type": "pretrained_transformer", "model_name": "minilm"},
                      "token_indexers": {"tokens": INDEXER}},
  "model"+: {"embedder": {"token_embedders": {"tokens": {"type": "pretrained_transformer", "model_name": "minilm"}}},
             "encoder": {"type": "bert_pooler", "pretrained_model": "minilm"}},
  "trainer"+: {"optimizer": OPTIMIZER},
}
'''


def _swap_3_1(indexer: str = '{"type": "pretrained_transformer", "model_name": "minilm"}',
              optimizer: str = '{"type": "huggingface_adamw", "lr": 5e-5}', reader_extra: str = "") -> str:
    text = _SWAP_3_1.replace("INDEXER", indexer).replace("OPTIMIZER", optimizer).replace("READER_EXTRA", reader_extra)
    return f"return '''{text}'''"


WRONG_3_1: Dict[str, Tuple[str, str]] = {
    "the baseline's learning rate": (_swap_3_1(optimizer='{"type": "adam", "lr": 0.01}'),
                                     "a learning rate of 0.01 is large for fine-tuning"),
    "the indexer left as single_id": (_swap_3_1(indexer='{"type": "single_id"}'),
                                      "must be a pretrained_transformer indexer"),
    "fewer training examples": (_swap_3_1(reader_extra='"max_instances": 40, '),
                                "you also changed dataset_reader.max_instances"),
    "the indexer names another model": (_swap_3_1(indexer='{"type": "pretrained_transformer", "model_name": "mpnet"}'),
                                        "dataset_reader.token_indexers.tokens.model_name"),
}
ALTERNATIVES["3.1"] = ALTERNATIVE_3_1
NBVAL_WRONG["3.1"] = WRONG_3_1["the baseline's learning rate"]


# ------------------------------------------------------------------------------------------------- 3.5
# The body of write_module(folder): writes my_encoders.py, returns the encoder's config.
def _module_3_5(name: str, init: str, output_dim: str, forward: str, config: str, body: str = "") -> str:
    source = f"""
import torch
from swapnlp.modules import Seq2VecEncoder


@Seq2VecEncoder.register("{name}")
class LearnerEncoder(Seq2VecEncoder):
    def __init__(self, embedding_dim: int{init}) -> None:
        super().__init__()
        self.embedding_dim = embedding_dim
{body}
    def get_input_dim(self):
        return self.embedding_dim

    def get_output_dim(self):
        return {output_dim}

    def forward(self, tokens, mask=None):
{forward}
"""
    return f"(folder / \"my_encoders.py\").write_text({source!r})\nreturn {config}"


def _encoder_3_5(name="learner_pool", init="", body="", output_dim="self.embedding_dim", forward="",
                 config='{"type": "learner_pool", "embedding_dim": 16}') -> str:
    return _module_3_5(name, init, output_dim, forward, config, body)


_MAX = """        keep = mask.unsqueeze(-1)
        return tokens.masked_fill(~keep, -1e4).max(dim=1).values"""
ALTERNATIVES_3_5 = {
    "max pooling": _encoder_3_5(forward=_MAX),
    "an attention-weighted mean": _encoder_3_5(
        name="attention_pool", body="        self.score = torch.nn.Linear(embedding_dim, 1)\n",
        forward="""        scores = self.score(tokens).squeeze(-1).masked_fill(~mask, -1e4)
        weights = torch.softmax(scores, dim=-1).unsqueeze(-1)
        return (weights * tokens).sum(dim=1)""", config='{"type": "attention_pool", "embedding_dim": 16}'),
    "a projected mean, with a width parameter": _encoder_3_5(
        name="projected_mean", init=", width: int = 24",
        body="        self.project = torch.nn.Linear(embedding_dim, width)\n        self.width = width\n",
        output_dim="self.width",
        forward="""        keep = mask.unsqueeze(-1)
        projected = torch.tanh(self.project(tokens))
        return (projected * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1)""",
        config='{"type": "projected_mean", "embedding_dim": 16, "width": 12}'),
}
ALTERNATIVE_3_5 = ALTERNATIVES_3_5["max pooling"]
WRONG_3_5: Dict[str, Tuple[str, str]] = {
    "padding left in the mean": (_encoder_3_5(forward="        return tokens.mean(dim=1)"),
                                 "changes with the padding after it"),
    "a wrong output size": (_encoder_3_5(output_dim="2 * self.embedding_dim", forward=_MAX),
                            "get_output_dim() says 32"),
    "a built-in name": (_encoder_3_5(name="cnn", forward=_MAX, config='{"type": "cnn", "embedding_dim": 16}'),
                        '"cnn" is a built-in encoder'),
    "not registered under the config's name": (_encoder_3_5(forward=_MAX,
                                                            config='{"type": "learner_poll", "embedding_dim": 16}'),
                                               'does not list "learner_poll"'),
}
ALTERNATIVES["3.5"] = ALTERNATIVE_3_5
NBVAL_WRONG["3.5"] = WRONG_3_5["padding left in the mean"]


# ------------------------------------------------------------------------------------------------- 3.6
# The body of write_module(folder): writes my_predictors.py, returns the predictor's name.
_PREDICTOR_3_6 = """
from swapnlp.predictors import Predictor


@Predictor.register("NAME")
class LearnerPredictor(Predictor):
    input_fields = ["sentence"]

    def _json_to_instance(self, json_dict):
        return self._dataset_reader.text_to_instance(json_dict["sentence"])

    def predict_batch_json(self, inputs):
        answers = []
        for item in inputs:
            words = self.validate(item)["sentence"].split()
            texts = [" ".join(words)] + [" ".join(words[:i] + words[i + 1:]) or "." for i in range(len(words))]
            full, *rest = super().predict_batch_json([{"sentence": text} for text in texts])
            index = self.model.vocab.get_token_index(full["label"], "labels")
            WEIGHTS
            ranked = sorted(zip(words, weights), key=lambda pair: pair[1], reverse=REVERSE)
            full["top_words"] = FORMAT
            answers.append(full)
        return answers
"""


def _predictor_3_6(name="word_weights", weights="weights = [full['probs'][index] - r['probs'][index] for r in rest]",
                   reverse="True", fmt="[[w, x] for w, x in ranked[:3]]") -> str:
    source = (_PREDICTOR_3_6.replace("NAME", name).replace("WEIGHTS", weights).replace("REVERSE", reverse)
              .replace("FORMAT", fmt))
    return f"(folder / \"my_predictors.py\").write_text({source!r})\nreturn \"{name}\""


ALTERNATIVES_3_6 = {
    "occlusion, all words": _predictor_3_6(fmt="[[w, x] for w, x in ranked]"),
    "word and weight objects, the logit drop": _predictor_3_6(
        name="logit_drop", weights="weights = [full['logits'][index] - r['logits'][index] for r in rest]",
        fmt='[{"word": w, "weight": x} for w, x in ranked[:2]]'),
    "the other label's gain, two words": _predictor_3_6(
        name="other_gain", weights="weights = [r['probs'][1 - index] - full['probs'][1 - index] for r in rest]",
        fmt="[[w, round(x, 3)] for w, x in ranked[:2]]"),
}
ALTERNATIVE_3_6 = ALTERNATIVES_3_6["occlusion, all words"]
WRONG_3_6: Dict[str, Tuple[str, str]] = {
    "lightest first": (_predictor_3_6(reverse="False", fmt="[[w, -x] for w, x in ranked[:3]]"),
                       "comes first in top_words for only"),
    "weights not sorted": (_predictor_3_6(reverse="False"), "must be heaviest first"),
    "no top_words at all": (_predictor_3_6(fmt="None"),
                            'top_words'),
    "the name the module does not register": (_predictor_3_6().replace('return \"word_weights\"', 'return \"top_words\"'),
                                              "failed"),
}
ALTERNATIVES["3.6"] = ALTERNATIVE_3_6
NBVAL_WRONG["3.6"] = WRONG_3_6["lightest first"]


# ------------------------------------------------------------------------------------------------- 3.1b
# The body of experiment_configs(): {"truncated": Jsonnet, "folded": Jsonnet}, both from transformer.jsonnet.
def _configs_3_1b(truncated: str, folded: str) -> str:
    def jsonnet(change: str) -> str:
        return f'local base = import "transformer.jsonnet";\nbase + {change}'
    return f'return {{"truncated": """{jsonnet(truncated)}""",\n        "folded": """{jsonnet(folded)}"""}}'


_TRUNCATE = '{"dataset_reader"+: {"tokenizer"+: {"max_length": LENGTH, "truncation": "WHICH"}}}'
_FOLD = ('{"dataset_reader"+: {"token_indexers"+: {"tokens"+: {"max_length": LENGTH}}}, '
         '"model"+: {"embedder"+: {"token_embedders"+: {"tokens"+: {"max_length": LENGTH}}}}}')


def _truncate(length: int = 256, which: str = "head+tail") -> str:
    return _TRUNCATE.replace("LENGTH", str(length)).replace("WHICH", which)


def _fold(length: int = 256) -> str:
    return _FOLD.replace("LENGTH", str(length))


ALTERNATIVES_3_1B = {
    "the tail of 128, segments of 128": _configs_3_1b(_truncate(128, "tail"), _fold(128)),
    "the default head of 300, segments of 512": _configs_3_1b('{"dataset_reader"+: {"tokenizer"+: {"max_length": 300}}}',
                                                              _fold(512)),
    "parts written in full, a local segment length": _configs_3_1b(
        '{"dataset_reader"+: {"tokenizer": base.dataset_reader.tokenizer + {"max_length": 64, "truncation": "head"}}}',
        '{local segment = 100, "dataset_reader"+: {"token_indexers": {"tokens": '
        'base.dataset_reader.token_indexers.tokens + {"max_length": segment}}}, "model"+: {"embedder": {"token_embedders": '
        '{"tokens": base.model.embedder.token_embedders.tokens + {"max_length": segment}}}}}'),
}
WRONG_3_1B: Dict[str, Tuple[str, str]] = {
    "folding on the indexer only": (_configs_3_1b(_truncate(), '{"dataset_reader"+: {"token_indexers"+: {"tokens"+: '
                                                                '{"max_length": 256}}}}'),
                                    "set the same value on both"),
    "the folded config truncates": (_configs_3_1b(_truncate(), _truncate(256, "head")), "folding keeps them all"),
    "the two swapped": (_configs_3_1b(_fold(), _truncate()), "that is folding"),
    "a max_length beyond the model's positions": (_configs_3_1b(_truncate(1024), _fold()),
                                                  "more than the 512 it can take"),
    "a pooler changed on the side": (_configs_3_1b('{"dataset_reader"+: {"tokenizer"+: {"max_length": 256}}, '
                                                   '"model"+: {"encoder": {"type": "cls_pooler", "embedding_dim": 32}}}',
                                                   _fold()), "changes model.encoder"),
}
ALTERNATIVES["3.1b"] = ALTERNATIVES_3_1B["the tail of 128, segments of 128"]
NBVAL_WRONG["3.1b"] = WRONG_3_1B["folding on the indexer only"]


# ------------------------------------------------------------------------------------------------- 3.3
# The body of experiment_configs(): {"frozen": Jsonnet, "fine_tuned": Jsonnet}, both from transformer.jsonnet.
def _configs_3_3(frozen: str, fine_tuned: str) -> str:
    def jsonnet(change: str) -> str:
        return f'local base = import "transformer.jsonnet";\nbase + {change}'
    return f'return {{"frozen": """{jsonnet(frozen)}""",\n        "fine_tuned": """{jsonnet(fine_tuned)}"""}}'


def _embedder_3_3(options: str, trainer: str = "") -> str:
    return '{"model"+: {"embedder"+: {"token_embedders"+: {"tokens"+: ' + options + "}}}" + \
        (f', "trainer"+: {trainer}' if trainer else "") + "}"


_FROZEN = _embedder_3_3('{"train_parameters": false}', '{"optimizer"+: {"lr": 1e-3}}')
ALTERNATIVES_3_3 = {
    "frozen; the top two layers with cached frozen ones": _configs_3_3(
        _FROZEN, _embedder_3_3('{"train_layers": 2, "cache_frozen_layers": true}', '{"optimizer"+: {"lr": 1e-4}}')),
    "frozen with a learned mix of layers; every layer fine-tuned": _configs_3_3(
        _embedder_3_3('{"train_parameters": false, "last_layer_only": false}'), "{}"),
    "frozen with SGD; the top layer, a warm-up schedule and a bert pooler": _configs_3_3(
        _embedder_3_3('{"train_parameters": false}', '{"optimizer": {"type": "sgd", "lr": 0.1}}'),
        '{"model"+: {"embedder"+: {"token_embedders"+: {"tokens"+: {"train_layers": 1}}}, '
        '"encoder": {"type": "bert_pooler", "model_name": base.model.encoder.model_name}}, '
        '"trainer"+: {"learning_rate_scheduler": {"type": "linear_with_warmup", "warmup_steps": 2}}}'),
}
WRONG_3_3: Dict[str, Tuple[str, str]] = {
    "train_layers taken for freezing": (_configs_3_3(_embedder_3_3('{"train_layers": 1}'), "{}"),
                                        "your frozen run changed"),
    "both runs frozen": (_configs_3_3(_FROZEN, _FROZEN), "your fine_tuned run left every transformer weight"),
    "fewer sentences for the frozen run": (_configs_3_3('{"dataset_reader"+: {"max_instances": 8}, ' + _FROZEN[1:], "{}"),
                                           "changes dataset_reader.max_instances"),
}
ALTERNATIVES["3.3"] = ALTERNATIVES_3_3["frozen; the top two layers with cached frozen ones"]
NBVAL_WRONG["3.3"] = WRONG_3_3["train_layers taken for freezing"]
