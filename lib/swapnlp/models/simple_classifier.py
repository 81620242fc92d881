"""SimpleClassifier: text -> embedder -> encoder -> linear layer -> label.

It never says HOW words become vectors or how vectors become one vector: that is the embedder's and the
encoder's business, chosen in the config. Swap a bag of embeddings for a CNN or BERT: this file stays.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import torch

from swapnlp.common.checks import check_dropout
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.from_params import Supplied
from swapnlp.data.fields import TextFieldTensors
from swapnlp.data.vocabulary import Vocabulary
from swapnlp.models.model import Model
from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder
from swapnlp.modules.text_field_embedders import TextFieldEmbedder
from swapnlp.nn.util import get_text_field_mask
from swapnlp.metrics import CategoricalAccuracy


@Model.register("simple_classifier")
class SimpleClassifier(Model):
    """embedder: token ids -> (batch, num_tokens, embedding_dim);
    encoder: -> (batch, encoding_dim); a linear layer -> (batch, num_labels) logits.
    dropout: applied to the encoding before the linear layer."""

    default_predictor = "sentence_classifier"

    def __init__(
        self,
        vocab: Supplied[Vocabulary],
        embedder: TextFieldEmbedder,
        encoder: Seq2VecEncoder,
        dropout: float = 0.0,
        label_namespace: str = "labels",
    ) -> None:
        super().__init__(vocab)
        check_dropout("dropout", dropout)
        if embedder.get_output_dim() != encoder.get_input_dim():
            raise ConfigurationError(
                f"model.embedder gives {embedder.get_output_dim()}-dim vectors but model.encoder expects "
                f"{encoder.get_input_dim()}-dim inputs: make the encoder's input size (its embedding_dim) "
                f"equal to the embedder's output size.")
        num_labels = vocab.get_vocab_size(label_namespace)
        if num_labels < 2:
            raise ConfigurationError(f'the vocabulary namespace "{label_namespace}" has {num_labels} label(s); '
                                     f"a classifier needs at least 2. Check the label column of the training data.")
        self.embedder = embedder
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(dropout)
        self.classifier = torch.nn.Linear(encoder.get_output_dim(), num_labels)
        self.label_namespace = label_namespace
        self.accuracy = CategoricalAccuracy()

    def forward(self, text: TextFieldTensors, label: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """text: the TextField tensors; label: (batch,) gold label ids, when training or evaluating.
        Returns logits and probs (batch, num_labels), and loss (scalar) when labels are given."""
        mask = get_text_field_mask(text)                      # (batch, num_tokens)
        embedded = self.embedder(text)                        # (batch, num_tokens, embedding_dim)
        encoded = self.dropout(self.encoder(embedded, mask))  # (batch, encoding_dim)
        logits = self.classifier(encoded)                     # (batch, num_labels)
        output = {"logits": logits, "probs": torch.softmax(logits.float(), dim=-1)}
        if label is not None:
            output["loss"] = torch.nn.functional.cross_entropy(logits.float(), label)
            self.accuracy(logits, label)
        return output

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {"accuracy": self.accuracy.get_metric(reset)}

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        """Adds "label": the predicted label string of each row."""
        ids = output_dict["probs"].argmax(dim=-1).tolist()
        output_dict["label"] = [self.vocab.get_token_from_index(i, self.label_namespace) for i in ids]
        return output_dict
