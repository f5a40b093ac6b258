"""The server helper stops what it started, within its timeout, or says loudly that it could not.

Each case is an app a learner can really write: a request still running, a response that never
ends, a WebSocket that never reads, a lifespan that never finishes starting, and an `async def`
endpoint that blocks the event loop (the one case no helper can end from outside).
"""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI, WebSocket
from fastapi.responses import StreamingResponse
from websockets.sync.client import connect

from lessons_support import server as server_module
from lessons_support.server import (
    LiveServer,
    ServerStartError,
    ServerStopError,
    running_servers,
    serve,
    stop_all,
)

TIMEOUT = 1.5  # each case's stop() timeout
MARGIN = 1.0  # time for the thread to wind down on a busy machine


@pytest.fixture(autouse=True)
def short_grace(monkeypatch):
    monkeypatch.setattr(server_module, "GRACEFUL_SHUTDOWN", 0.3)
    monkeypatch.setattr(server_module, "FORCE_GRACE", 0.5)
    monkeypatch.setattr(server_module, "STOP_TIMEOUT", TIMEOUT)
    yield
    stop_all()


def stop_within_the_timeout(server: LiveServer) -> None:
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < TIMEOUT + MARGIN
    assert not server.running and server not in running_servers()


def in_flight(url: str, pool: ThreadPoolExecutor):
    """Send a request that the server will still be answering when it is stopped."""
    return pool.submit(lambda: httpx.get(url, timeout=10))


def test_a_blocked_sync_endpoint_does_not_keep_the_server_running():
    release = threading.Event()
    app = FastAPI()

    @app.get("/slow")
    def slow():
        release.wait(10)
        return {"done": True}

    server = serve(app, name="sync-block")
    with ThreadPoolExecutor(1) as pool:
        pending = in_flight(server.url + "/slow", pool)
        time.sleep(0.2)
        stop_within_the_timeout(server)
        release.set()
        assert pending.result().status_code == 500  # uvicorn's answer to a request it cancelled


def test_an_endless_streaming_response_does_not_keep_the_server_running():
    app = FastAPI()

    async def forever():
        while True:
            yield b"tick\n"
            await asyncio.sleep(0.05)

    @app.get("/stream")
    def stream():
        return StreamingResponse(forever(), media_type="text/plain")

    server = serve(app, name="stream")
    with httpx.stream("GET", server.url + "/stream") as response:
        assert next(response.iter_bytes()).startswith(b"tick")
        stop_within_the_timeout(server)


def test_a_websocket_that_never_reads_does_not_keep_the_server_running():
    app = FastAPI()

    @app.websocket("/ws")
    async def never_reads(websocket: WebSocket):
        await websocket.accept()
        await asyncio.Event().wait()

    server = serve(app, name="ws")
    with connect(server.url.replace("http", "ws") + "/ws"):
        stop_within_the_timeout(server)


def test_a_lifespan_shutdown_that_hangs_is_forced():
    @asynccontextmanager
    async def hangs_at_shutdown(app):
        yield
        await asyncio.Event().wait()

    server = serve(FastAPI(lifespan=hangs_at_shutdown), name="hang-shutdown")
    stop_within_the_timeout(server)


def test_a_blocked_event_loop_is_reported_and_the_server_stays_reachable_by_stop_all():
    release = threading.Event()
    app = FastAPI()

    @app.get("/blocks")
    async def blocks():
        release.wait(20)  # blocking code in async def: the event loop stops with it
        return {}

    server = serve(app, name="loop-block")
    with ThreadPoolExecutor(1) as pool:
        in_flight(server.url + "/blocks", pool)
        time.sleep(0.2)
        with pytest.raises(ServerStopError, match="'loop-block' is still running .*blocks its event loop"):
            server.stop()
        assert server in running_servers()
        with pytest.raises(ServerStopError, match="loop-block"):
            stop_all()
        assert server in running_servers()
        release.set()
        stop_all()
    assert running_servers() == [] and not server.running


def test_stop_all_stops_the_others_when_one_will_not_stop():
    release = threading.Event()
    stuck_app, fine_app = FastAPI(), FastAPI()

    @stuck_app.get("/blocks")
    async def blocks():
        release.wait(20)
        return {}

    stuck, fine = serve(stuck_app, name="stuck"), serve(fine_app, name="fine")
    with ThreadPoolExecutor(1) as pool:
        in_flight(stuck.url + "/blocks", pool)
        time.sleep(0.2)
        with pytest.raises(ServerStopError, match="stuck"):
            stop_all()
        assert not fine.running and running_servers() == [stuck]
        release.set()
        stop_all()


def test_the_start_timeout_is_the_one_the_message_gives_and_no_thread_is_left():
    @asynccontextmanager
    async def never_starts(app):
        await asyncio.Event().wait()
        yield

    server = LiveServer(FastAPI(lifespan=never_starts), name="never-starts")
    started = time.monotonic()
    with pytest.raises(ServerStartError, match="did not start within 0.5 s"):
        server.start(timeout=0.5)
    assert time.monotonic() - started < 0.5 + MARGIN
    assert not server._thread.is_alive()
