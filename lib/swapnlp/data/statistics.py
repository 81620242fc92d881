"""Dataset statistics: what `swapnlp dry-run` prints before any training.

    split_statistics(instances)           -> {"instances": 1100, "labels": {...}, "lengths": {"text": {...}}}
    vocabulary_sizes(vocab)                -> {"tokens": 23117, "labels": 2}
    oov_rates(dev_instances, vocab, train) -> {"tokens": {"oov_rate": 0.04, "unseen_in_training_rate": 0.12}}

Everything comes back as plain numbers in dicts (JSON-ready). Fields are found by type, so any reader
works: every TextField gets token-length percentiles, every LabelField a label balance.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from swapnlp.data.fields import LabelField, TextField
from swapnlp.data.instance import Instance
from swapnlp.data.vocabulary import OOV_TOKEN, Vocabulary

PERCENTILES = (50, 90, 95, 99)


def percentile(sorted_values: Sequence[int], q: float) -> int:
    """The nearest-rank q-th percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return 0
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n * q / 100), at least 1
    return sorted_values[int(rank) - 1]


def length_summary(lengths: Iterable[int]) -> Dict[str, float]:
    """min, mean, p50, p90, p95, p99 and max of a list of token counts."""
    values = sorted(lengths)
    if not values:
        return {}
    summary: Dict[str, float] = {"min": values[0], "mean": round(sum(values) / len(values), 1)}
    summary.update({f"p{q}": percentile(values, q) for q in PERCENTILES})
    summary["max"] = values[-1]
    return summary


def split_statistics(instances: Sequence[Instance]) -> Dict[str, object]:
    """Number of instances, label counts and fractions (per LabelField), token lengths (per TextField)."""
    labels: Dict[str, Counter] = defaultdict(Counter)
    lengths: Dict[str, List[int]] = defaultdict(list)
    for instance in instances:
        for name, field in instance.fields.items():
            if isinstance(field, LabelField):
                labels[name][str(field.label)] += 1
            elif isinstance(field, TextField):
                lengths[name].append(len(field.tokens))
    balance = {}
    for name, counts in labels.items():
        total = sum(counts.values())
        balance[name] = {label: {"count": count, "fraction": round(count / total, 4)}
                         for label, count in sorted(counts.items())}
    return {"instances": len(instances), "labels": balance,
            "lengths": {name: length_summary(values) for name, values in lengths.items()}}


def vocabulary_sizes(vocab: Vocabulary) -> Dict[str, int]:
    """Namespace -> number of entries (padded namespaces include @@PADDING@@ and @@UNKNOWN@@)."""
    return {namespace: vocab.get_vocab_size(namespace) for namespace in vocab.get_namespaces()}


def count_tokens(instances: Iterable[Instance]) -> Dict[str, Counter]:
    """Namespace -> Counter of the strings the instances' indexers would look up (as when building a vocab)."""
    counter: Dict[str, Counter] = defaultdict(Counter)
    for instance in instances:
        instance.count_vocab_items(counter)
    return counter


def oov_rates(instances: Iterable[Instance], vocab: Vocabulary,
              training_counts: Optional[Mapping[str, Counter]] = None) -> Dict[str, Dict[str, float]]:
    """For each padded namespace (word namespaces, not labels), over the running tokens of `instances`:
    oov_rate: the fraction that the vocabulary maps to @@UNKNOWN@@ (the model sees one shared vector);
    unseen_in_training_rate (when `training_counts` is given): the fraction never seen in the training
    data, whose vectors training never updated (the vocabulary may hold them, e.g. counted from dev)."""
    rates: Dict[str, Dict[str, float]] = {}
    for namespace, counts in count_tokens(instances).items():
        if not vocab.is_padded(namespace) or namespace not in vocab.get_namespaces():
            continue
        known = vocab.get_token_to_index_vocabulary(namespace)
        total = sum(counts.values())
        unknown = sum(count for token, count in counts.items() if token not in known or token == OOV_TOKEN)
        rates[namespace] = {"tokens": total, "oov_rate": round(unknown / total, 4) if total else 0.0}
        if training_counts is not None:
            seen = training_counts.get(namespace, Counter())
            unseen = sum(count for token, count in counts.items() if token not in seen)
            rates[namespace]["unseen_in_training_rate"] = round(unseen / total, 4) if total else 0.0
    return rates
