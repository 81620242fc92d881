"""The request model: every field a non-blank string (at most max_chars), each problem one sentence naming it."""

from __future__ import annotations

from swapnlp.predictors.request import first_problem, problem, request_model
from swapnlp.serving.validation import STATUS

FIELDS = ["premise", "hypothesis"]


def test_every_field_is_checked_in_order():
    model = request_model(tuple(FIELDS), 10)
    assert first_problem(model, {"premise": "a", "hypothesis": "b", "extra": 1}, FIELDS) is None
    found = first_problem(model, {"premise": "a"}, FIELDS)
    assert (found.kind, found.field) == ("missing", "hypothesis") and 'missing field "hypothesis"' in found.message
    found = first_problem(model, {"premise": 1.5, "hypothesis": "b"}, FIELDS)
    assert (found.kind, found.field) == ("type", "premise") and "got a number" in found.message
    found = first_problem(model, {"premise": "a", "hypothesis": True}, FIELDS)
    assert found.field == "hypothesis" and "got a boolean" in found.message
    found = first_problem(model, {"premise": "a", "hypothesis": "x" * 11}, FIELDS)
    assert (STATUS[found.kind], found.field) == (413, "hypothesis")
    assert "11 characters long; the limit is 10" in found.message
    found = first_problem(model, {"premise": " \n", "hypothesis": "b"}, FIELDS)
    assert found.kind == "empty" and found.message == 'field "premise" is empty: give it some text'
    assert first_problem(model, ["a"], FIELDS).message.startswith("expected a JSON object")


def test_batch_problems_name_the_item():
    found = problem({"type": "missing", "loc": ("body", 2, "premise")}, FIELDS, batch=True)
    assert found.message.startswith('item 2: missing field "premise"')
    found = problem({"type": "too_long", "loc": ("body",), "ctx": {"max_length": 2}}, FIELDS, [{}] * 3, batch=True)
    assert (STATUS[found.kind], found.message) == (413, "the batch has 3 items; the limit is 2: split it into "
                                                        "smaller batches")


def test_the_model_is_one_per_field_list_and_limit():
    assert request_model(("sentence",), 5) is request_model(("sentence",), 5)
    schema = request_model(("sentence",), 5).model_json_schema()
    assert schema["required"] == ["sentence"] and schema["properties"]["sentence"]["maxLength"] == 5
