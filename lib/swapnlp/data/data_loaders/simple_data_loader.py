"""The default data loader: in-memory instances, optional shuffling and length bucketing.

Bucketing sorts instances by length (with a little random noise, so batches differ between epochs) and
cuts the sorted list into batches: each batch holds texts of similar length, so little padding is
computed. Shuffling then shuffles the order of the batches.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Union

from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.from_params import Supplied
from swapnlp.data.batch import TensorDict, batch_instances
from swapnlp.data.data_loaders.data_loader import DataLoader
from swapnlp.data.dataset_readers.dataset_reader import DatasetReader
from swapnlp.data.instance import Instance
from swapnlp.data.vocabulary import Vocabulary


class SimpleDataLoader(DataLoader):
    """instances: the examples (all kept in memory).
    batch_size: instances per batch. shuffle: new order every epoch.
    bucket: group texts of similar length; padding_noise: relative noise added to lengths when sorting.
    drop_last: drop a last, smaller batch. seed: the shuffling seed (default: drawn from `random`).
    """

    def __init__(
        self,
        instances: Supplied[Sequence[Instance]],
        batch_size: int = 32,
        shuffle: bool = False,
        bucket: bool = False,
        padding_noise: float = 0.1,
        drop_last: bool = False,
        seed: Optional[int] = None,
    ) -> None:
        check_range("batch_size", batch_size, at_least=1)
        check_range("padding_noise", padding_noise, at_least=0)
        self.instances = list(instances)
        self.batch_size, self.shuffle, self.bucket = batch_size, shuffle, bucket
        self.padding_noise, self.drop_last = padding_noise, drop_last
        self.seed = random.randrange(2**31) if seed is None else seed
        self.epoch = 0
        self.vocab: Optional[Vocabulary] = None

    @classmethod
    def from_path(
        cls,
        reader: Supplied[DatasetReader],
        data_path: Supplied[Union[str, Path]],
        batch_size: int = 32,
        shuffle: bool = False,
        bucket: bool = False,
        padding_noise: float = 0.1,
        drop_last: bool = False,
        seed: Optional[int] = None,
    ) -> "SimpleDataLoader":
        """Read `data_path` with `reader` (both supplied by the training command, not the config)."""
        return cls(reader.read(data_path), batch_size, shuffle, bucket, padding_noise, drop_last, seed)

    def index_with(self, vocab: Vocabulary) -> None:
        for instance in self.instances:
            instance.index_fields(vocab)
        self.vocab = vocab

    def iter_instances(self) -> Iterator[Instance]:
        return iter(self.instances)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def shard(self, rank: int, world_size: int, even: bool = True) -> None:
        """Keep every world_size-th instance, starting at `rank`. even=True (training) first repeats a few
        instances from the start until the count divides by world_size, so all workers run the same number
        of batches; even=False (validation) keeps each instance exactly once."""
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is not in 0..{world_size - 1}")
        count = len(self.instances)
        total = math.ceil(count / world_size) * world_size if even and count else count
        self.instances = [self.instances[i % count] for i in range(rank, total, world_size)]

    def __len__(self) -> int:
        whole = len(self.instances) / self.batch_size
        return math.floor(whole) if self.drop_last else math.ceil(whole)

    def batches_of_instances(self) -> Iterator[List[Instance]]:
        """The instances of each batch of the current epoch, in order."""
        rng = random.Random(self.seed * 100_003 + self.epoch)
        order = list(range(len(self.instances)))
        if self.bucket:
            noisy = {i: _length(self.instances[i]) * (1 + rng.uniform(-self.padding_noise, self.padding_noise))
                     for i in order}
            order.sort(key=noisy.__getitem__)
        elif self.shuffle:
            rng.shuffle(order)
        batches = [order[i: i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if self.drop_last and batches and len(batches[-1]) < self.batch_size:
            batches.pop()
        if self.shuffle and self.bucket:
            rng.shuffle(batches)
        for batch in batches:
            yield [self.instances[i] for i in batch]

    def __iter__(self) -> Iterator[TensorDict]:
        if self.vocab is None and not all(instance.indexed for instance in self.instances[:1]):
            raise ConfigurationError("call data_loader.index_with(vocab) before iterating over batches.")
        for instances in self.batches_of_instances():
            yield batch_instances(instances)


DataLoader.register("simple", constructor="from_path")(SimpleDataLoader)


def _length(instance: Instance) -> int:
    """An instance's size for bucketing: its longest padded list."""
    return max((max(lengths.values(), default=0) for lengths in instance.get_padding_lengths().values()), default=0)
