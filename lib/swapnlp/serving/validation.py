"""Checking prediction requests before they reach the model: every rejection names the field and the fix.

A request body is JSON: one object of text fields for POST /predict (`{"sentence": "a fine film"}`), a list
of such objects for POST /predict_batch. The body is read here (under the size and time limits) and parsed;
its fields are checked by FastAPI with the predictor's request model (predictors/request.py). What is wrong
comes back with an HTTP status:

    400  the body is not JSON (or holds a number too long to read), or not the right shape (an object / a list)
    408  the body took longer than `Limits.body_timeout_s` to arrive
    413  the body, a text or the batch is larger than the documented `Limits`
    422  a field is missing, is not a string, or is empty
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from typing import Any, Dict, List

# a problem's kind (predictors/request.py) -> its HTTP status
STATUS = {"shape": 400, "missing": 422, "type": 422, "empty": 422, "too_long": 413, "batch_size": 413}


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


async def read_body(request: Any, limits: Limits) -> bytes:
    """The request body, refused with a 413 as soon as it is longer than `limits.max_body_bytes`, and with a
    408 when it takes longer than `limits.body_timeout_s` to arrive."""
    too_large = RequestError(413, f"the request body is larger than {limits.max_body_bytes:,} bytes: send "
                                  f"shorter texts or smaller batches")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared[:20]) > limits.max_body_bytes:
        raise too_large
    chunks: List[bytes] = []
    size = 0

    async def read() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limits.max_body_bytes:
                raise too_large
            chunks.append(chunk)

    try:
        await asyncio.wait_for(read(), timeout=limits.body_timeout_s)
    except asyncio.TimeoutError:
        raise RequestError(408, f"the request body took longer than {limits.body_timeout_s:g} s to arrive: "
                                f"send it at once") from None
    return b"".join(chunks)
