"""A request id on every answer and on every log line a request causes."""

import base64
import io
import json
import logging
import os
import re

import httpx
import pytest

from item_store.logs import LOG_FORMAT, RequestIdFilter, SafeFormatter, choose_request_id, configure_logging, request_id
from item_store.tests.live import LiveServer


@pytest.fixture
def log_lines():
    """The lines the root logger writes while the test runs, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_each_answer_carries_a_new_request_id(client):
    first, second = (client.get("/").headers["x-request-id"] for _ in range(2))
    assert len(first) == 32 and first != second


def test_a_request_id_the_client_sent_is_kept(client):
    assert client.get("/", headers={"x-request-id": "checkout-42"}).headers["x-request-id"] == "checkout-42"


@pytest.mark.parametrize("given", ["", "x" * 65, "a b", "line\nbreak", "ünïcode"])
def test_a_request_id_unsafe_to_log_is_replaced(given):
    assert choose_request_id(given) != given


def test_every_line_a_request_logs_carries_its_id(client, auth, log_lines):
    response = client.post("/items/", json={"name": "Pen", "price": 1.5}, headers=auth | {"x-request-id": "req-1"})
    client.get("/users/me", headers={"Authorization": "Bearer not-a-jwt", "x-request-id": "req-2"})
    lines = [line for line in log_lines() if "httpx" not in line]  # the test client's own line
    assert response.status_code == 201
    assert any("[req-1] item_store.requests: → POST /items/" in line for line in lines)
    assert any("[req-1] item_store.requests: ← 201 POST /items/ in " in line for line in lines)
    assert any("[req-2] item_store.security: token rejected: Not enough segments" in line for line in lines)
    assert all("[req-1]" in line or "[req-2]" in line for line in lines), lines


FORGED = "\n2026-01-01 00:00:00,000 INFO 1 [admin] item_store.requests: ← 204 DELETE /items/1"
LINE_START = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \d+ \[")


def header(claims: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()


def test_text_a_client_chose_cannot_forge_a_log_line(client, log_lines):
    """A path with %0A in it, and a token header whose `crit` PyJWT's refusal repeats."""
    forged_token = f"{header({'alg': 'HS256', 'crit': ['x' + FORGED]})}.{header({'sub': 'alice'})}.c2ln"
    client.get("/items/" + FORGED.replace("\n", "%0A"))
    assert client.get("/users/me", headers={"Authorization": f"Bearer {forged_token}"}).status_code == 401
    lines = log_lines()
    assert any("token rejected: Unsupported critical extension: x\\n2026-01-01" in line for line in lines), lines
    assert any("→ GET /items/\\n2026-01-01" in line for line in lines), lines
    assert all(LINE_START.match(line) for line in lines), lines


def test_a_websocket_is_logged_with_its_id(client, log_lines):
    with client.websocket_connect("/ws/echo", headers={"x-request-id": "ws-1"}) as websocket:
        websocket.send_bytes(b"\x00")
        websocket.receive()
    assert any("[ws-1] item_store.requests: ← closed 1003 WEBSOCKET /ws/echo" in line for line in log_lines())


def test_outside_a_request_the_id_is_a_dash(log_lines):
    logging.getLogger("item_store.test").info("no request here")
    assert log_lines()[-1].endswith(f"INFO {os.getpid()} [-] item_store.test: no request here")


def test_a_500_is_logged_with_the_request_id_even_in_uvicorns_traceback(app, log_lines):
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with LiveServer(app) as url:
        response = httpx.get(url + "/boom", headers={"x-request-id": "req-500"})
    assert response.status_code == 500
    assert "x-request-id" not in response.headers, "Starlette's error middleware answers, outside the app's middlewares"
    lines = log_lines()
    assert any("[req-500] item_store.requests: ← 500 (unhandled error) GET /boom" in line for line in lines)
    assert any("[req-500] uvicorn.error: Exception in ASGI application" in line for line in lines), lines


def test_configure_logging_puts_the_id_on_every_line(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO")
        token = request_id.set("abc")
        logging.getLogger("uvicorn.error").info("from uvicorn")
        logging.getLogger("uvicorn.access").info("an access line, silenced")
        logging.getLogger("item_store.test").info("one\nline")
        request_id.reset(token)
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    err = capsys.readouterr().err
    assert f"INFO {os.getpid()} [abc] uvicorn.error: from uvicorn" in err
    assert "silenced" not in err
    assert "item_store.test: one\\nline\n" in err
