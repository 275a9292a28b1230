"""Helpers of the API tests: the playground through Starlette's test client (no browser, no network)."""
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient  # noqa: E402

from backprop.playground import create_app  # noqa: E402

ORIGIN = "http://testserver"


def make_client(**options):
    """A client of a fresh app that answers to the test client's host, sending the page's own Origin."""
    return TestClient(create_app(host="testserver", **options), headers={"Origin": ORIGIN})


def new_session(client, seed=1, **settings):
    response = client.post("/api/session", json={"settings": settings, "seed": seed})
    assert response.status_code == 200, response.text
    return response.json()
