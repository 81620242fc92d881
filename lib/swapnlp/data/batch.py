"""Batching with dynamic padding: pad each field only to the longest member of THIS batch."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from swapnlp.data.instance import Instance

TensorDict = Dict[str, Any]


def batch_instances(instances: Sequence[Instance]) -> TensorDict:
    """Indexed instances -> {field name: batched tensor(s)}, e.g. text: (batch, longest) ids, label: (batch,)."""
    if not instances:
        raise ValueError("cannot batch an empty list of instances")
    lengths: Dict[str, Dict[str, int]] = {}
    for instance in instances:
        for field_name, field_lengths in instance.get_padding_lengths().items():
            merged = lengths.setdefault(field_name, {})
            for key, value in field_lengths.items():
                merged[key] = max(merged.get(key, 0), value)
    batch: TensorDict = {}
    for field_name, field in instances[0].fields.items():
        tensors: List[Any] = [instance.fields[field_name].as_tensor(lengths[field_name]) for instance in instances]
        batch[field_name] = field.batch_tensors(tensors)
    return batch
