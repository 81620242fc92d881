"""GET /docs: the API reference as one self-contained HTML page, rendered from the app's OpenAPI schema.

FastAPI's own /docs loads Swagger UI from a CDN, which an offline course cannot reach; this page needs
nothing but the server. The machine-readable schema stays at /openapi.json.
"""

from __future__ import annotations

import html
import json
from typing import Any, Dict

STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{margin-top:2rem;font-size:1.1rem}.method{display:inline-block;min-width:3.5rem;font-weight:bold}
pre{background:#f4f4f4;padding:.6rem;overflow-x:auto}code{background:#f4f4f4}"""


def render_docs(openapi: Dict[str, Any], title: str, base_url: str = "http://127.0.0.1:8000") -> str:
    """An HTML page with, for each endpoint: method, path, summary, description and a curl example."""
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}: API</title>",
             f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}: API</h1>",
             "<p>Every answer is JSON. A bad request gets a 4xx answer "
             "<code>{\"detail\": \"what is wrong\", \"field\": \"the field\"}</code>. "
             "The schema of this API as JSON: <a href='/openapi.json'>/openapi.json</a>; "
             "the demo page: <a href='/'>/</a>.</p>"]
    for path, methods in openapi.get("paths", {}).items():
        for method, operation in methods.items():
            parts.append(f"<h2 id='{html.escape(method + path)}'><span class='method'>{method.upper()}</span> "
                         f"<code>{html.escape(path)}</code> · {html.escape(operation.get('summary', ''))}</h2>")
            parts.append(f"<p>{html.escape(operation.get('description', ''))}</p>")
            parts.append(f"<pre>{html.escape(_curl(base_url, method, path, operation))}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _curl(base_url: str, method: str, path: str, operation: Dict[str, Any]) -> str:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    examples = [content["example"]] if "example" in content else [
        example["value"] for example in content.get("examples", {}).values() if "value" in example]
    if method != "post" or not examples:
        return f"curl {base_url}{path}"
    body = json.dumps(examples[0]).replace("'", "'\\''")
    return f"curl -X POST {base_url}{path} -H 'Content-Type: application/json' -d '{body}'"
