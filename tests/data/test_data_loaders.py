"""SimpleDataLoader: batch sizes, shuffling per (seed, epoch), bucketing, dynamic padding, drop_last."""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.data import ClassificationTsvReader, DataLoader, SimpleDataLoader, Vocabulary
from swapnlp.data.batch import batch_instances


def make_instances(tmp_path, count=23):
    """`count` instances whose lengths cycle 1, 9, 2, 8, ... so neighbours differ a lot in length."""
    lengths = [1, 9, 2, 8, 3, 7, 4, 6, 5]
    lines = []
    for index in range(count):
        length = lengths[index % len(lengths)]
        words = [f"w{index}"] + ["x"] * (length - 1)
        lines.append(f"{' '.join(words)}\t{'pos' if index % 2 else 'neg'}\n")
    path = tmp_path / "lengths.tsv"
    path.write_text("".join(lines))
    return ClassificationTsvReader().read(path)


@pytest.fixture
def instances(tmp_path):
    return make_instances(tmp_path)


def indexed_loader(instances, **options):
    loader = SimpleDataLoader(instances, **options)
    loader.index_with(Vocabulary.from_instances(instances))
    return loader


def first_words(batch_of_instances):
    return [instance["text"].tokens[0].text for instance in batch_of_instances]


def epoch_order(loader, epoch):
    loader.set_epoch(epoch)
    return [first_words(batch) for batch in loader.batches_of_instances()]


def lengths_of(batch_of_instances):
    return [len(instance["text"]) for instance in batch_of_instances]


def test_batch_size_and_number_of_batches(instances):
    loader = indexed_loader(instances, batch_size=5)
    batches = list(loader)
    assert len(loader) == len(batches) == math.ceil(len(instances) / 5) == 5
    assert [b["label"].shape[0] for b in batches] == [5, 5, 5, 5, 3]
    assert all(b["text"]["tokens"]["tokens"].shape[0] == b["label"].shape[0] for b in batches)


def test_without_shuffle_the_order_is_the_file_order(instances):
    loader = indexed_loader(instances, batch_size=4)
    flat = [word for batch in epoch_order(loader, 0) for word in batch]
    assert flat == [f"w{i}" for i in range(len(instances))]
    assert epoch_order(loader, 0) == epoch_order(loader, 5)


def test_drop_last(instances):
    loader = indexed_loader(instances, batch_size=5, drop_last=True)
    batches = list(loader)
    assert len(loader) == len(batches) == len(instances) // 5 == 4
    assert all(b["label"].shape[0] == 5 for b in batches)
    exact = indexed_loader(instances[:20], batch_size=5, drop_last=True)
    assert len(exact) == len(list(exact)) == 4  # nothing to drop when it divides evenly


@pytest.mark.parametrize("options", [
    {}, {"shuffle": True}, {"bucket": True}, {"shuffle": True, "bucket": True},
    {"shuffle": True, "bucket": True, "padding_noise": 0.0},
])
def test_every_instance_appears_exactly_once_per_epoch(instances, options):
    loader = indexed_loader(instances, batch_size=4, seed=3, **options)
    for epoch in range(3):
        loader.set_epoch(epoch)
        seen = Counter(id(instance) for batch in loader.batches_of_instances() for instance in batch)
        assert seen == Counter(id(instance) for instance in instances)
        assert sum(batch["label"].shape[0] for batch in loader) == len(instances)


def test_shuffle_changes_the_order_every_epoch_but_is_deterministic(instances):
    loader = indexed_loader(instances, batch_size=4, shuffle=True, seed=11)
    orders = [epoch_order(loader, epoch) for epoch in range(4)]
    assert len({str(order) for order in orders}) == 4  # a new order every epoch
    again = indexed_loader(instances, batch_size=4, shuffle=True, seed=11)
    assert [epoch_order(again, epoch) for epoch in (2, 0, 3, 1)] == [orders[2], orders[0], orders[3], orders[1]]
    assert epoch_order(loader, 1) == orders[1]  # asking twice gives the same answer
    other_seed = indexed_loader(instances, batch_size=4, shuffle=True, seed=12)
    assert epoch_order(other_seed, 0) != orders[0]


def test_iterating_follows_batches_of_instances(instances):
    loader = indexed_loader(instances, batch_size=4, shuffle=True, seed=5)
    loader.set_epoch(2)
    expected = [[i["label"]._label_id for i in batch] for batch in loader.batches_of_instances()]
    assert [batch["label"].tolist() for batch in loader] == expected


