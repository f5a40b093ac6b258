"""The exception handlers: a 405 that lists every method, and errors that can always be sent."""

import pytest

from item_store.errors import json_safe


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("PATCH", "/items/1", ["DELETE", "GET", "PUT"]), ("DELETE", "/items/", ["GET", "POST"]), ("PUT", "/health", ["GET"])],
)
def test_a_405_lists_every_method_of_the_resource(client, method, path, allowed):
    response = client.request(method, path)
    assert (response.status_code, response.json()) == (405, {"detail": "Method Not Allowed"})
    assert sorted(response.headers["allow"].split(", ")) == allowed


def test_an_unknown_path_is_a_plain_404(client):
    assert (client.get("/nowhere").status_code, client.get("/nowhere").json()) == (404, {"detail": "Not Found"})


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
        (b"\xff", "\\xff"),
        ("\ud800", "\\ud800"),
        ({"k": [1.5, (float("inf"),)]}, {"k": [1.5, ["inf"]]}),
        (None, None),
    ],
)
def test_json_safe_turns_what_json_cannot_carry_into_text(value, safe):
    assert json_safe(value) == safe
