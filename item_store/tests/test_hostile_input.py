"""Hostile input gets a 4xx, never a 500, and nothing is stored that cannot be read back: the
cases of the course's tests/test_hostile_input.py (found by fuzzing and by hand, issue 12), here
against the package, on SQLite and, in CI, on PostgreSQL."""

import json

import pytest

from item_store.app import MAX_BODY_SIZE
from item_store.schemas import MAX_ITEM_ID, MAX_PRICE, MAX_QUANTITY


def send(client, method: str, path: str, body: str, headers: dict | None = None):
    """Send a raw JSON text, so that NaN, Infinity and lone surrogates arrive as written."""
    return client.request(method, path, content=body, headers={**(headers or {}), "content-type": "application/json"})


def assert_refused(response, status: int = 422) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    response.json()  # the error itself is valid JSON


@pytest.mark.parametrize("item_id", ["9223372036854775808", "-9223372036854775809", str(2**31), "0", "-1"])
def test_an_id_outside_the_database_integer_is_a_422(client, auth, item_id):
    assert_refused(client.get(f"/items/{item_id}"))
    assert_refused(send(client, "PUT", f"/items/{item_id}", '{"name": "x", "price": 1}', auth))
    assert_refused(client.delete(f"/items/{item_id}", headers=auth))


def test_the_largest_id_the_database_holds_is_a_plain_404(client):
    assert client.get(f"/items/{MAX_ITEM_ID}").status_code == 404


@pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", '"inf"', '"nan"', "1000000.01", "0", "-1"])
def test_a_price_that_is_not_a_finite_bounded_positive_number_is_a_422(client, auth, price):
    body = f'{{"name": "x", "price": {price}}}'
    assert_refused(send(client, "POST", "/items/", body, auth))
    assert_refused(send(client, "PUT", "/items/1", body, auth))
    assert_refused(send(client, "POST", "/quotes/", f'{{"name": "x", "price": {price}, "quantity": 1}}'))


def test_the_422_for_nan_names_the_field_and_says_why(client, auth):
    detail = send(client, "POST", "/items/", '{"name": "x", "price": NaN}', auth).json()["detail"]
    assert [(error["loc"], error["type"], error["input"]) for error in detail] == [(["body", "price"], "finite_number", "nan")]


def test_the_dearest_item_reads_back_as_a_number(client, auth):
    assert send(client, "POST", "/items/", f'{{"name": "Dear", "price": {MAX_PRICE}}}', auth).status_code == 201
    assert [item["price"] for item in client.get("/items/").json()] == [float(MAX_PRICE)]


@pytest.mark.parametrize(
    "body",
    ['{"name": "x", "price": 1, "id": 7}', '{"name": "", "price": 1}', '{"name": "' + "x" * 101 + '", "price": 1}', '{"price": 1}', "[]"],
    ids=["an id of its own", "empty name", "101-character name", "no name", "not an object"],
)
def test_an_item_that_breaks_the_model_is_a_422_and_stores_nothing(client, auth, body):
    assert_refused(send(client, "POST", "/items/", body, auth))
    assert client.get("/items/").json() == []


@pytest.mark.parametrize(
    "quote",
    [
        '{"name": "x", "price": 1e308, "quantity": 10}',
        '{"name": "x", "price": 1, "quantity": ' + "9" * 400 + "}",
        '{"name": "' + "x" * 101 + '", "price": 1, "quantity": 1}',
    ],
    ids=["overflowing total", "400-digit quantity", "101-character name"],
)
def test_a_quote_that_would_overflow_or_is_too_long_is_a_422(client, quote):
    assert_refused(send(client, "POST", "/quotes/", quote))


def test_the_largest_quote_is_a_finite_total(client):
    quote = client.post("/quotes/", json={"name": "x", "price": MAX_PRICE, "quantity": MAX_QUANTITY})
    assert quote.status_code == 200 and quote.json()["total"] == MAX_PRICE * MAX_QUANTITY * 0.9


@pytest.mark.parametrize(("path", "body"), [("/quotes/", '{"name": "\\ud800", "price": 1, "quantity": 1}'), ("/items/", '{"name": "\\ud800", "price": 1}')])
def test_a_lone_surrogate_is_a_422_that_can_be_sent(client, auth, path, body):
    response = send(client, "POST", path, body, auth)
    assert_refused(response)
    assert response.json()["detail"][0]["input"] == "\\ud800"


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", None])
@pytest.mark.parametrize(("method", "path"), [("POST", "/items/"), ("PUT", "/items/1")])
def test_a_body_of_bytes_that_are_not_utf8_is_a_422_that_can_be_sent(client, auth, content_type, method, path):
    headers = {**auth, "content-type": content_type} if content_type else auth
    response = client.request(method, path, content=b"\xff\xfe", headers=headers)
    assert_refused(response)
    assert response.json()["detail"][0]["input"] == "\\xff\\xfe"


def test_a_body_that_is_not_json_is_a_422(client, auth):
    assert_refused(send(client, "POST", "/items/", '{"name": "x", "price": ', auth))


def test_a_nul_character_is_a_422_in_a_body_and_in_a_query(client, auth):
    assert_refused(send(client, "POST", "/items/", '{"name": "a\\u0000b", "price": 1}', auth))
    assert_refused(send(client, "POST", "/quotes/", '{"name": "a\\u0000b", "price": 1, "quantity": 1}'))
    assert_refused(client.get("/items/", params={"name": "\x00"}))


def test_a_body_over_the_limit_is_a_413_and_one_under_it_is_read(client, auth):
    too_big = json.dumps({"name": "x", "price": 1, "pad": "x" * MAX_BODY_SIZE})
    assert send(client, "POST", "/quotes/", too_big).status_code == 413
    assert send(client, "POST", "/items/", too_big, auth).status_code == 413
    just_under = json.dumps({"name": "x", "price": 1, "pad": "x" * (MAX_BODY_SIZE - 100)})
    assert_refused(send(client, "POST", "/items/", just_under, auth))  # read, then refused: an extra field


def test_the_statuses_the_api_gives_are_in_its_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    for method in ("get", "put", "delete"):
        assert "404" in paths["/items/{item_id}"][method]["responses"], method
    for path, method in (("/items/", "post"), ("/items/{item_id}", "put"), ("/items/{item_id}", "delete"), ("/users/me", "get")):
        assert "401" in paths[path][method]["responses"], (path, method)
    assert {"401", "429"} <= set(paths["/token"]["post"]["responses"])
    assert "429" in paths["/items/"]["get"]["responses"]
    assert "503" in paths["/health"]["get"]["responses"]