def test_built_from_config_reads_the_data(tiny_dataset):
    loader = DataLoader.from_params({"batch_size": 4, "shuffle": True, "seed": 42},
                                    reader=ClassificationTsvReader(), data_path=str(tiny_dataset.train))
    assert isinstance(loader, SimpleDataLoader)
    assert loader.batch_size == 4 and loader.shuffle and loader.seed == 42
    assert len(list(loader.iter_instances())) == len(tiny_dataset.train.read_text().splitlines())


def padding_of(batches):
    return sum(len(batch) * max(lengths_of(batch)) - sum(lengths_of(batch)) for batch in batches)


def test_bucketing_groups_similar_lengths_and_pads_less(instances):
    plain = indexed_loader(instances, batch_size=4)
    bucketed = indexed_loader(instances, batch_size=4, bucket=True, padding_noise=0.0, shuffle=True, seed=1)
    plain_batches = list(plain.batches_of_instances())
    bucketed_batches = list(bucketed.batches_of_instances())
    assert padding_of(bucketed_batches) < padding_of(plain_batches)
    # without noise, each batch is a contiguous run of the sorted lengths: their ranges do not overlap
    ranges = sorted((min(lengths_of(b)), max(lengths_of(b))) for b in bucketed_batches)
    assert all(high <= next_low for (_, high), (next_low, _) in zip(ranges, ranges[1:]))
    spread = max(high - low for low, high in ranges)
    assert spread < max(max(lengths_of(b)) - min(lengths_of(b)) for b in plain_batches)


def test_bucketing_with_noise_still_pads_less_in_every_epoch(instances):
    plain = indexed_loader(instances, batch_size=4)
    bucketed = indexed_loader(instances, batch_size=4, bucket=True, padding_noise=0.1, shuffle=True, seed=1)
    for epoch in range(3):
        bucketed.set_epoch(epoch)
        assert padding_of(list(bucketed.batches_of_instances())) < padding_of(list(plain.batches_of_instances()))


def test_bucketing_shuffles_the_order_of_the_batches(instances):
    bucketed = indexed_loader(instances, batch_size=4, bucket=True, padding_noise=0.0, shuffle=True, seed=1)
    orders = {str(epoch_order(bucketed, epoch)) for epoch in range(4)}
    assert len(orders) > 1


def test_dynamic_padding_pads_to_the_longest_of_each_batch(instances):
    loader = indexed_loader(instances, batch_size=4, shuffle=True, seed=2)
    loader.set_epoch(1)
    expected = [lengths_of(batch) for batch in loader.batches_of_instances()]
    widths = []
    for batch, lengths in zip(loader, expected):
        ids = batch["text"]["tokens"]["tokens"]
        assert ids.shape == (len(lengths), max(lengths))
        assert (ids != 0).sum(dim=1).tolist() == lengths  # real tokens, then padding id 0
        widths.append(ids.shape[1])
    assert len(set(widths)) > 1  # not one global width


def test_batch_instances_stacks_labels_and_pads_text(instances):
    vocab = Vocabulary.from_instances(instances)
    for instance in instances[:3]:
        instance.index_fields(vocab)
    batch = batch_instances(instances[:3])
    assert batch["label"].dtype == torch.long and batch["label"].shape == (3,)
    assert batch["text"]["tokens"]["tokens"].shape == (3, max(len(i["text"]) for i in instances[:3]))
    with pytest.raises(ValueError, match="empty"):
        batch_instances([])


def test_iterating_before_index_with_is_an_error(instances):
    with pytest.raises(ConfigurationError, match=r"index_with\(vocab\)"):
        next(iter(SimpleDataLoader(instances, batch_size=2)))


def test_batch_size_must_be_positive(instances, tmp_path):
    with pytest.raises(ConfigurationError, match="^batch_size must be at least 1, got 0"):
        SimpleDataLoader(instances, batch_size=0)
    from swapnlp.common.params import Params

    data = tmp_path / "data.tsv"
    data.write_text("good film\tpos\n", encoding="utf-8")
    for history in ("data_loader.", "validation_data_loader."):  # from a config: the key path says which loader
        with pytest.raises(ConfigurationError, match=f"^{history}batch_size must be at least 1, got 0"):
            DataLoader.from_params(Params({"batch_size": 0}, history), reader=ClassificationTsvReader(),
                                   data_path=str(data))
