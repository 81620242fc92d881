"""Learner answers written by the tests: for each exercise, a correct answer that differs from the
reference solution, and subtly wrong ones with a piece of the ❌ line each must produce.

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
ALTERNATIVE_2_1 = """
return '''
local baseline = import "baseline.jsonnet";
baseline + {"model"+: {"encoder": {"type": "lstm", "input_size": 16, "hidden_size": 24}}}
'''
"""

WRONG_2_1 = """
return '''
local baseline = import "baseline.jsonnet";
baseline + {"model"+: {"encoder": {"type": "bag_of_embeddings", "embedding_dim": 16, "averaged": false}}}
'''
"""
WRONG_2_1_MESSAGE = "still a bag_of_embeddings"

# ------------------------------------------------------------------------------------------------- 3.3
ALTERNATIVE_3_3 = """
per_worker, remainder = divmod(effective_batch_size, len(cuda_devices))
assert remainder == 0, "the effective batch must divide by the number of workers"
return {"distributed.cuda_devices": [int(device) for device in cuda_devices],
        "data_loader.batch_size": per_worker}
"""

WRONG_3_3: Dict[str, Tuple[str, str]] = {
    "the batch size is not divided": ("""
return {"distributed": {"cuda_devices": list(cuda_devices)}, "data_loader": {"batch_size": effective_batch_size}}
""", "batch_size counts per worker"),
    "devices under the trainer": ("""
