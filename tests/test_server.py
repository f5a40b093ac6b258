"""The live-server helper: start, stop, failure, replacement, route edits, logs."""

import os
import socket
import threading
import time
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from lessons_support.server import LiveServer, ServerStartError, exception_lines, running_servers, serve, stop_all


def make_app(events: list[str] | None = None) -> FastAPI:
    events = events if events is not None else []

    @asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        yield
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/ping")
    def ping():
        return {"pong": True}

    @app.get("/boom")
    def boom():
        raise KeyError("the learner's bug")

    return app


@pytest.fixture(autouse=True)
def no_servers_left():
    yield
    stop_all()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_binds_to_loopback_on_an_os_chosen_port():
    server = serve(make_app())
    assert server.url.startswith("http://127.0.0.1:")
    assert server.port > 0
    assert httpx.get(server.url + "/ping").json() == {"pong": True}


def test_stop_runs_lifespan_shutdown_and_ends_the_thread():
    events: list[str] = []
    server = serve(make_app(events))
    assert events == ["startup"]
    server.stop()
    assert events == ["startup", "shutdown"]
    assert not server.running
    assert not any(t.name == "uvicorn-app" for t in threading.enumerate())
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/ping")


def test_context_manager_stops_the_server():
    events: list[str] = []
    with serve(make_app(events), name="ctx") as server:
        assert httpx.get(server.url + "/ping").status_code == 200
    assert events == ["startup", "shutdown"]
    assert running_servers() == []


def test_100_start_stop_cycles_leave_no_thread_or_socket_behind():
    app = make_app()
    with serve(app):  # warm up imports and lazily opened files first
        pass
    threads, fds = threading.active_count(), open_fds()
    for _ in range(100):
        with serve(app) as server:
            assert server.running
    assert threading.active_count() == threads
    assert open_fds() == fds


def test_a_taken_port_fails_fast_with_a_clear_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(ServerStartError, match="address already in use"):
            serve(make_app(), port=port)
        assert time.monotonic() - started < 5


def test_an_error_in_lifespan_startup_fails_fast_and_says_why():
    @asynccontextmanager
    async def broken(app):
        raise RuntimeError("database unreachable")
        yield

    started = time.monotonic()
    with pytest.raises(ServerStartError, match="database unreachable"):
        serve(FastAPI(lifespan=broken))
    assert time.monotonic() - started < 5
    assert running_servers() == []


def test_serving_again_under_a_name_replaces_the_old_server():
    first = serve(make_app())
    second = serve(make_app())
    assert not first.running
    assert second.running
    assert running_servers() == [second]


def test_servers_with_different_names_run_side_by_side():
    one, two = serve(make_app(), name="one"), serve(make_app(), name="two")
    assert one.port != two.port
    assert {s.name for s in running_servers()} == {"one", "two"}


def test_an_edited_route_answers_with_the_new_code():
    app = FastAPI()

    @app.get("/hello")
    def hello():
        return "old"

    server = serve(app)
    assert httpx.get(server.url + "/hello").json() == "old"

    @app.get("/hello")
    def hello():  # noqa: F811 - the learner re-runs the edited cell
        return "new"

    assert httpx.get(server.url + "/hello").json() == "new"
    assert len([r for r in app.routes if getattr(r, "path", "") == "/hello"]) == 1
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    assert paths["/hello"]["get"]["operationId"].startswith("hello")


def test_a_raising_route_gives_a_500_with_its_traceback_kept_not_printed(capfd):
    server = serve(make_app())
    response = httpx.get(server.url + "/boom")
    assert response.status_code == 500
    deadline = time.monotonic() + 5
    while not server.errors() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "KeyError: \"the learner's bug\"" in server.errors()[-1]
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    server.print_last_error()
    assert "the learner's bug" in capfd.readouterr().out


def test_print_last_error_waits_for_the_next_error_and_can_be_short(capfd):
    server = serve(make_app())
    httpx.get(server.url + "/boom")
    server.print_last_error(short=True)  # no sleep first: it waits for uvicorn's late log
    assert capfd.readouterr().out == "KeyError: \"the learner's bug\"\n"
    server.print_last_error(timeout=0.2)
    assert capfd.readouterr().out == "The server has logged no new error.\n"


def test_logs_are_printed_with_client_ports_masked(capfd):
    server = serve(make_app())
    httpx.get(server.url + "/ping")
    deadline = time.monotonic() + 5
    while not any("GET /ping" in line.message for line in server.logs.lines()) and time.monotonic() < deadline:
        time.sleep(0.01)
    server.print_logs()
    out = capfd.readouterr().out
    assert '127.0.0.1:<port> - "GET /ping HTTP/1.1" 200' in out
    assert str(server.port) not in out


def test_serving_something_that_is_not_an_app_says_so():
    with pytest.raises(TypeError, match="serve\\(\\) takes a FastAPI"):
        serve("main:app")
    assert running_servers() == []


def test_exception_lines_keep_a_multi_line_message_and_drop_the_frames():
    trace = (
        "Traceback (most recent call last):\n"
        '  File "/somewhere/app.py", line 3, in f\n'
        "    raise ValueError('x')\n"
        "fastapi.exceptions.ResponseValidationError: 1 validation error:\n"
        "  {'type': 'extra_forbidden', 'loc': ('response', 'cost')}\n"
        "\n"
        '  File "/somewhere/app.py", line 9, in read_stock\n'
    )
    assert exception_lines(trace) == (
        "fastapi.exceptions.ResponseValidationError: 1 validation error:\n"
        "  {'type': 'extra_forbidden', 'loc': ('response', 'cost')}"
    )


def test_stop_all_asks_every_server_to_exit_before_waiting_for_any(monkeypatch):
    events: list[str] = []
    servers = [serve(make_app(events), name=f"many-{n}") for n in range(4)]
    asked_when_the_first_stop_ran = []
    real_stop = LiveServer.stop

    def stop(self):
        if not asked_when_the_first_stop_ran:
            asked_when_the_first_stop_ran.append([s._server.should_exit for s in servers])
        real_stop(self)

    monkeypatch.setattr(LiveServer, "stop", stop)
    stop_all()
    assert asked_when_the_first_stop_ran == [[True, True, True, True]]
    assert not any(server.running for server in servers) and running_servers() == []
    assert events.count("shutdown") == 4
