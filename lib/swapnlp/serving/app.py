"""The demo server: a FastAPI app around a predictor, with its web page, its API and the API's own docs.

    GET  /                 the demo page (lib/swapnlp/serving/page/, or the learner's --static-dir)
    GET  /_swapnlp/...     the built-in page's files, always (a custom page may reuse demo.js and demo.css)
    POST /predict          {"sentence": "a fine film"}   -> {"label": "pos", "probs": {"neg": 0.1, "pos": 0.9}}
    POST /predict_batch    [{"sentence": ...}, ...]      -> [{"label": ...}, ...]
    GET  /api/schema       fields, labels, model info and request limits (what the page builds itself from)
    GET  /health           {"status": "ok", ...}
    GET  /docs             the API reference, rendered here from /openapi.json (no assets from the internet)

Request bodies are checked by FastAPI against the predictor's request model (predictors/request.py), so
/openapi.json describes them; the raw body is read first under the size and time limits (validation.py).
Bad requests get a 4xx JSON answer {"detail": "what is wrong and how to fix it", "field": "sentence"}, and the server logs one line per kind of rejection, not one per request
(rejections.py); concurrent requests share predictor calls through a MicroBatcher (batching.py).
"""


import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Annotated, Any, AsyncIterator, Callable, Coroutine, Dict, List, Optional, Sequence, Union

from fastapi import Body, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from swapnlp.common.errors import ConfigurationError, InputError
from swapnlp.predictors.request import problem, request_model
from swapnlp.serving.batching import MicroBatcher
from swapnlp.serving.docs import render_docs
from swapnlp.serving.rejections import Rejections
from swapnlp.serving.validation import STATUS, Limits, RequestError, parse_json, read_body

PAGE_DIR = Path(__file__).with_name("page")
DEFAULT_TITLE = "Swappable NLP demo"
logger = logging.getLogger(__name__)


