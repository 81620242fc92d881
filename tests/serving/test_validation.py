"""Request checks on their own: statuses and messages that name the field."""

from __future__ import annotations

import pytest

from swapnlp.serving.validation import Limits, RequestError, check_batch, check_item, parse_json

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


def test_every_field_is_checked_in_order():
    limits = Limits(max_text_chars=10)
    assert check_item({"premise": "a", "hypothesis": "b"}, FIELDS, limits)
    error = raised(check_item, {"premise": "a"}, FIELDS, limits)
    assert (error.status, error.field) == (422, "hypothesis") and 'missing field "hypothesis"' in error.message
    error = raised(check_item, {"premise": 1.5, "hypothesis": "b"}, FIELDS, limits)
    assert (error.status, error.field) == (422, "premise") and "got a number" in error.message
    error = raised(check_item, {"premise": "a", "hypothesis": True}, FIELDS, limits)
    assert error.field == "hypothesis" and "got a boolean" in error.message
    error = raised(check_item, {"premise": "a", "hypothesis": "x" * 11}, FIELDS, limits)
    assert (error.status, error.field) == (413, "hypothesis") and "11 characters long; the limit is 10" in error.message


def test_batch_limits_come_from_limits():
    limits = Limits(max_batch_items=2)
    item = {"premise": "a", "hypothesis": "b"}
    assert check_batch([item, item], FIELDS, limits) == [item, item]
    assert raised(check_batch, [item] * 3, FIELDS, limits).status == 413
    error = raised(check_batch, [item, {"premise": "a", "hypothesis": " "}], FIELDS, limits)
    assert error.message.startswith('item 1: field "hypothesis" is empty') and error.field == "hypothesis"
