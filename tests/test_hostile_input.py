"""The complete service (checkpoints/lesson_10.py) answers hostile input with a 4xx, never a 500,
and stores nothing it cannot give back. On a SQLite file always, and on PostgreSQL when
`TEST_HOSTILE_DATABASE_URL` names a database (.ci/postgres.sh starts a server and prints it).

Each case is one a fuzz run or a hand-made attack found (issue 12): huge ids, NaN and infinite
prices, prices whose quote overflows, a 400-digit quantity, lone surrogates, NUL characters, a
body of 2 MiB, statuses missing from the OpenAPI document, and a burst of failed logins.
"""

import asyncio
import json
import os
import secrets
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine

from checkpoints import lesson_05, lesson_10
from checkpoints.lesson_09 import Base
from lessons_support.server import LiveServer, serve

NO_POSTGRES = "TEST_HOSTILE_DATABASE_URL not set: no PostgreSQL server"
KEY = secrets.token_urlsafe(32)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'items.db'}"
    else:
        url = os.environ.get("TEST_HOSTILE_DATABASE_URL")
        if not url:
            pytest.skip(NO_POSTGRES)
        engine = create_engine(url)
        Base.metadata.drop_all(engine)
        engine.dispose()
    with serve(lesson_10.create_app(database_url=url, secret_key=KEY), name=f"hostile-{request.param}") as server:
        yield server


def send(live: LiveServer, method: str, path: str, body: str | None = None, headers: dict | None = None) -> httpx.Response:
    """Send a raw JSON text, so that NaN, Infinity and lone surrogates reach the server as written."""
    headers = {**(headers or {}), "content-type": "application/json"} if body is not None else headers
    return httpx.request(method, live.url + path, content=body, headers=headers)


def assert_refused(response: httpx.Response, status: int = 422) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    response.json()  # the error itself is valid JSON


@pytest.mark.parametrize("item_id", ["9223372036854775808", "-9223372036854775809", str(2**31), "0", "-1"])
def test_an_id_outside_the_database_integer_is_a_422(live, auth, item_id):
    assert_refused(httpx.get(f"{live.url}/items/{item_id}"))
    assert_refused(send(live, "PUT", f"/items/{item_id}", '{"name": "x", "price": 1}', auth))
    assert_refused(httpx.delete(f"{live.url}/items/{item_id}", headers=auth))


def test_the_largest_id_the_database_holds_is_a_plain_404(live, auth):
    assert httpx.get(f"{live.url}/items/{lesson_05.MAX_ITEM_ID}").status_code == 404


@pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", '"inf"', '"nan"', "1000000.01"])
def test_a_price_that_is_not_a_finite_bounded_number_is_a_422(live, auth, price):
    body = f'{{"name": "x", "price": {price}}}'
    assert_refused(send(live, "POST", "/items/", body, auth))
    assert_refused(send(live, "PUT", "/items/1", body, auth))
    assert_refused(send(live, "POST", "/quotes/", f'{{"name": "x", "price": {price}, "quantity": 1}}'))


def test_the_422_for_nan_names_the_field_and_says_why(live, auth):
    detail = send(live, "POST", "/items/", '{"name": "x", "price": NaN}', auth).json()["detail"]
    assert [(error["loc"], error["type"], error["input"]) for error in detail] == [(["body", "price"], "finite_number", "nan")]


def test_every_stored_price_reads_back_as_a_number(live, auth):
    created = send(live, "POST", "/items/", f'{{"name": "Dear", "price": {lesson_05.lesson_02.MAX_PRICE}}}', auth)
    assert created.status_code == 201
    items = httpx.get(live.url + "/items/").json()
    assert all(isinstance(item["price"], float) for item in items)


@pytest.mark.parametrize(
    "quote",
    [
        '{"name": "x", "price": 1e308, "quantity": 10}',
        '{"name": "x", "price": 1, "quantity": ' + "9" * 400 + "}",
        '{"name": "' + "x" * 101 + '", "price": 1, "quantity": 1}',
    ],
    ids=["overflowing total", "400-digit quantity", "101-character name"],
)
def test_a_quote_that_would_overflow_or_is_too_long_is_a_422(live, quote):
    assert_refused(send(live, "POST", "/quotes/", quote))