class ModelFailure(Exception):
    """The predictor failed on a request that passed validation: a 500 that says so, logged once per type."""

    def __init__(self, error: Exception) -> None:
        super().__init__(f"the model failed on this request: {type(error).__name__}: {error}")
        self.error = error


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII characters escaped: any text a request sent (even a lone surrogate) can be echoed."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def create_app(predictor: Any, *, title: Optional[str] = None, field_names: Optional[Sequence[str]] = None,
               static_dir: Union[str, Path, None] = None, limits: Limits = Limits(), max_batch_size: int = 32,
               max_wait_ms: float = 2.0, model_info: Optional[Dict[str, Any]] = None) -> FastAPI:
    """The app serving `predictor` (a swapnlp Predictor). `field_names` default to the predictor's
    `input_fields`; `static_dir` replaces the built-in page with a folder holding its own index.html."""
    fields = list(field_names or getattr(predictor, "input_fields", []) or [])
    if not fields:
        raise ConfigurationError(f"{type(predictor).__name__} declares no input_fields: name the request fields "
                                 f"with --field-name (e.g. --field-name sentence).")
    declared = list(getattr(predictor, "input_fields", []) or [])
    unknown = [name for name in fields if declared and name not in declared]
    if unknown:
        raise ConfigurationError(f"--field-name {unknown[0]}: {type(predictor).__name__} reads the field(s) "
                                 f"{', '.join(declared)}; leave --field-name out to use them.")
    page_dir = _check_static_dir(static_dir) if static_dir is not None else PAGE_DIR
    predict_checked = getattr(predictor, "predict_validated_json", predictor.predict_batch_json)  # checked once
    batcher = MicroBatcher(predict_checked, max_batch_size=max_batch_size, max_wait_ms=max_wait_ms)
    schema = {"title": title or DEFAULT_TITLE, "fields": fields, "labels": _labels(predictor, model_info),
              "predictor": type(predictor).__name__, "model": model_info or {}, "limits": limits.as_dict()}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        batcher.start()
        yield
        batcher.close()

    app = FastAPI(title=schema["title"], description="Predictions from a swapnlp model, and its demo page.",
                  docs_url=None, redoc_url=None, lifespan=lifespan, default_response_class=AsciiJSONResponse)
    app.router.route_class = _limited_route(limits)
    example = {name: "a gripping , beautifully acted film" for name in fields}
    Item = request_model(tuple(fields), limits.max_text_chars)  # noqa: N806  (a class)
    Body1 = Annotated[Item, Body(openapi_examples={"one": {"value": example}})]  # noqa: N806
    Items = Annotated[List[Item], Body(min_length=1, max_length=limits.max_batch_items,  # noqa: N806
                                       openapi_examples={"two": {"value": [example, example]}})]
    app.state.batcher, app.state.schema, app.state.limits = batcher, schema, limits
    rejections = app.state.rejections = Rejections()

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, error: RequestValidationError) -> JSONResponse:
        found = problem(error.errors()[0], fields, getattr(request.state, "json", None),
                        batch=request.url.path == "/predict_batch")
        rejections.note(STATUS[found.kind], found.message, found.field)
        return AsciiJSONResponse({"detail": found.message, "field": found.field or None},
                                 status_code=STATUS[found.kind])

    @app.exception_handler(RequestError)
    async def bad_request(request: Request, error: RequestError) -> JSONResponse:
        rejections.note(error.status, error.message, error.field)
        return AsciiJSONResponse({"detail": error.message, "field": error.field or None}, status_code=error.status)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, error: InputError) -> JSONResponse:
        rejections.note(422, str(error), error.field)
        return AsciiJSONResponse({"detail": str(error), "field": error.field or None}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        rejections.note(error.status_code, str(error.detail))
        return AsciiJSONResponse({"detail": error.detail, "field": None}, status_code=error.status_code,
                                 headers=getattr(error, "headers", None))

    @app.exception_handler(ModelFailure)  # handled here, not re-raised to uvicorn (no traceback per request)
    async def model_failure(request: Request, failure: ModelFailure) -> JSONResponse:
        rejections.failure(failure.error)
        return AsciiJSONResponse({"detail": str(failure), "field": None}, status_code=500)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> JSONResponse:
        rejections.failure(error)
        return AsciiJSONResponse({"detail": f"the model failed on this request: {type(error).__name__}: {error}",
                                  "field": None}, status_code=500)

    @app.post("/predict", summary="Predict one input")
    async def predict(item: Body1) -> Any:
        """One JSON object with the model's text field(s); answers the prediction (label and probs)."""
        return await _predicted(batcher, [item.model_dump()], one=True)

    @app.post("/predict_batch", summary="Predict a list of inputs")
    async def predict_batch(items: Items) -> Any:
        """A JSON list of input objects (at most limits.max_batch_items); answers a list of predictions, in order."""
        return await _predicted(batcher, [item.model_dump() for item in items], one=False)

    @app.get("/predict", include_in_schema=False)
    @app.get("/predict_batch", include_in_schema=False)
    async def wrong_method(request: Request) -> JSONResponse:
        raise HTTPException(405, f"{request.url.path} takes a POST with a JSON body, e.g. {json.dumps(example)} "
                                 f"(see /docs)", headers={"Allow": "POST"})

    @app.get("/api/schema", summary="What the model reads and answers")
    async def api_schema() -> Dict[str, Any]:
        """The request fields, the labels, model information and the request limits."""
        return schema

    @app.get("/health", summary="Is the server up")
    async def health() -> Dict[str, Any]:
        """"ok" with the micro-batcher's counters (predictor calls, inputs, largest batch)."""
        return {"status": "ok" if batcher.running else "starting", "batches": batcher.batches,
                "items": batcher.items, "largest_batch": batcher.largest_batch, "refused": rejections.as_dict()}

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(render_docs(app.openapi(), schema["title"], str(request.base_url).rstrip("/")))

    app.mount("/_swapnlp", StaticFiles(directory=PAGE_DIR, html=True), name="builtin-page")
    app.mount("/", StaticFiles(directory=page_dir, html=True), name="page")
    return app


def create_app_from_archive(archive_path: Union[str, Path], predictor_name: Optional[str] = None,
                            cuda_device: int = -1, autocast: Optional[str] = "auto", **options: Any) -> FastAPI:
    """Load model.tar.gz and serve it: `predictor_name` defaults to the model's own predictor; `autocast`
    picks the precision ("auto": bf16 only where the hardware has it); `options` go to `create_app`."""
    from swapnlp.archive import load_archive
    from swapnlp.predictors import Predictor

    archive = load_archive(archive_path, cuda_device=cuda_device)
    predictor = Predictor.from_archive(archive, predictor_name, autocast)
    return create_app(predictor, model_info=describe_archive(archive, archive_path), **options)


def describe_archive(archive: Any, archive_path: Union[str, Path]) -> Dict[str, Any]:
    """What the page shows about a model: its archive, types, size and where it came from."""
    config = archive.config.as_dict() if hasattr(archive.config, "as_dict") else dict(archive.config)
    model_config = config.get("model", {})
    encoder = model_config.get("encoder", {})
    return {"archive": Path(archive_path).name, "type": model_config.get("type"),
            "encoder": encoder.get("type") if isinstance(encoder, dict) else None,
            "parameters": sum(p.numel() for p in archive.model.parameters()),
            "labels": archive.meta.get("labels", []), "created": archive.meta.get("created"),
            "swapnlp_version": archive.meta.get("swapnlp_version")}


async def _predicted(batcher: MicroBatcher, items: List[Dict[str, Any]], one: bool) -> AsciiJSONResponse:
    """The predictions as a response (a response, not a dict: no re-encoding); any failure of the model, or
    an answer JSON cannot carry (a NaN probability), is a ModelFailure."""
    try:
        results = await batcher.predict(items)
        return AsciiJSONResponse(results[0] if one else results)
    except Exception as error:
        raise ModelFailure(error) from error


def _limited_route(limits: Limits) -> type:
    """A route class that reads a POST body under `limits` (413 / 408) and checks it is JSON (400) before
    FastAPI parses and validates it against the request model."""

    class LimitedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                if request.method == "POST":
                    body = await read_body(request, limits)
                    request.state.json = request._json = parse_json(body)  # FastAPI takes the parsed JSON
                    request._body = body  # from here, as JSON whatever content type the client declared
                    request.scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != b"content-type"
                                                ] + [(b"content-type", b"application/json")]
                    request.__dict__.pop("_headers", None)
                return await handler(request)

            return limited

    return LimitedRoute


def _check_static_dir(static_dir: Union[str, Path]) -> Path:
    folder = Path(static_dir).expanduser().resolve()
    if not folder.is_dir():
        raise ConfigurationError(f"--static-dir {static_dir}: no such folder.")
    if not (folder / "index.html").is_file():
        raise ConfigurationError(f"--static-dir {static_dir} has no index.html: the page served at / must be "
                                 f"{folder / 'index.html'}.")
    return folder


def _labels(predictor: Any, model_info: Optional[Dict[str, Any]]) -> List[str]:
    if callable(getattr(predictor, "labels", None)):
        return list(predictor.labels())
    return list((model_info or {}).get("labels", []))
