import pytest


@pytest.fixture
def client():
    """A test client of a fresh playground app (skips without starlette and httpx2)."""
    from tests.playground._client import make_client

    with make_client() as c:
        yield c
