"""DataLoader: instances -> batches of padded tensors (a TensorDict per batch)."""

from __future__ import annotations

from typing import Iterator, List

from swapnlp.common.registry import Registrable
from swapnlp.data.batch import TensorDict
from swapnlp.data.instance import Instance
from swapnlp.data.vocabulary import Vocabulary


class DataLoader(Registrable):
    """Iterate to get TensorDicts; `len()` is the number of batches per epoch."""

    default_implementation = "simple"

    def index_with(self, vocab: Vocabulary) -> None:
        """Index every instance with `vocab` (once, before the first batch)."""
        raise NotImplementedError

    def iter_instances(self) -> Iterator[Instance]:
        raise NotImplementedError

    def set_epoch(self, epoch: int) -> None:
        """Shuffling depends on the epoch number, so a resumed run sees the batches it would have seen."""

    def shard(self, rank: int, world_size: int, even: bool = True) -> None:
        """Keep only worker `rank`'s part of the data (distributed training); `even`: every worker gets the
        same number of batches."""
        raise NotImplementedError(f"{type(self).__name__} cannot shard its data for distributed training.")

    def __iter__(self) -> Iterator[TensorDict]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def batches_of_instances(self) -> Iterator[List[Instance]]:
        raise NotImplementedError
