"""A demo app around the session's tiny trained model, and a TestClient on it (lifespan started)."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def app(trained_run):
    from swapnlp.serving.app import create_app_from_archive

    return create_app_from_archive(trained_run.archive)


@pytest.fixture(scope="module")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