def test_the_largest_quote_is_a_finite_total(live):
    body = {"name": "x", "price": lesson_05.lesson_02.MAX_PRICE, "quantity": lesson_05.lesson_02.MAX_QUANTITY}
    quote = httpx.post(live.url + "/quotes/", json=body)
    assert quote.status_code == 200 and isinstance(quote.json()["total"], float)


def test_a_lone_surrogate_is_a_422_that_can_be_sent(live, auth):
    for path, body, headers in (
        ("/quotes/", '{"name": "\\ud800", "price": 1, "quantity": 1}', None),
        ("/items/", '{"name": "\\ud800", "price": 1}', auth),
    ):
        response = send(live, "POST", path, body, headers)
        assert_refused(response)
        assert response.json()["detail"][0]["input"] == "\\ud800"


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", None])
def test_a_body_of_bytes_that_are_not_utf8_is_a_422_that_can_be_sent(live, auth, content_type):
    headers = {**auth, "content-type": content_type} if content_type else auth
    for method, path in (("POST", "/items/"), ("PUT", "/items/1")):
        response = httpx.request(method, live.url + path, content=b"\xff\xfe", headers=headers)
        assert_refused(response)
        assert response.json()["detail"][0]["input"] == "\\xff\\xfe"


def test_a_nul_character_is_a_422_in_a_body_and_in_a_query(live, auth):
    assert_refused(send(live, "POST", "/items/", '{"name": "a\\u0000b", "price": 1}', auth))
    assert_refused(send(live, "POST", "/quotes/", '{"name": "a\\u0000b", "price": 1, "quantity": 1}'))
    assert_refused(httpx.get(live.url + "/items/", params={"name": "\x00"}))


def test_a_body_over_the_limit_is_a_413_and_one_under_it_is_read(live, auth):
    too_big = json.dumps({"name": "x", "price": 1, "pad": "x" * lesson_05.MAX_BODY_SIZE})
    assert send(live, "POST", "/quotes/", too_big).status_code == 413
    assert send(live, "POST", "/items/", too_big, auth).status_code == 413
    just_under = json.dumps({"name": "x", "price": 1, "pad": "x" * (lesson_05.MAX_BODY_SIZE - 100)})
    assert send(live, "POST", "/items/", just_under, auth).status_code == 422  # read, then refused: extra field


def test_the_statuses_the_api_gives_are_in_its_openapi_document(live):
    paths = httpx.get(live.url + "/openapi.json").json()["paths"]
    for method in ("get", "put", "delete"):
        assert "404" in paths["/items/{item_id}"][method]["responses"], method
    for path, method in (("/items/", "post"), ("/items/{item_id}", "put"), ("/items/{item_id}", "delete"), ("/users/me", "get")):
        assert "401" in paths[path][method]["responses"], (path, method)
    assert {"401", "429"} <= set(paths["/token"]["post"]["responses"])


def test_failed_logins_for_one_user_are_throttled_with_retry_after(live):
    name = f"mallory-{secrets.token_hex(4)}"
    answers = [httpx.post(live.url + "/token", data={"username": name, "password": "guess"}) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [401] * 5 + [429]
    assert 0 < int(answers[-1].headers["retry-after"]) <= 60
    assert answers[-1].json() == {"detail": "Too many failed logins: try again later"}
    other = httpx.post(live.url + "/token", data={"username": "alice", "password": "wonderland"})
    assert other.status_code == 200, "the throttle holds one username back, not everyone"


def test_parallel_guesses_cannot_slip_past_the_throttle(live):
    name = f"mallory-{secrets.token_hex(4)}"

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=live.url) as client:
            answers = await asyncio.gather(*(client.post("/token", data={"username": name, "password": f"guess-{n}"}) for n in range(30)))
        return sorted(answer.status_code for answer in answers)

    assert asyncio.run(burst()) == [401] * 5 + [429] * 25
