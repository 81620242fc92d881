"""Reading request bodies: the 400s of a body that is not JSON (fields are checked by predictors/request.py)."""

from __future__ import annotations

import pytest

from swapnlp.serving.validation import RequestError, parse_json

FIELDS = ["premise", "hypothesis"]


def raised(function, *args):
    with pytest.raises(RequestError) as info:
        function(*args)
    return info.value


def test_parse_json_errors_are_400():
    for body, words in ((b"", "empty"), (b"{", "not valid JSON"), (b"\xc3\x28", "not UTF-8"),
                        (b"[" * 100_000, "nested too deeply")):
        error = raised(parse_json, body)
        assert error.status == 400 and words in error.message
    assert parse_json(b'{"a": 1}') == {"a": 1}
