"""DatasetReader: a data file -> Instances. `text_to_instance` is shared by training and prediction,
so a model always sees its inputs built the same way (no train/serve skew).

`text_lines(path)` is how a reader reads a data file: UTF-8 (a byte-order mark is dropped), each line
numbered, and any byte that is not UTF-8 (a Latin-1 or UTF-16 file) is one error naming file:line.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Any, Iterable, Iterator, List, Optional, Tuple, Union

from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.registry import Registrable
from swapnlp.data.instance import Instance

_ALLENNLP_READER_KEYS = {"manual_distributed_sharding", "manual_multiprocess_sharding", "serialization_dir"}


class DatasetReader(Registrable):
    """Subclasses implement `_read(path)` (yield Instances) and `text_to_instance(...)`."""

    def __init__(self, max_instances: Optional[int] = None, **kwargs: Any) -> None:
        """`**kwargs`: what a reader written for AllenNLP passes up (its sharding flags, `serialization_dir`);
        accepted and unused here (one process reads the data)."""
        unknown = sorted(set(kwargs) - _ALLENNLP_READER_KEYS)
        if unknown:
            raise ConfigurationError(f"DatasetReader got unknown argument(s) {', '.join(unknown)}: a reader accepts "
                                     f"max_instances (and AllenNLP's {', '.join(sorted(_ALLENNLP_READER_KEYS))}).")
        self.max_instances = check_range("max_instances", max_instances, at_least=1)

    def read(self, file_path: Union[str, Path]) -> List[Instance]:
        """All instances of `file_path` (at most `max_instances`)."""
        path = Path(file_path)
        _check_readable(path)
        instances = []
        try:
            for instance in self._read(path):
                if self.max_instances is not None and len(instances) >= self.max_instances:
                    break
                instances.append(instance)
        except PermissionError:
            raise ConfigurationError(_permission_message(path)) from None
        except UnicodeDecodeError as error:  # a reader of the learner's own that opened the file as text
            raise ConfigurationError(f"{file_path}: byte {error.object[error.start:error.start + 1]!r} at offset "
                                     f"{error.start} is not {error.encoding}: {_save_as_utf8()}") from None
        if not instances:
            raise ConfigurationError(f"{file_path} holds no instances: is it empty?")
        return instances

    def _read(self, file_path: Path) -> Iterable[Instance]:
        raise NotImplementedError

    def text_to_instance(self, *inputs) -> Instance:  # type: ignore[no-untyped-def]
        raise NotImplementedError


def _save_as_utf8(source: str = "latin1") -> str:
    return f"data files must be UTF-8 text; save it as UTF-8 (e.g. `iconv -f {source} -t utf-8 IN > OUT`)."
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def text_lines(path: Path) -> Iterator[Tuple[int, str]]:
    """(line number, text without the line end) for each line of the UTF-8 file `path`. A UTF-8 byte-order
    mark is dropped; a UTF-16 file, a NUL byte or a byte that is not UTF-8 is a ConfigurationError naming
    file:line, the column and the encoding expected."""
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            elif number == 1 and raw.startswith(_UTF16_MARKS):
                raise ConfigurationError(f"{path}:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark): "
                                         f"{_save_as_utf8('utf-16')}")
            if b"\x00" in raw:
                raise ConfigurationError(f"{path}:{number}: the line holds NUL bytes (a UTF-16 or binary file?): "
                                         f"{_save_as_utf8('utf-16')}")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                column = len(raw[:error.start].decode("utf-8", "replace")) + 1
                raise ConfigurationError(f"{path}:{number}: byte 0x{raw[error.start]:02x} at column {column} is not "
                                         f"UTF-8: {_save_as_utf8()}") from None
            yield number, text.rstrip("\r\n")


def _check_readable(path: Path) -> None:
    """One clear line for a data path that is missing, a folder, or not readable."""
    try:
        path.stat()
    except PermissionError:
        raise ConfigurationError(_permission_message(path)) from None
    except OSError:
        hint = " Fetch the data first: `swapnlp data fetch all` (or `make data`)." if "data" in path.parts else ""
        raise ConfigurationError(f"data file not found: {path}.{hint}") from None
    if path.is_dir():
        raise ConfigurationError(f"{path} is a folder: give the data file inside it (e.g. {path / 'train.tsv'}).")
    if not os.access(path, os.R_OK):
        raise ConfigurationError(_permission_message(path))


def _permission_message(path: Path) -> str:
    return (f"cannot read {path}: permission denied. Make it readable (`chmod u+r {path}`, and u+x on its "
            f"folders) or copy it to a folder of yours.")
