"""Predicting a JSON-lines stream: results go out batch by batch, bad lines are reported by number.

    predict_stream(predictor, open("in.jsonl", "rb"), write=out_file_writer, on_bad_line=report)

Each non-blank line is one JSON input. A batch of good inputs is predicted and its results are handed to
`write` at once, in input order. A line that cannot be used (not UTF-8, not JSON, a missing field, or the
model fails on it alone) goes to `on_bad_line` after every result before it has been written: raising there
stops the stream with nothing computed lost; returning skips the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, List, Optional, Tuple, Union

from swapnlp.common.errors import InputError
from swapnlp.predictors.predictor import JsonDict, Predictor

EXAMPLE = '{"sentence": "a fine film"}'


@dataclass(frozen=True)
class BadLine:
    """An input line that gave no result: its 1-based number and why."""

    number: int
    reason: str

    def as_dict(self) -> JsonDict:
        return {"line": self.number, "reason": self.reason}


def parse_lines(lines: Iterable[Union[str, bytes]]) -> Iterator[Tuple[int, Any, Optional[str]]]:
    """(line number, JSON value, None), or (line number, None, reason) for a line that is not UTF-8 JSON.
    Blank lines are passed over; a UTF-8 byte-order mark on the first line is dropped."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as error:
                yield number, None, (f"not UTF-8 text (byte 0x{line[error.start]:02x} at offset {error.start}): "
                                     f"save the file as UTF-8")
                continue
        line = line.rstrip("\r\n")
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), None
        except json.JSONDecodeError as error:
            yield number, None, (f"not valid JSON ({error.msg} column {error.colno}); each line must be one JSON "
                                 f"object such as {EXAMPLE}")
        except ValueError:  # an integer of more than 4,300 digits: Python refuses to convert it
            yield number, None, "not usable JSON: a number in it is too long (over 4,300 digits)"
        except RecursionError:
            yield number, None, "not usable JSON: it is nested too deeply"


def predict_stream(predictor: Predictor, lines: Iterable[Union[str, bytes]],
                   write: Callable[[List[JsonDict]], None], on_bad_line: Callable[[BadLine], None],
                   batch_size: int = 32) -> int:
    """Predict every good line of `lines`; `write(results)` gets each batch's results as soon as they are
    computed. Returns how many results were written."""
    batch: List[Tuple[int, JsonDict]] = []
    written = 0

    def flush() -> None:
        nonlocal written
        written += _predict_batch(predictor, batch, write, on_bad_line)
        batch.clear()

    for number, item, problem in parse_lines(lines):
        if problem is None:
            try:
                predictor.validate(item)
            except InputError as error:
                problem = str(error)
        if problem is not None:
            flush()  # every result before the bad line is out before it is reported
            on_bad_line(BadLine(number, problem))
            continue
        batch.append((number, item))
        if len(batch) >= batch_size:
            flush()
    flush()
    return written


def _predict_batch(predictor: Predictor, batch: List[Tuple[int, JsonDict]], write: Callable[[List[JsonDict]], None],
                   on_bad_line: Callable[[BadLine], None]) -> int:
    """Predict `batch` at once; if the model fails on it, item by item, so only the culprit is lost."""
    if not batch:
        return 0
    try:
        results = predictor.predict_batch_json([item for _, item in batch])
    except Exception as error:  # some input breaks the model: find which, keeping the others' results
        if len(batch) == 1:
            on_bad_line(BadLine(batch[0][0], f"the model failed on this input: {type(error).__name__}: {error}"))
            return 0
        return sum(_predict_batch(predictor, [one], write, on_bad_line) for one in batch)
    write(results)
    return len(results)
