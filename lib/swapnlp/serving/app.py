"""The demo server: a FastAPI app around a predictor, with its web page, its API and the API's own docs.

    GET  /                 the demo page (lib/swapnlp/serving/page/, or the learner's --static-dir)
    GET  /_swapnlp/...     the built-in page's files, always (a custom page may reuse demo.js and demo.css)
    POST /predict          {"sentence": "a fine film"}   -> {"label": "pos", "probs": {"neg": 0.1, "pos": 0.9}}
    POST /predict_batch    [{"sentence": ...}, ...]      -> [{"label": ...}, ...]
    GET  /api/schema       fields, labels, model info and request limits (what the page builds itself from)
    GET  /health           {"status": "ok", ...}
    GET  /docs             the API reference, rendered here from /openapi.json (no assets from the internet)

Bad requests get a 4xx JSON answer {"detail": "what is wrong and how to fix it", "field": "sentence"}
(see validation.py), and the server logs one line per kind of rejection, not one per request
(rejections.py); concurrent requests share predictor calls through a MicroBatcher (batching.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional, Sequence, Union

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from swapnlp.common.errors import ConfigurationError, InputError
from swapnlp.serving.batching import MicroBatcher
from swapnlp.serving.docs import render_docs
from swapnlp.serving.rejections import Rejections
from swapnlp.serving.validation import Limits, RequestError, check_batch, check_item, parse_json

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
    batcher = MicroBatcher(predictor.predict_batch_json, max_batch_size=max_batch_size, max_wait_ms=max_wait_ms)
    schema = {"title": title or DEFAULT_TITLE, "fields": fields, "labels": _labels(predictor, model_info),
              "predictor": type(predictor).__name__, "model": model_info or {}, "limits": limits.as_dict()}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        batcher.start()
        yield
        batcher.close()

    app = FastAPI(title=schema["title"], description="Predictions from a swapnlp model, and its demo page.",
                  docs_url=None, redoc_url=None, lifespan=lifespan, default_response_class=AsciiJSONResponse)
    app.state.batcher, app.state.schema, app.state.limits = batcher, schema, limits
    rejections = app.state.rejections = Rejections()
    example = {name: "a gripping , beautifully acted film" for name in fields}

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

    @app.post("/predict", summary="Predict one input", openapi_extra=_body_doc(fields, example, batch=False))
    async def predict(request: Request) -> Any:
        """One JSON object with the model's text field(s); answers the prediction (label and probs)."""
        item = check_item(parse_json(await _read_body(request, limits)), fields, limits)
        return await _predicted(batcher, [item], one=True)

    @app.post("/predict_batch", summary="Predict a list of inputs", openapi_extra=_body_doc(fields, example, batch=True))
    async def predict_batch(request: Request) -> Any:
        """A JSON list of input objects (at most limits.max_batch_items); answers a list of predictions, in order."""
        items = check_batch(parse_json(await _read_body(request, limits)), fields, limits)
        return await _predicted(batcher, items, one=False)

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


async def _read_body(request: Request, limits: Limits) -> bytes:
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


def _body_doc(fields: List[str], example: Dict[str, str], batch: bool) -> Dict[str, Any]:
    item = {"type": "object", "required": fields, "properties": {name: {"type": "string", "minLength": 1}
                                                               for name in fields}}
    schema = {"type": "array", "items": item, "minItems": 1} if batch else item
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": schema, "example": [example, example] if batch else example}}}}
