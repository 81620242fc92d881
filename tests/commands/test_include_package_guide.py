"""--include-package with a package written as AllenNLP's guide writes one (reader, model and predictor, each
registered under its own name): it trains, evaluates and predicts with only `allennlp` renamed `swapnlp`."""

from __future__ import annotations

import copy
import importlib
import json
import sys
import textwrap

import pytest

from swapnlp.commands.main import main
from swapnlp.common.registry import _REGISTRY
from swapnlp.data import DatasetReader
from swapnlp.models import Model
from swapnlp.predictors import Predictor

PACKAGE = "swapnlp_test_guide_package"  # a name no other test module uses

READER = textwrap.dedent('''
    from typing import Dict, Iterable

    from swapnlp.data import DatasetReader, Instance
    from swapnlp.data.fields import LabelField, TextField
    from swapnlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
    from swapnlp.data.tokenizers import Tokenizer, WhitespaceTokenizer


    @DatasetReader.register("guide-tsv")
    class GuideTsvReader(DatasetReader):
        def __init__(self, tokenizer: Tokenizer = None, token_indexers: Dict[str, TokenIndexer] = None,
                     max_tokens: int = None, **kwargs):
            super().__init__(**kwargs)
            self.tokenizer = tokenizer or WhitespaceTokenizer()
            self.token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}
            self.max_tokens = max_tokens

        def text_to_instance(self, text: str, label: str = None) -> Instance:
            tokens = self.tokenizer.tokenize(text)
            if self.max_tokens:
                tokens = tokens[: self.max_tokens]
            fields = {"text": TextField(tokens, self.token_indexers)}
            if label:
                fields["label"] = LabelField(label)
            return Instance(fields)

        def _read(self, file_path: str) -> Iterable[Instance]:
            with open(file_path, "r") as lines:
                for line in lines:
                    text, sentiment = line.strip().split("\\t")
                    yield self.text_to_instance(text, sentiment)
''')

MODEL = textwrap.dedent('''
    from typing import Dict

    import torch

    from swapnlp.data import TextFieldTensors, Vocabulary
    from swapnlp.models import Model
    from swapnlp.modules import Seq2VecEncoder, TextFieldEmbedder
    from swapnlp.nn import util
    from swapnlp.metrics import CategoricalAccuracy


    @Model.register("guide_classifier")
    class GuideClassifier(Model):
        def __init__(self, vocab: Vocabulary, embedder: TextFieldEmbedder, encoder: Seq2VecEncoder):
            super().__init__(vocab)
            self.embedder = embedder
            self.encoder = encoder
            num_labels = vocab.get_vocab_size("labels")
            self.classifier = torch.nn.Linear(encoder.get_output_dim(), num_labels)
            self.accuracy = CategoricalAccuracy()

        def forward(self, text: TextFieldTensors, label: torch.Tensor = None) -> Dict[str, torch.Tensor]:
            embedded_text = self.embedder(text)
            mask = util.get_text_field_mask(text)
            encoded_text = self.encoder(embedded_text, mask)
            logits = self.classifier(encoded_text)
            probs = torch.nn.functional.softmax(logits, dim=-1)
            output = {"probs": probs}
            if label is not None:
                self.accuracy(logits, label)
                output["loss"] = torch.nn.functional.cross_entropy(logits, label)
            return output

        def get_metrics(self, reset: bool = False) -> Dict[str, float]:
            return {"accuracy": self.accuracy.get_metric(reset)}
''')

PREDICTOR = textwrap.dedent('''
    from swapnlp.common import JsonDict
    from swapnlp.data import Instance
    from swapnlp.predictors import Predictor


    @Predictor.register("guide_sentence")
    class GuideSentencePredictor(Predictor):
        def predict(self, sentence: str) -> JsonDict:
            return self.predict_json({"sentence": sentence})

        def _json_to_instance(self, json_dict: JsonDict) -> Instance:
            sentence = json_dict["sentence"]
            return self._dataset_reader.text_to_instance(sentence)
''')

REGISTERED = [(DatasetReader, "guide-tsv"), (Model, "guide_classifier"), (Predictor, "guide_sentence")]


def forget_package():
    """As if in a new process: the package is not imported and its names are not registered."""
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    for base, name in REGISTERED:
        _REGISTRY.get(base, {}).pop(name, None)
    importlib.invalidate_caches()


@pytest.fixture
def guide_folder(tmp_path, monkeypatch):
    """tmp_path/work/<PACKAGE>/ holds the guide-style package; tmp_path/work is the current folder."""
    folder = tmp_path / "work"
    package = folder / PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .dataset_reader import *\nfrom .model import *\n"
                                         "from .predictor import *\n")
    (package / "dataset_reader.py").write_text(READER)
    (package / "model.py").write_text(MODEL)
    (package / "predictor.py").write_text(PREDICTOR)
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "path", list(sys.path))  # import_plugins adds the current folder: undo it after
    forget_package()
    yield folder
    forget_package()


def test_a_guide_style_package_trains_evaluates_and_predicts(tiny_config, tiny_dataset, guide_folder):
    config = copy.deepcopy(tiny_config)
    config["dataset_reader"] = {"type": "guide-tsv", "max_tokens": 64, "max_instances": 40}
    config["model"] = {"type": "guide_classifier",
                       "embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 8}}},
                       "encoder": {"type": "bag_of_embeddings", "embedding_dim": 8, "averaged": True}}
    config["trainer"]["num_epochs"] = 2
    config_path = guide_folder / "guide.json"
    config_path.write_text(json.dumps(config))
    run = guide_folder / "run"
    assert main(["train", str(config_path), "-s", str(run), "--include-package", PACKAGE]) == 0
    assert DatasetReader.by_name("guide-tsv").__module__ == f"{PACKAGE}.dataset_reader"

    forget_package()
    metrics_file = guide_folder / "metrics.json"
    assert main(["evaluate", str(run / "model.tar.gz"), str(tiny_dataset.test), "--output-file", str(metrics_file),
                 "--include-package", PACKAGE]) == 0
    assert {"accuracy", "loss"} <= set(json.loads(metrics_file.read_text()))

    forget_package()
    inputs = guide_folder / "inputs.jsonl"
    inputs.write_text('{"sentence": "a good film"}\n{"sentence": "a bad film"}\n')
    predictions = guide_folder / "predictions.jsonl"
    assert main(["predict", str(run / "model.tar.gz"), str(inputs), "--output-file", str(predictions),
                 "--predictor", "guide_sentence", "--include-package", PACKAGE]) == 0
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert len(lines) == 2
    # bf16 on a CPU with bf16 units: the probabilities sum to 1 within bf16's precision
    assert all(len(line["probs"]) == 2 and abs(sum(line["probs"]) - 1) < 1e-2 for line in lines)


def test_a_guide_reader_passes_allennlp_keywords_up_and_a_typo_is_named():
    class Reader(DatasetReader):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

    assert Reader(max_instances=3, manual_distributed_sharding=True).max_instances == 3
    with pytest.raises(Exception, match="max_instanses"):
        Reader(max_instanses=3)


def test_the_predictor_reader_has_the_guide_name_too(trained_run):
    from swapnlp.common import JsonDict
    from swapnlp.predictors import JsonDict as PredictorsJsonDict

    predictor = Predictor.from_path(trained_run.archive)
    assert predictor._dataset_reader is predictor.dataset_reader
    assert JsonDict is PredictorsJsonDict
