"""The demo app through FastAPI's TestClient: predictions, schema, health, docs, the page, and every bad
request answered with a 4xx whose message names the field."""

from __future__ import annotations

import json

import pytest

from swapnlp.predictors import Predictor
from swapnlp.serving.app import create_app
from swapnlp.serving.validation import Limits


def test_predict_answers_what_the_predictor_answers(client, trained_run):
    predictor = Predictor.from_path(trained_run.archive)
    for text in ("a good film", "awful plot", "the cast was quite dull"):
        response = client.post("/predict", json={"sentence": text})
        assert response.status_code == 200
        served, direct = response.json(), predictor.predict(text)
        assert served["label"] == direct["label"]
        assert served["probs"] == pytest.approx(direct["probs"], abs=1e-6)


def test_predict_batch_keeps_the_order(client):
    texts = ["good good great", "bad awful dull", "a fine story", "the plot was bad"]
    response = client.post("/predict_batch", json=[{"sentence": text} for text in texts])
    assert response.status_code == 200
    batch = response.json()
    assert len(batch) == len(texts)
    for text, prediction in zip(texts, batch):
        alone = client.post("/predict", json={"sentence": text}).json()
        assert prediction["label"] == alone["label"]
        assert prediction["probs"] == pytest.approx(alone["probs"], abs=1e-6)


def test_extra_fields_are_ignored(client):
    response = client.post("/predict", json={"sentence": "good", "comment": "ignored"})
    assert response.status_code == 200 and set(response.json()) == {"label", "probs"}


def test_schema_lists_fields_labels_model_and_limits(client):
    schema = client.get("/api/schema").json()
    assert schema["fields"] == ["sentence"]
    assert schema["labels"] == ["neg", "pos"]
    assert schema["model"]["type"] == "simple_classifier" and schema["model"]["encoder"] == "bag_of_embeddings"
    assert schema["model"]["parameters"] > 0
    assert schema["limits"] == Limits().as_dict()
    assert schema["title"] == "Swappable NLP demo"


def test_health_counts_the_batches(client):
    before = client.get("/health").json()
    client.post("/predict", json={"sentence": "good"})
    after = client.get("/health").json()
    assert after["status"] == "ok"
    assert after["items"] == before["items"] + 1 and after["batches"] == before["batches"] + 1


