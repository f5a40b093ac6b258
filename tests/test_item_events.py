"""Lesson 11's item events (checkpoints/lesson_11.py): every write reaches every listener, over
SSE and WebSockets; a listener that falls behind is dropped; one that leaves is forgotten, and the
server logs no error for it."""

import json
import threading

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from checkpoints import lesson_11
from lessons_support.server import serve, stop_all
from lessons_support.waiting import wait_for

KEY = "k" * 40


def test_every_listener_gets_every_event_in_order():
    events = lesson_11.ItemEvents(max_queued=10)
    with events.listen() as first, events.listen() as second:
        assert events.listeners == 2
        for n in range(3):
            events.publish({"n": n})
        assert [first.get_nowait() for _ in range(3)] == [{"n": 0}, {"n": 1}, {"n": 2}]
        assert [second.get_nowait() for _ in range(3)] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert events.listeners == 0


def test_a_listener_that_falls_behind_is_dropped_and_told_so():
    events = lesson_11.ItemEvents(max_queued=3)
    with events.listen() as slow, events.listen() as fast:
        for n in range(5):
            events.publish({"n": n})
            fast.get_nowait()
        assert events.listeners == 1
        assert [slow.get_nowait() for _ in range(4)] == [{"n": 0}, {"n": 1}, {"n": 2}, None]
        assert slow.empty()


@pytest.fixture(scope="module")
def live():
    server = serve(lesson_11.create_app(secret_key=KEY), name="item-events")
    yield server
    stop_all()


@pytest.fixture(scope="module")
def auth(live):
    response = httpx.post(live.url + "/token", data={"username": "alice", "password": "wonderland"})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_writes_reach_several_websocket_clients_and_an_sse_reader(live, auth):
    state = live.app.state.item_events
    socket_url = live.url.replace("http://", "ws://") + "/ws/items"
    seen_by_sse: list[dict] = []

    def read_sse():
        with httpx.stream("GET", live.url + "/items/events", timeout=5) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    seen_by_sse.append(json.loads(line.removeprefix("data: ")))
                    if len(seen_by_sse) == 2:
                        return

    with connect(socket_url) as alice, connect(socket_url) as bob:
        reader = threading.Thread(target=read_sse)
        reader.start()
        wait_for(lambda: state.listeners == 3, timeout=5)
        created = httpx.post(live.url + "/items/", json={"name": "Pen", "price": 1.5}, headers=auth).json()
        assert httpx.delete(f"{live.url}/items/{created['id']}", headers=auth).status_code == 204
        expected = [{"event": "created", "item": created}, {"event": "deleted", "id": created["id"]}]
        assert [json.loads(alice.recv(timeout=5)) for _ in range(2)] == expected
        assert [json.loads(bob.recv(timeout=5)) for _ in range(2)] == expected
        reader.join(5)
        assert seen_by_sse == expected
    wait_for(lambda: state.listeners == 0, timeout=5)


def test_a_client_that_vanishes_is_forgotten_and_logs_no_error(live, auth):
    state = live.app.state.item_events
    errors_before = len(live.errors())
    socket_url = live.url.replace("http://", "ws://") + "/ws/items"
    with connect(socket_url) as staying:
        leaving = connect(socket_url)
        wait_for(lambda: state.listeners == 2, timeout=5)
        leaving.socket.close()  # no closing handshake: the connection just drops
        httpx.post(live.url + "/items/", json={"name": "Ink", "price": 2.0}, headers=auth)
        assert json.loads(staying.recv(timeout=5))["event"] == "created"
        wait_for(lambda: state.listeners == 1, timeout=5)
    wait_for(lambda: state.listeners == 0, timeout=5)
    assert live.errors()[errors_before:] == []
    assert httpx.get(live.url + "/").status_code == 200


def test_binary_frames_crash_no_websocket_handler(live):
    """A text-only route given a binary frame: /ws/echo closes with 1003, /ws/items ignores it;
    neither logs an error (Starlette's receive_text() would raise KeyError on one)."""
    errors_before = len(live.errors())
    base = live.url.replace("http://", "ws://")
    with connect(base + "/ws/echo") as echo:
        echo.send("hi")
        assert echo.recv(timeout=5) == "echo: hi"
        echo.send(b"\x00\xff")
        with pytest.raises(ConnectionClosed) as closed:
            echo.recv(timeout=5)
    assert closed.value.rcvd.code == 1003
    with connect(base + "/ws/items") as listener:
        listener.send(b"\x00\xff")
        listener.send("still here")
        wait_for(lambda: live.app.state.item_events.listeners == 1, timeout=5)
    wait_for(lambda: live.app.state.item_events.listeners == 0, timeout=5)
    assert live.errors()[errors_before:] == []
