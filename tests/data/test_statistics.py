"""Dataset statistics: label balance, token-length percentiles, vocabulary sizes, OOV rates."""

from __future__ import annotations

from swapnlp.data import ClassificationTsvReader, Vocabulary
from swapnlp.data.statistics import (count_tokens, length_summary, oov_rates, percentile, split_statistics,
                                     vocabulary_sizes)


def read(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("".join(f"{text}\t{label}\n" for text, label in lines), encoding="utf-8")
    return ClassificationTsvReader().read(path)


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert [percentile(values, q) for q in (50, 90, 99, 100)] == [50, 90, 99, 100]
    assert percentile([7], 50) == 7 and percentile([], 50) == 0
    summary = length_summary([3, 1, 2, 10])
    assert summary["min"] == 1 and summary["max"] == 10 and summary["p50"] == 2 and summary["mean"] == 4.0


def test_split_statistics_counts_labels_and_lengths(tmp_path):
    instances = read(tmp_path, "train.tsv", [("a b c", "pos"), ("a b", "neg"), ("a", "pos"), ("a b c d", "pos")])
    stats = split_statistics(instances)
    assert stats["instances"] == 4
    assert stats["labels"]["label"] == {"neg": {"count": 1, "fraction": 0.25}, "pos": {"count": 3, "fraction": 0.75}}
    assert stats["lengths"]["text"]["min"] == 1 and stats["lengths"]["text"]["max"] == 4
    assert stats["lengths"]["text"]["mean"] == 2.5


def test_oov_rates_separate_unknown_from_unseen_in_training(tmp_path):
    train = read(tmp_path, "train.tsv", [("good film", "pos"), ("good plot", "pos"), ("bad film", "neg")])
    dev = read(tmp_path, "dev.tsv", [("good ending", "pos"), ("awful awful", "neg")])
    # min_count 2 keeps "good" and "film"; the vocabulary also counts dev (as train_model does)
    vocab = Vocabulary.from_instances(train + dev, min_count={"tokens": 2})
    rates = oov_rates(dev, vocab, count_tokens(train))
    # dev tokens: good ending awful awful -> "ending" unknown; "awful" is in the vocab (2x in dev) but unseen in train
    assert rates == {"tokens": {"tokens": 4, "oov_rate": 0.25, "unseen_in_training_rate": 0.75}}
    assert "labels" not in rates  # label namespaces have no OOV
    assert vocabulary_sizes(vocab) == {"tokens": 2 + 3, "labels": 2}
