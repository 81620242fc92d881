"""{"sentence": "a gripping film"} -> {"label": "pos", "probs": {"neg": 0.08, "pos": 0.92}}."""

from __future__ import annotations

from typing import List

from swapnlp.data import Instance
from swapnlp.predictors.predictor import JsonDict, Predictor


@Predictor.register("sentence_classifier")
class SentenceClassifierPredictor(Predictor):
    input_fields = ["sentence"]

    def predict(self, sentence: str) -> JsonDict:
        """Classify one text."""
        return self.predict_json({"sentence": sentence})

    def _json_to_instance(self, inputs: JsonDict) -> Instance:
        return self.dataset_reader.text_to_instance(inputs["sentence"])

    def format_output(self, output: JsonDict) -> JsonDict:
        labels: List[str] = self.labels()
        probs = output["probs"]
        return {"label": output["label"], "probs": {label: float(p) for label, p in zip(labels, probs)}}

    def labels(self) -> List[str]:
        vocab = self.model.vocab
        namespace = getattr(self.model, "label_namespace", "labels")
        return [vocab.get_token_from_index(i, namespace) for i in range(vocab.get_vocab_size(namespace))]