return {"trainer": {"cuda_devices": list(cuda_devices)},
        "data_loader": {"batch_size": effective_batch_size // len(cuda_devices)}}
""", 'the top-level "distributed"'),
    "a number of workers instead of the devices": ("""
return {"distributed": {"cuda_devices": len(cuda_devices)},
        "data_loader": {"batch_size": effective_batch_size // len(cuda_devices)}}
""", "must list the devices you were given"),
    "multiplied instead of divided": ("""
return {"distributed": {"cuda_devices": list(cuda_devices)},
        "data_loader": {"batch_size": effective_batch_size * len(cuda_devices)}}
""", "not the effective batch"),
    "turns shuffling on as well": ("""
return {"distributed": {"cuda_devices": list(cuda_devices)},
        "data_loader": {"batch_size": effective_batch_size // len(cuda_devices), "shuffle": True}}
""", "changes more than the devices and the batch size"),
}

ALTERNATIVES = {"1.1": ALTERNATIVE_1_1, "1.2": ALTERNATIVE_1_2, "2.1": ALTERNATIVE_2_1, "3.3": ALTERNATIVE_3_3}
# the one subtly wrong answer per exercise that also goes through nbval
NBVAL_WRONG = {
    "1.1": WRONG_1_1["label even when there is none"],
    "1.2": WRONG_1_2["forgets the mask"],
    "2.1": (WRONG_2_1, WRONG_2_1_MESSAGE),
    "3.3": WRONG_3_3["the batch size is not divided"],
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


WRONG_3_2: Dict[str, Tuple[str, str]] = {
    "a stylesheet from a CDN": (_page_3_2(head='<title>My mood meter</title><link rel="stylesheet" '
                                               'href="https://cdn.jsdelivr.net/npm/water.css@2/out/water.css">'),
                                "loads a stylesheet from the internet"),
    "a misspelt css file": (_page_3_2(css_file="styles.css"), "the server answers 404 for it"),
    "no text box for the field": (_page_3_2(box='<textarea name="review"></textarea>'),
                                  'no text box for the model\'s field "sentence"'),
    "the default title": (_page_3_2(head="<title>Swappable NLP demo</title>"), "give your page its own <title>"),
    "no script that predicts": (_page_3_2(script="style.css"), "no script on the page sends the text to POST /predict"),
    "the page in the wrong folder": ('''
(folder.parent / "index.html").write_text("<title>Lost page</title>")
''', "there is no index.html in PAGE_DIR"),
}

ALTERNATIVES["3.2"] = ALTERNATIVE_3_2
NBVAL_WRONG["3.2"] = WRONG_3_2["a stylesheet from a CDN"]


# ------------------------------------------------------------------------------------------------- 3.6
# The body of configure(wizard): the learner's choices on the configuration wizard.
ALTERNATIVE_3_6 = '''
wizard.choose("model.encoder", "lstm")
wizard.set("model.encoder.hidden_size", 24)
wizard.set("model.encoder.bidirectional", True)
wizard.set("model.embedder.token_embedders.tokens.embedding_dim", 24)
wizard.set("trainer.optimizer", {"type": "adamw", "lr": 0.01})
wizard.set("trainer.num_epochs", 10)
'''

WRONG_3_6: Dict[str, Tuple[str, str]] = {
    "still a bag of embeddings": ('''
wizard.set("model.encoder.averaged", False)
wizard.set("trainer.num_epochs", 12)
''', 'cannot see that "not" comes before "good"'),
    "sizes that do not match": ('''
wizard.choose("model.encoder", "cnn")
wizard.set("model.encoder.embedding_dim", 16)
''', "the wizard shows a problem at model: model.embedder gives 64-dim vectors but model.encoder expects 16-dim"),
    "too many epochs": ('''
wizard.choose("model.encoder", "gru")
wizard.set("trainer.num_epochs", 50)
''', "keep it at most 15"),
}

ALTERNATIVES["3.6"] = ALTERNATIVE_3_6
NBVAL_WRONG["3.6"] = WRONG_3_6["still a bag of embeddings"]


# ------------------------------------------------------------------------------------------------- 3.4
# The body of fixed_config(): the repaired config as Jsonnet text.
ALTERNATIVE_3_4 = '''
return """
{
  "dataset_reader": {"type": "classification-tsv"},
  "train_data_path": "train.tsv",
  "validation_data_path": "dev.tsv",
  "model": {
    "type": "simple_classifier",
    "embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 32}}},
    "encoder": {"type": "bag_of_embeddings", "embedding_dim": 32, "averaged": true},
  },
  "data_loader": {"batch_size": 16, "shuffle": true, "seed": 0},
  "trainer": {
    "optimizer": {"type": "adam", "lr": 0.01},
    "num_epochs": 5,
    "validation_metric": "+accuracy",
    "enable_progress_bar": false,
  },
}
"""
'''

WRONG_3_4: Dict[str, Tuple[str, str]] = {
    "only the sizes fixed": ('''
return """
local broken = import "broken.jsonnet";
broken + {"model"+: {"encoder"+: {"embedding_dim": 16}}}
"""
''', 'the dry run still fails: trainer.validation_metric "acuracy" is not reported by the model'),
    "the loss instead of the accuracy": ('''
return """
local broken = import "broken.jsonnet";
broken + {"model"+: {"encoder"+: {"embedding_dim": 16}}, "trainer"+: {"validation_metric": "-loss"}}
"""
''', 'trainer.validation_metric should be "+accuracy"'),
    "another encoder": ('''
return """
local broken = import "broken.jsonnet";
broken + {"model"+: {"encoder": {"type": "cnn", "embedding_dim": 16, "num_filters": 8}},
          "trainer"+: {"validation_metric": "+accuracy"}}
"""
''', "keep the bag_of_embeddings encoder"),
}

ALTERNATIVES["3.4"] = ALTERNATIVE_3_4
NBVAL_WRONG["3.4"] = WRONG_3_4["only the sizes fixed"]


# ------------------------------------------------------------------------------------------------- 3.5
# The body of search_space(): a dict in the --search JSON format.
ALTERNATIVE_3_5 = '''
space = {}
space["embedding_dim"] = {"type": "int", "low": 8, "high": 64, "step": 8}
space["lr"] = {"type": "loguniform", "low": 0.002, "high": 0.05}
return space
'''

WRONG_3_5: Dict[str, Tuple[str, str]] = {
    "a uniform learning rate": ('''
return {"lr": {"type": "uniform", "low": 0.001, "high": 0.1},
        "embedding_dim": {"type": "choice", "choices": [8, 16, 32]}}
''', 'make "lr" a "loguniform"'),
    "a variable the config never reads": ('''
return {"lr": {"type": "loguniform", "low": 0.001, "high": 0.1},
        "embedding_dim": {"type": "choice", "choices": [8, 16, 32]},
        "dropout": {"type": "uniform", "low": 0.0, "high": 0.5}}
''', 'the config never reads "dropout"'),
    "embedding_dim forgotten": ('''
return {"lr": {"type": "loguniform", "low": 0.001, "high": 0.1}}
''', 'the search space must declare "embedding_dim"'),
    "a misspelt type": ('''
return {"lr": {"type": "log-uniform", "low": 0.001, "high": 0.1},
        "embedding_dim": {"type": "choice", "choices": [8, 16, 32]}}
''', 'unknown type "log-uniform". Did you mean "loguniform"'),
}

ALTERNATIVES["3.5"] = ALTERNATIVE_3_5
NBVAL_WRONG["3.5"] = WRONG_3_5["a uniform learning rate"]


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
  "dataset_reader"+: {"tokenizer": {"type": "pretrained_transformer", "model_name": "minilm"},
                      "token_indexers": {"tokens": INDEXER}},
  "model"+: {"embedder": {"token_embedders": {"tokens": {"type": "pretrained_transformer", "model_name": "minilm"}}},
             "encoder": {"type": "bert_pooler", "pretrained_model": "minilm"}},
  "trainer"+: {"optimizer": OPTIMIZER}, EXTRA
}
'''


def _swap_3_1(indexer: str = '{"type": "pretrained_transformer", "model_name": "minilm"}',
              optimizer: str = '{"type": "huggingface_adamw", "lr": 5e-5}', extra: str = "") -> str:
    text = _SWAP_3_1.replace("INDEXER", indexer).replace("OPTIMIZER", optimizer).replace("EXTRA", extra)
    return f"return '''{text}'''"


WRONG_3_1: Dict[str, Tuple[str, str]] = {
    "the baseline's learning rate": (_swap_3_1(optimizer='{"type": "adam", "lr": 0.01}'),
                                     "fine-tuning a pretrained model needs a small learning rate"),
    "the indexer left as single_id": (_swap_3_1(indexer='{"type": "single_id"}'),
                                      "must be a pretrained_transformer indexer"),
    "a bigger batch on the side": (_swap_3_1(extra='"data_loader"+: {"batch_size": 32},'),
                                   "you also changed data_loader.batch_size"),
    "the indexer names another model": (_swap_3_1(indexer='{"type": "pretrained_transformer", "model_name": "mpnet"}'),
                                        "dataset_reader.token_indexers.tokens.model_name"),
}
ALTERNATIVES["3.1"] = ALTERNATIVE_3_1
NBVAL_WRONG["3.1"] = WRONG_3_1["the baseline's learning rate"]
