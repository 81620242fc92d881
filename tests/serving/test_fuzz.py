"""Fuzzed request bodies: whatever a client sends, the server answers 200 or a 4xx, never a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
texts = st.text(max_size=200)  # any unicode: control characters, lone surrogates, combining marks...
objects = st.fixed_dictionaries({"sentence": st.one_of(texts, json_values)},
                                optional={"extra": json_values, "Sentence": texts})
bodies = st.one_of(
    st.binary(max_size=300),                                           # arbitrary bytes
    json_values.map(lambda value: json.dumps(value).encode()),        # any JSON
    objects.map(lambda value: json.dumps(value).encode()),            # objects close to the real thing
    st.lists(objects, max_size=5).map(lambda value: json.dumps(value).encode()),
    objects.map(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_sane(response):
    assert response.status_code in (200, 400, 413, 422), (response.status_code, response.text)
    body = response.json()
    if response.status_code != 200:
        assert body["detail"]


@FUZZ
@given(body=bodies)
def test_predict_never_fails_with_a_500(client, body):
    response = client.post("/predict", content=body)
    assert_sane(response)
    if response.status_code == 200:
        assert set(response.json()) == {"label", "probs"}


@FUZZ
@given(body=bodies)
def test_predict_batch_never_fails_with_a_500(client, body):
    assert_sane(client.post("/predict_batch", content=body))


@FUZZ
@given(body=objects)
def test_every_string_that_is_not_blank_gets_a_prediction(client, body):
    response = client.post("/predict", content=json.dumps(body).encode())  # json.dumps writes NaN, Infinity too
    text = body["sentence"]
    if isinstance(text, str) and text.strip():
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 422 and response.json()["field"] == "sentence"
