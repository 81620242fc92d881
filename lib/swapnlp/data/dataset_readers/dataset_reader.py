"""DatasetReader: a data file -> Instances. `text_to_instance` is shared by training and prediction,
so a model always sees its inputs built the same way (no train/serve skew)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Optional, Union

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.registry import Registrable
from swapnlp.data.instance import Instance


class DatasetReader(Registrable):
    """Subclasses implement `_read(path)` (yield Instances) and `text_to_instance(...)`."""

    def __init__(self, max_instances: Optional[int] = None) -> None:
        self.max_instances = max_instances

    def read(self, file_path: Union[str, Path]) -> List[Instance]:
        """All instances of `file_path` (at most `max_instances`)."""
        path = Path(file_path)
        if not path.exists():
            hint = " Fetch the data first: `swapnlp data fetch all` (or `make data`)." if "data" in path.parts else ""
            raise ConfigurationError(f"data file not found: {file_path}.{hint}")
        instances = []
        for instance in self._read(path):
            if self.max_instances is not None and len(instances) >= self.max_instances:
                break
            instances.append(instance)
        if not instances:
            raise ConfigurationError(f"{file_path} holds no instances: is it empty?")
        return instances

    def _read(self, file_path: Path) -> Iterable[Instance]:
        raise NotImplementedError

    def text_to_instance(self, *inputs) -> Instance:  # type: ignore[no-untyped-def]
        raise NotImplementedError