def test_the_page_and_its_assets_are_served_without_internet_urls(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in ("/demo.js", "/demo.css", "/_swapnlp/demo.js", "/_swapnlp/demo.css", "/_swapnlp/"):
        assert client.get(asset).status_code == 200, asset
    for text in (page.text, client.get("/demo.js").text, client.get("/demo.css").text):
        assert "http://" not in text and "https://" not in text and "//cdn" not in text


def test_docs_work_offline_and_list_every_endpoint(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "<script" not in docs.text and "https://" not in docs.text  # nothing to fetch from a CDN
    for path in ("/predict", "/predict_batch", "/api/schema", "/health"):
        assert f"<code>{path}</code>" in docs.text
    assert "curl -X POST http://testserver/predict" in docs.text
    openapi = client.get("/openapi.json").json()
    body = openapi["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    schema = openapi["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[-1]]  # generated, not hand-written
    assert schema["required"] == ["sentence"] and schema["properties"]["sentence"]["minLength"] == 1
    batch = openapi["paths"]["/predict_batch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch["type"] == "array" and batch["maxItems"] == Limits().max_batch_items
    assert client.get("/redoc").status_code == 404  # redoc would load assets from a CDN too


def error_of(response, status):
    assert response.status_code == status, response.text
    return response.json()


@pytest.mark.parametrize("body, status, field, words", [
    (b"{not json", 400, None, "not valid JSON"),
    (b"", 400, None, "body is empty"),
    (b"\xff\xfe", 400, None, "not UTF-8"),
    (b'"a string"', 400, None, "expected a JSON object"),
    (b"[1, 2]", 400, None, "expected a JSON object"),
    (b"{}", 422, "sentence", 'missing field "sentence"'),
    (b'{"text": "good"}', 422, "sentence", 'missing field "sentence"'),
    (b'{"sentence": 3}', 422, "sentence", 'field "sentence" must be a string'),
    (b'{"sentence": null}', 422, "sentence", "got null"),
    (b'{"sentence": ["good"]}', 422, "sentence", "got an array"),
    (b'{"sentence": ""}', 422, "sentence", 'field "sentence" is empty'),
    (b'{"sentence": "  \\n\\t "}', 422, "sentence", 'field "sentence" is empty'),
])
def test_bad_predict_requests_get_a_4xx_naming_the_problem(client, body, status, field, words):
    error = error_of(client.post("/predict", content=body), status)
    assert error["field"] == field
    assert words in error["detail"]


def test_too_long_text_is_413_with_the_limit(client):
    limit = Limits().max_text_chars
    error = error_of(client.post("/predict", json={"sentence": "good " * (limit // 5 + 1)}), 413)
    assert error["field"] == "sentence"
    assert f"the limit is {limit:,}" in error["detail"] and 'field "sentence"' in error["detail"]
    assert client.post("/predict", json={"sentence": "g" * limit}).status_code == 200  # the limit itself is fine


def test_too_large_body_is_413_before_it_is_parsed(client):
    limit = Limits().max_body_bytes
    error = error_of(client.post("/predict", content=b" " * (limit + 1)), 413)
    assert "larger than" in error["detail"]


@pytest.mark.parametrize("body, status, words", [
    (b'{"sentence": "good"}', 400, "takes a JSON list"),
    (b"[]", 422, "the batch is empty"),
    (b'[{"sentence": "good"}, {"sentence": ""}]', 422, 'item 1: field "sentence" is empty'),
    (b'[{"sentence": "good"}, "good"]', 400, "item 1: expected a JSON object"),
    (b'[{"sentence": "good"}, {"sentence": "fine"}, {}]', 422, 'item 2: missing field "sentence"'),
])
def test_bad_batches_name_the_item_and_the_field(client, body, status, words):
    assert words in error_of(client.post("/predict_batch", content=body), status)["detail"]


def test_too_many_batch_items_is_413(client):
    limit = Limits().max_batch_items
    error = error_of(client.post("/predict_batch", json=[{"sentence": "good"}] * (limit + 1)), 413)
    assert f"has {limit + 1} items; the limit is {limit}" in error["detail"]
    assert client.post("/predict_batch", json=[{"sentence": "good"}] * limit).status_code == 200


def test_wrong_method_and_unknown_path_are_json_4xx(client):
    assert error_of(client.get("/predict"), 405)["detail"]
    assert error_of(client.get("/no/such/page.html"), 404)["detail"] == "Not Found"


def test_a_lone_surrogate_in_a_field_name_is_echoed_safely(client):
    error = error_of(client.post("/predict", content=b'{"\\ud800": 1}'), 422)
    assert error["field"] == "sentence"


class FailingPredictor:
    input_fields = ["sentence"]

    def predict_batch_json(self, items):
        raise RuntimeError("the model is broken")


def test_a_model_failure_is_a_500_that_says_so():
    from fastapi.testclient import TestClient

    with TestClient(create_app(FailingPredictor()), raise_server_exceptions=False) as client:
        error = error_of(client.post("/predict", json={"sentence": "good"}), 500)
    assert "the model failed on this request: RuntimeError: the model is broken" == error["detail"]


def test_field_names_default_to_the_predictor_and_may_be_given(trained_run):
    from swapnlp.common.errors import ConfigurationError

    predictor = Predictor.from_path(trained_run.archive)
    assert create_app(predictor).state.schema["fields"] == ["sentence"]
    assert create_app(predictor, field_names=["sentence"]).state.schema["fields"] == ["sentence"]
    with pytest.raises(ConfigurationError, match="--field-name text: SentenceClassifierPredictor reads"):
        create_app(predictor, field_names=["text"])

    class NoFields:
        input_fields: list = []

        def predict_batch_json(self, items):
            return [{"echo": item["question"]} for item in items]

    with pytest.raises(ConfigurationError, match="declares no input_fields"):
        create_app(NoFields())
    from fastapi.testclient import TestClient

    with TestClient(create_app(NoFields(), field_names=["question"], title="Echo")) as client:
        assert client.get("/api/schema").json()["fields"] == ["question"]
        assert client.post("/predict", json={"question": "why"}).json() == {"echo": "why"}
        assert client.post("/predict", json={"sentence": "why"}).json()["field"] == "question"


def test_static_dir_replaces_the_page_and_nothing_outside_it_can_be_read(trained_run, tmp_path):
    from fastapi.testclient import TestClient

    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text("<title>My page</title><link rel=stylesheet href=css/my.css>")
    (site / "css" / "my.css").write_text("body { color: red }")
    (tmp_path / "secret.txt").write_text("SECRET")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    predictor = Predictor.from_path(trained_run.archive)
    with TestClient(create_app(predictor, static_dir=site)) as client:
        assert "My page" in client.get("/").text
        assert client.get("/css/my.css").text == "body { color: red }"
        assert client.get("/_swapnlp/demo.js").status_code == 200  # the built-in script stays reusable
        assert client.post("/predict", json={"sentence": "good"}).status_code == 200
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/css/../../secret.txt", "/css/%2e%2e/%2e%2e/secret.txt",
                     "//" + str(tmp_path / "secret.txt"), "/link.txt", "/..%2fsecret.txt"):
            response = client.get(path)
            assert response.status_code == 404 and "SECRET" not in response.text, path


def test_static_dir_must_hold_an_index_html(trained_run, tmp_path):
    from swapnlp.common.errors import ConfigurationError

    predictor = Predictor.from_path(trained_run.archive)
    with pytest.raises(ConfigurationError, match="no such folder"):
        create_app(predictor, static_dir=tmp_path / "missing")
    with pytest.raises(ConfigurationError, match="has no index.html"):
        create_app(predictor, static_dir=tmp_path)


def test_responses_are_plain_json(client):
    response = client.post("/predict", json={"sentence": "good"})
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.content)["label"] in ("pos", "neg")
