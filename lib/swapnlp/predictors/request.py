"""What a prediction request must hold, as a pydantic model built from a predictor's input fields.

    Request = request_model(["sentence"], max_chars=50_000)
    Request.model_validate({"sentence": "a fine film"})

The one place requests are checked: `Predictor.validate` (Python, `swapnlp predict`) and the server (FastAPI
validates its request bodies with the same model, and /openapi.json is generated from it). Every field is a
string that is not blank (and at most `max_chars` long); other keys pass through. `problem` turns pydantic's
errors into one sentence that names the field and says what to send instead.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Dict, NamedTuple, Optional, Sequence, Tuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

EXAMPLE_TEXT = "a gripping , beautifully acted film"


class Problem(NamedTuple):
    """kind: "shape" (not an object / not a list), "missing", "type", "empty", "too_long" or "batch_size"."""

    kind: str
    message: str
    field: str = ""


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("blank")
    return text


@lru_cache(maxsize=32)
def request_model(fields: Tuple[str, ...], max_chars: Optional[int] = None) -> type:
    """A pydantic model with one required, non-blank string per field (extra keys are kept)."""
    text = Annotated[str, Field(min_length=1, max_length=max_chars, examples=[EXAMPLE_TEXT]), AfterValidator(_not_blank)]
    return create_model("PredictionInput", __config__=ConfigDict(extra="allow"),
                        **{name: (text, ...) for name in fields})


def problem(error: Dict[str, Any], fields: Sequence[str], body: Any = None, batch: bool = False) -> Problem:
    """The first of pydantic's errors (one `ValidationError.errors()` entry, its loc without "body") as a
    sentence. `body` is the whole request (for the sizes of a batch)."""
    loc = [part for part in error.get("loc", ()) if part != "body"]
    index = loc.pop(0) if batch and loc and isinstance(loc[0], int) else None
    where = "" if index is None else f"item {index}: "
    expected = ", ".join(f'"{name}"' for name in fields)
    kind, value = error.get("type", ""), error.get("input")
    item = body[index] if index is not None and isinstance(body, list) and index < len(body) else body
    absent = [name for name in fields if name not in item] if isinstance(item, dict) and not loc else []
    if absent:  # an object whose keys pydantic cannot read (a lone surrogate): the field is missing
        loc, kind = [absent[0]], "missing"
    if not loc:  # the body (or one item of a batch) as a whole
        if batch and index is None:
            if kind == "list_type":
                return Problem("shape", f"POST /predict_batch takes a JSON list of objects, got {json_type(value)}")
            if kind == "too_short":
                return Problem("empty", "the batch is empty: send a list of at least one object")
            limit = error.get("ctx", {}).get("max_length")
            return Problem("batch_size", f"the batch has {len(body or [])} items; the limit is {limit}: split it "
                                         f"into smaller batches")
        return Problem("shape", f"{where}expected a JSON object with the field(s) {expected}, got {json_type(value)}")
    name = str(loc[0])
    if kind == "missing":
        return Problem("missing", f'{where}missing field "{name}" (this model reads the field(s) {expected})', name)
    if kind == "string_type":
        return Problem("type", f'{where}field "{name}" must be a string (text), got {json_type(value)}', name)
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length", 0)
        return Problem("too_long", f'{where}field "{name}" is {len(value):,} characters long; the limit is '
                                   f"{limit:,}: shorten the text", name)
    return Problem("empty", f'{where}field "{name}" is empty: give it some text', name)


def first_problem(model: type, item: Any, fields: Sequence[str]) -> Optional[Problem]:
    """None when `item` is a valid request for `model`, else its first problem."""
    try:
        model.model_validate(item)
    except ValidationError as error:
        return problem(error.errors()[0], fields, item)
    return None


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type (an object, an array, a string, a number, a boolean, null)."""
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


__all__ = ["BaseModel", "Problem", "first_problem", "json_type", "problem", "request_model"]
