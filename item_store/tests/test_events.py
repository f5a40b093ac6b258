"""Item events: the fan-out itself, the WebSocket routes, and the Server-Sent Events stream."""

import asyncio
import json

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from item_store.events import ItemEvents, announce


def test_every_listener_gets_every_event_in_order():
    events = ItemEvents()

    async def run() -> list[list]:
        with events.listen() as one, events.listen() as two:
            await announce(events, {"event": "a"})
            events.publish({"event": "b"})
            return [[q.get_nowait(), q.get_nowait()] for q in (one, two)]

    assert asyncio.run(run()) == [[{"event": "a"}, {"event": "b"}]] * 2
    assert events.listeners == 0


def test_a_listener_too_far_behind_is_dropped_and_told(caplog):
    events = ItemEvents(max_queued=2)

    async def run() -> list:
        with events.listen() as slow:
            for n in range(3):
                events.publish({"n": n})
            assert events.listeners == 0
            return [slow.get_nowait() for _ in range(3)]

    assert asyncio.run(run()) == [{"n": 0}, {"n": 1}, None]
    assert "dropped an item-events listener 2 events behind" in caplog.text


def test_echo(client):
    with client.websocket_connect("/ws/echo") as websocket:
        websocket.send_text("hello")
        assert websocket.receive_text() == "echo: hello"


def test_echo_closes_on_a_binary_frame_with_1003(client):
    with client.websocket_connect("/ws/echo") as websocket:
        websocket.send_bytes(b"\x00")
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
    assert (closed.value.code, closed.value.reason) == (1003, "text frames only")


def test_every_websocket_listener_hears_each_change(client, auth):
    with client.websocket_connect("/ws/items") as one, client.websocket_connect("/ws/items") as two:
        created = client.post("/items/", json={"name": "Pen", "price": 1.5}, headers=auth)
        item = created.json()
        replaced = client.put(f"/items/{item['id']}", json={"name": "Ink", "price": 2.0}, headers=auth)
        deleted = client.delete(f"/items/{item['id']}", headers=auth)
        # Checked first: a write that failed announces nothing, and receive_json would wait forever.
        assert [created.status_code, replaced.status_code, deleted.status_code] == [201, 200, 204]
        replaced = replaced.json()
        for listener in (one, two):
            assert listener.receive_json() == {"event": "created", "item": item}
            assert listener.receive_json() == {"event": "replaced", "item": replaced}
            assert listener.receive_json() == {"event": "deleted", "id": item["id"]}


def test_a_failed_write_announces_nothing(client, auth):
    with client.websocket_connect("/ws/items") as listener:
        assert client.delete("/items/99", headers=auth).status_code == 404
        assert client.post("/items/", json={"name": "Pen", "price": 1.5}, headers=auth).status_code == 201
        assert listener.receive_json()["event"] == "created"


def test_a_websocket_listener_who_leaves_is_forgotten_and_what_it_sends_is_ignored(client, app):
    with client.websocket_connect("/ws/items") as websocket:
        websocket.send_text("ignored")
        websocket.send_bytes(b"ignored")
        assert app.state.item_events.listeners == 1
    assert app.state.item_events.listeners == 0


def test_a_websocket_listener_too_far_behind_is_closed_with_1013(client, app):
    events = app.state.item_events
    events.max_queued = 1

    async def three_events_at_once() -> None:
        for n in range(3):
            events.publish({"n": n})

    with client.websocket_connect("/ws/items") as websocket:
        websocket.portal.call(three_events_at_once)  # on the app's event loop, where the queues live
        assert websocket.receive_json() == {"n": 0}
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_json()
    assert closed.value.code == 1013


def test_the_event_stream_delivers_changes_as_they_happen(app, live_url, auth):
    with httpx.Client(base_url=live_url) as client, client.stream("GET", "/items/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        item = client.post("/items/", json={"name": "Pen", "price": 1.5}, headers=auth).json()
        lines = stream.iter_lines()
        data = next(line for line in lines if line.startswith("data: "))
        assert json.loads(data.removeprefix("data: ")) == {"event": "created", "item": item}
        app.state.item_events.max_queued = 0
        assert client.delete(f"/items/{item['id']}", headers=auth).status_code == 204
        assert list(lines) == [""], "a listener too far behind is dropped: its stream ends"
