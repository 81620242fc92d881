"""Checking prediction requests before they reach the model: every rejection names the field and the fix.

A request body is JSON: one object of text fields for POST /predict (`{"sentence": "a fine film"}`), a list
of such objects for POST /predict_batch. What is wrong comes back as a `RequestError` with an HTTP status:

    400  the body is not JSON (or holds a number too long to read), or not the right shape (an object / a list)
    408  the body took longer than `Limits.body_timeout_s` to arrive
    413  the body, a text or the batch is larger than the documented `Limits`
    422  a field is missing, is not a string, or is empty
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Sequence


@dataclass(frozen=True)
class Limits:
    """What one request may hold. The longest movie review in the course data is ~15,000 characters."""

    max_text_chars: int = 50_000     # per text field
    max_batch_items: int = 64        # objects in one POST /predict_batch
    max_body_bytes: int = 4 << 20    # 4 MiB: the raw request body
    body_timeout_s: float = 15.0     # seconds the whole body may take to arrive

    def as_dict(self) -> Dict[str, float]:
        return asdict(self)


class RequestError(Exception):
    """A bad request: `status` (400, 408, 413 or 422), a message saying what to send instead, the field it is about."""

    def __init__(self, status: int, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def parse_json(body: bytes) -> Any:
    """The JSON value of a request body, or a 400 that says what is wrong with it."""
    if not body.strip():
        raise RequestError(400, "the request body is empty: send a JSON object such as {\"sentence\": \"a fine film\"}")
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise RequestError(400, "the request body is not UTF-8 text: send JSON encoded as UTF-8") from None
    except json.JSONDecodeError as error:
        raise RequestError(400, f"the request body is not valid JSON ({error.msg} at line {error.lineno}, "
                                f"column {error.colno})") from None
    except RecursionError:
        raise RequestError(400, "the request body is JSON nested too deeply to read") from None
    except ValueError:  # Python refuses to convert an integer of more than 4,300 digits
        raise RequestError(400, "the request body holds a number too long to read (over 4,300 digits)") from None


def check_item(item: Any, fields: Sequence[str], limits: Limits, where: str = "") -> Dict[str, Any]:
    """One prediction input: a JSON object with every field in `fields`, each a non-empty string of at most
    `limits.max_text_chars` characters. `where` prefixes the field name in messages ("item 3: ")."""
    expected = ", ".join(f'"{name}"' for name in fields)
    if not isinstance(item, dict):
        raise RequestError(400, f"{where}expected a JSON object with the field(s) {expected}, "
                                f"got {_json_type(item)}")
    for name in fields:
        if name not in item:
            raise RequestError(422, f'{where}missing field "{name}" (this model reads the field(s) {expected})', name)
        value = item[name]
        if not isinstance(value, str):
            raise RequestError(422, f'{where}field "{name}" must be a string (text), got {_json_type(value)}', name)
        if not value.strip():
            raise RequestError(422, f'{where}field "{name}" is empty: give it some text', name)
        if len(value) > limits.max_text_chars:
            raise RequestError(413, f'{where}field "{name}" is {len(value):,} characters long; the limit is '
                                    f"{limits.max_text_chars:,}: shorten the text", name)
    return item


def check_batch(items: Any, fields: Sequence[str], limits: Limits) -> List[Dict[str, Any]]:
    """A batch: a JSON list of 1 to `limits.max_batch_items` prediction inputs."""
    if not isinstance(items, list):
        raise RequestError(400, f"POST /predict_batch takes a JSON list of objects, got {_json_type(items)}")
    if not items:
        raise RequestError(422, "the batch is empty: send a list of at least one object")
    if len(items) > limits.max_batch_items:
        raise RequestError(413, f"the batch has {len(items)} items; the limit is {limits.max_batch_items}: "
                                f"split it into smaller batches")
    return [check_item(item, fields, limits, where=f"item {index}: ") for index, item in enumerate(items)]


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type (object, array, string, number, boolean, null)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
