"""The demo server (`swapnlp serve`): a web page and a JSON API around a trained model.

app.py builds the FastAPI app, validation.py checks requests, batching.py groups concurrent requests into
one predictor call, docs.py renders the offline API reference, page/ is the demo page, and notebook.py
starts and stops the server from a notebook cell (`serve_demo`, `stop_demo`).
Importing this package is cheap: fastapi, uvicorn and torch load only when a server is built.
"""

from swapnlp.serving.notebook import DemoServer, serve_demo, stop_demo

__all__ = ["DemoServer", "serve_demo", "stop_demo"]
