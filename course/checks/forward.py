"""Exercise 1.2: the classifier's forward."""

from __future__ import annotations

import math
from typing import Any, Dict, Mapping

from course.checks.core import CheckFailed, call_learner, learner_object, type_name


_TINY_DATA = [
    ("a great film", "pos"),
    ("a dull , dull and slow film", "neg"),
    ("the plot is fine but the acting is not", "mixed"),
    ("great", "pos"),
    ("awful acting and a dull plot", "neg"),
    ("fine", "mixed"),
]


def check_forward(namespace: Mapping[str, Any]) -> str:
    import torch

    from swapnlp.data import ClassificationTsvReader, Vocabulary, batch_instances
    from swapnlp.models import Model
    from swapnlp.modules import BagOfEmbeddingsEncoder, BasicTextFieldEmbedder, CnnEncoder, Embedding

    model_class = learner_object(namespace, "SentimentClassifier", "the SentimentClassifier class")
    if not (isinstance(model_class, type) and issubclass(model_class, Model)):
        raise CheckFailed("SentimentClassifier must be a class that subclasses Model")
    reader = ClassificationTsvReader()
    instances = [reader.text_to_instance(text, label) for text, label in _TINY_DATA]
    vocab = Vocabulary.from_instances(instances)
    for instance in instances:
        instance.index_fields(vocab)
    batch = batch_instances(instances)
    num_texts, num_labels = len(instances), vocab.get_vocab_size("labels")

    def make_model(encoder: Any) -> Any:
        embedder = BasicTextFieldEmbedder({"tokens": Embedding(embedding_dim=8, vocab=vocab)})
        return call_learner("SentimentClassifier(vocab, embedder, encoder)", model_class, vocab, embedder, encoder)

    def outputs(model: Any, what: str, **inputs: Any) -> Dict[str, Any]:
        result = call_learner(what, model, **inputs)
        if not isinstance(result, dict):
            raise CheckFailed(f"forward must return a dict, not a {type_name(result)}")
        for key in ("logits", "probs"):
            value = result.get(key)
            if not isinstance(value, torch.Tensor):
                raise CheckFailed(f'forward must return "{key}" as a tensor; yours has keys {sorted(result)}')
            expected_shape = (inputs["text"]["tokens"]["tokens"].shape[0], num_labels)
            if tuple(value.shape) != expected_shape:
                raise CheckFailed(f'"{key}" must have one row per text and one column per label '
                                  f"{expected_shape}, got {tuple(value.shape)}")
        return result

    model = make_model(BagOfEmbeddingsEncoder(embedding_dim=8, averaged=True))
    model.eval()

    # without labels: prediction
    output = outputs(model, "forward(text) without labels", text=batch["text"])
    logits, probs = output["logits"], output["probs"]
    if output.get("loss") is not None:
        raise CheckFailed("without labels forward has nothing to compare with: return no \"loss\" then")
    if not torch.allclose(probs.sum(dim=-1), torch.ones(num_texts), atol=1e-4) or (probs < 0).any():
        raise CheckFailed("each row of \"probs\" must be a probability distribution over the labels "
                          "(non-negative, summing to 1): torch.softmax(logits, dim=-1)")
    if not torch.allclose(probs, torch.softmax(logits, dim=-1), atol=1e-5):
        raise CheckFailed("\"probs\" must be the softmax of the logits over the labels: torch.softmax(logits, dim=-1)")

    # padding must not change a text's result
    alone = batch_instances([instances[3]])  # "great": one token; in the batch it is padded to 9
    single = outputs(model, "forward on one text", text=alone["text"])
    if not torch.allclose(single["logits"][0], logits[3], atol=1e-5):
        raise CheckFailed("a text's logits change when it is padded in a batch with longer texts: compute "
                          "mask = get_text_field_mask(text) and pass it to the encoder, "
                          "self.encoder(embedded, mask)")

    # with labels: loss and accuracy
    model.get_metrics(reset=True)
    predicted = logits.argmax(dim=-1)
    gold = predicted.clone()
    gold[::2] = (predicted[::2] + 1) % num_labels  # exactly half of the predictions are right
    output = outputs(model, "forward(text, label)", text=batch["text"], label=gold)
    loss = output.get("loss")
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        raise CheckFailed("with labels forward must also return \"loss\", one number (a 0-dim tensor)")
    expected_loss = torch.nn.functional.cross_entropy(output["logits"], gold)
    if not torch.allclose(loss, expected_loss, atol=1e-5):
        if torch.allclose(loss, torch.nn.functional.cross_entropy(output["probs"], gold), atol=1e-5):
            raise CheckFailed("the loss is computed from the probs: cross_entropy takes the raw logits "
                              "(it applies the softmax itself)")
        raise CheckFailed(f"the loss should be the cross-entropy of the logits and the labels "
                          f"({expected_loss.item():.4f}), got {loss.item():.4f}")
    metrics = call_learner("get_metrics()", model.get_metrics, reset=True)
    accuracy = metrics.get("accuracy") if isinstance(metrics, dict) else None
    if accuracy is None or not math.isclose(float(accuracy), 0.5, abs_tol=1e-6):
        raise CheckFailed(f"after one batch where half of the predictions are right, get_metrics() should say "
                          f"accuracy 0.5, not {accuracy}: call self.accuracy(logits, label) in forward")

    # training: gradients reach the embedder and the loss goes down
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for step in range(25):
        optimizer.zero_grad()
        loss = outputs(model, "forward(text, label) while training", text=batch["text"],
                       label=batch["label"])["loss"]
        if not loss.requires_grad:
            raise CheckFailed("the loss has no gradient: do not use torch.no_grad() or .detach() in forward")
        loss.backward()
        if step == 0:
            grad = model.embedder.token_embedders["tokens"].weight.grad
            if grad is None or not bool(grad.abs().sum() > 0):
                raise CheckFailed("no gradient reaches the embedder: forward must use self.embedder(text)")
        optimizer.step()
        losses.append(loss.item())
    if not losses[-1] < 0.5 * losses[0]:
        raise CheckFailed(f"training on six texts should at least halve the loss, but it went from "
                          f"{losses[0]:.3f} to {losses[-1]:.3f}")

    # any encoder fits: the same forward with a CNN
    cnn_model = make_model(CnnEncoder(embedding_dim=8, num_filters=4, ngram_filter_sizes=(2, 3)))
    cnn_model.eval()
    outputs(cnn_model, "forward with a cnn encoder", text=batch["text"], label=batch["label"])
    return "your forward embeds, masks, encodes and classifies, and its loss, probs and accuracy are right."
