"""Fixtures shared by the test modules that serve the Item store."""

import httpx
import pytest


@pytest.fixture(scope="module")
def auth(live) -> dict[str, str]:
    """A bearer header for the course's demo user on the module's `live` server."""
    response = httpx.post(live.url + "/token", data={"username": "alice", "password": "wonderland"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
