"""The items API: what it stores, lists, replaces and deletes, and who may write."""

import warnings
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from item_store.models import ItemRow
from item_store.security import create_access_token
from item_store.settings import Settings, get_settings

PEN = {"name": "Pen", "price": 1.5}


def stored_names(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    with Session(engine) as session:
        names = list(session.scalars(select(ItemRow.name).order_by(ItemRow.id)))
    engine.dispose()
    return names


def add(client, auth, *names: str) -> list[dict]:
    return [client.post("/items/", json={"name": name, "price": 1.0}, headers=auth).json() for name in names]


def test_a_new_item_is_stored_and_read_back(client, auth, database_url):
    created = client.post("/items/", json=PEN, headers=auth)
    assert created.status_code == 201
    assert created.json() == {"id": 1, "name": "Pen", "price": 1.5, "in_stock": True}
    assert client.get("/items/1").json() == created.json()
    assert stored_names(database_url) == ["Pen"]


def test_each_test_starts_empty(client):
    assert client.get("/items/").json() == []


def test_an_item_is_replaced_in_the_answer_and_in_the_database(client, auth, database_url):
    add(client, auth, "Pen")
    replaced = client.put("/items/1", json={"name": "Ink", "price": 2.0, "in_stock": False}, headers=auth)
    assert replaced.json() == {"id": 1, "name": "Ink", "price": 2.0, "in_stock": False}
    assert stored_names(database_url) == ["Ink"]


def test_a_deleted_item_is_gone(client, auth):
    add(client, auth, "Pen")
    deleted = client.delete("/items/1", headers=auth)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert client.get("/items/1").status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_missing_item_is_a_404(client, auth, method):
    response = client.request(method, "/items/99", json=PEN if method == "PUT" else None, headers=auth)
    assert (response.status_code, response.json()) == (404, {"detail": "Item not found"})


def test_the_list_is_paginated_by_id(client, auth):
    add(client, auth, *[f"item {n}" for n in range(5)])
    page = client.get("/items/", params={"limit": 2, "offset": 1}).json()
    assert [item["id"] for item in page] == [2, 3]
    assert len(client.get("/items/").json()) == 5


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 2**31}])
def test_a_page_out_of_bounds_is_a_422(client, params):
    assert client.get("/items/", params=params).status_code == 422


def test_the_name_filter_matches_in_any_case_and_escapes_wildcards(client, auth):
    add(client, auth, "Blue pen", "Red PEN", "Ink", "100% wool", "1000 wool")
    assert [item["name"] for item in client.get("/items/", params={"name": "pen"}).json()] == ["Blue pen", "Red PEN"]
    assert [item["name"] for item in client.get("/items/", params={"name": "0%"}).json()] == ["100% wool"]


def signed(algorithm: str, key: str | None) -> str:
    """A valid-looking token for alice, signed with another algorithm than the app accepts."""
    claims = {"sub": "alice", "exp": datetime.now(UTC) + timedelta(minutes=5)}
    with warnings.catch_warnings(action="ignore", category=jwt.InsecureKeyLengthWarning):  # HS512 wants 64 bytes
        return jwt.encode(claims, key, algorithm=algorithm)


TOKENS = {
    "no token": lambda key: None,
    "not a JWT": lambda key: "not-a-jwt",
    "expired": lambda key: create_access_token("alice", key, timedelta(minutes=-1)),
    "another key": lambda key: create_access_token("alice", "k" * 32),
    "unknown user": lambda key: create_access_token("mallory", key),
    "alg none": lambda key: signed("none", None),
    "HS512, the app's key": lambda key: signed("HS512", key),
    "no expiry": lambda key: jwt.encode({"sub": "alice"}, key, algorithm="HS256"),
}


@pytest.mark.parametrize("make_token", TOKENS.values(), ids=TOKENS.keys())
@pytest.mark.parametrize(("method", "path"), [("POST", "/items/"), ("PUT", "/items/1"), ("DELETE", "/items/1")])
def test_a_write_without_a_valid_token_is_a_401_and_changes_nothing(client, app, auth, make_token, method, path):
    add(client, auth, "Pen")
    token = make_token(app.state.secret_key)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.request(method, path, json=PEN if method != "DELETE" else None, headers=headers)
    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Bearer")
    assert [item["name"] for item in client.get("/items/").json()] == ["Pen"]


def test_listing_is_rate_limited_per_client_with_retry_after(client, app):
    app.dependency_overrides[get_settings] = lambda: Settings(items_per_minute=3)
    answers = [client.get("/items/") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].json() == {"detail": "Too many requests: try again later"}
    assert 0 < int(answers[-1].headers["retry-after"]) <= 60
    assert client.get("/items/1").status_code == 404, "only the list is limited"
