"""The middlewares: trusted hosts, CORS, gzip and X-Process-Time."""

from fastapi.testclient import TestClient

from item_store.app import create_app
from item_store.settings import Settings


def test_an_unknown_host_is_a_400(client):
    response = client.get("/", headers={"host": "evil.example.com"})
    assert (response.status_code, response.text) == (400, "Invalid host header")


def test_the_allowed_hosts_come_from_the_settings(database_url):
    with TestClient(create_app(Settings(database_url=database_url, allowed_hosts=["shop.example.com"])), base_url="http://shop.example.com") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"host": "testserver"}).status_code == 400


def test_a_listed_origin_may_call_the_api_from_a_browser(client):
    preflight = client.options(
        "/items/", headers={"origin": "http://localhost:3000", "access-control-request-method": "POST", "access-control-request-headers": "authorization"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "X-Request-ID" in client.get("/", headers={"origin": "http://localhost:3000"}).headers["access-control-expose-headers"]


def test_another_origin_gets_no_cors_headers(client):
    assert "access-control-allow-origin" not in client.get("/", headers={"origin": "https://evil.example.com"}).headers


def test_a_large_answer_is_compressed_for_a_client_that_accepts_gzip(client):
    response = client.get("/openapi.json", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in client.get("/", headers={"accept-encoding": "gzip"}).headers


def test_every_answer_says_how_long_the_app_took(client):
    assert float(client.get("/").headers["x-process-time"]) >= 0
