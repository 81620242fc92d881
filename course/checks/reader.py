"""Exercise 1.1: the reader's text_to_instance."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Mapping

from course.checks.core import CheckFailed, call_learner, learner_object, type_name


def check_text_to_instance(namespace: Mapping[str, Any]) -> str:
    from swapnlp.data import (DatasetReader, Instance, LabelField, SingleIdTokenIndexer, TextField, Token,
                              Tokenizer, Vocabulary, batch_instances)

    reader_class = learner_object(namespace, "MovieReviewReader", "the MovieReviewReader class")
    if not (isinstance(reader_class, type) and issubclass(reader_class, DatasetReader)):
        raise CheckFailed("MovieReviewReader must be a class that subclasses DatasetReader")
    reader = call_learner("MovieReviewReader()", reader_class)
    text = "a gripping ,  well acted film"

    def build(what: str, *args: Any, using: Any = reader) -> Any:
        instance = call_learner(what, using.text_to_instance, *args)
        if not isinstance(instance, Instance):
            raise CheckFailed(f"{what} must return an Instance (Instance(fields)), not a {type_name(instance)}")
        return instance

    def text_field_of(instance: Any, what: str) -> Any:
        field = instance.fields.get("text")
        if not isinstance(field, TextField):
            raise CheckFailed(f'the "text" field of {what} must be a TextField, not a {type_name(field)}')
        if not all(isinstance(token, Token) for token in field.tokens):
            raise CheckFailed("the TextField must hold the Tokens that the reader's tokenizer returns "
                              "(self.tokenizer.tokenize(text)), not plain strings")
        return field

    # with a label
    instance = build('text_to_instance(text, "pos")', text, "pos")
    names = sorted(instance.fields)
    if names != ["label", "text"]:
        raise CheckFailed(f'with a label, the instance must have exactly the fields "text" and "label"; '
                          f"yours has {names}")
    field = text_field_of(instance, "the instance")
    expected = [token.text for token in reader.tokenizer.tokenize(text)]
    if [token.text for token in field.tokens] != expected:
        raise CheckFailed(f"the tokens of {text!r} should be {expected} (from self.tokenizer), "
                          f"got {[token.text for token in field.tokens]}")
    label = instance.fields["label"]
    if not isinstance(label, LabelField):
        raise CheckFailed(f'the "label" field must be a LabelField, not a {type_name(label)}')
    if label.label != "pos":
        raise CheckFailed(f'the label field must hold the label it was given ("pos"), not {label.label!r}')
    if label.label_namespace != "labels":
        raise CheckFailed(f'the LabelField must use the default namespace "labels" (the model counts its '
                          f'labels there), not {label.label_namespace!r}')

    # without a label: prediction time
    for what, args in (("text_to_instance(text)", (text,)), ("text_to_instance(text, None)", (text, None))):
        instance = build(what, *args)
        if sorted(instance.fields) != ["text"]:
            raise CheckFailed(f'without a label (at prediction time), the instance must have only the "text" '
                              f"field; {what} gives {sorted(instance.fields)}")
        text_field_of(instance, what)

    # a config may swap the tokenizer and the indexers: the reader must use the ones it was given
    class PipeTokenizer(Tokenizer):
        def tokenize(self, text: str) -> list:
            return [Token(part.lower()) for part in text.split("|") if part]

    indexers = {"words": SingleIdTokenIndexer(namespace="words", lowercase_tokens=True)}
    swapped = call_learner("MovieReviewReader(tokenizer=..., token_indexers=...)", reader_class,
                    tokenizer=PipeTokenizer(), token_indexers=indexers)
    instance = build('text_to_instance("Great|FILM", "neg") with another tokenizer', "Great|FILM", "neg",
                     using=swapped)
    field = text_field_of(instance, "the instance")
    if [token.text for token in field.tokens] != ["great", "film"]:
        raise CheckFailed("with another tokenizer the tokens did not change: split the text with the reader's "
                          "tokenizer (self.tokenizer.tokenize(text)), not with str.split")
    if dict(field.token_indexers) != indexers:
        raise CheckFailed("with other token indexers the TextField kept different ones: give the TextField the "
                          "reader's token indexers (self.token_indexers)")
    label = instance.fields.get("label")
    if not isinstance(label, LabelField) or label.label != "neg":
        raise CheckFailed('text_to_instance("Great|FILM", "neg") must have a LabelField holding "neg"')

    # end to end: read a file, build the vocabulary, index, batch
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reviews.tsv"
        path.write_text("a moving film\tpos\nflat and dull\tneg\nthe best film of the year\tpos\n", "utf-8")
        instances = call_learner("reader.read(path)", reader.read, path)
    vocab = Vocabulary.from_instances(instances)
    for item in instances:
        item.index_fields(vocab)
    batch = call_learner("batching the instances", batch_instances, instances)
    ids = batch["text"]["tokens"]["tokens"]
    if tuple(ids.shape) != (3, 6) or tuple(batch["label"].shape) != (3,):
        raise CheckFailed(f"three read instances should batch to ids (3, 6) and labels (3,), got "
                          f"{tuple(ids.shape)} and {tuple(batch['label'].shape)}")
    if sorted(vocab.get_token_to_index_vocabulary("labels")) != ["neg", "pos"]:
        raise CheckFailed("the vocabulary built from the read instances should have the labels neg and pos")
    return "your reader turns a text, with or without its label, into the instance the model reads."
