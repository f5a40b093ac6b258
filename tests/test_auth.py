"""Lesson 08's auth, through HTTP: login, /users/me, protected writes, and every refused token.

The cases mirror the notebook's: each bad token gets a 401 with `WWW-Authenticate: Bearer`.
One app is served for the module (Argon2 makes each start-up and each login cost about 0.25 s).
"""

import asyncio
import base64
import json
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from checkpoints import lesson_08
from lessons_support.server import serve

KEY = secrets.token_urlsafe(32)


@pytest.fixture(scope="module")
def server():
    live = serve(lesson_08.create_app(secret_key=KEY), name="test_auth")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def token(server) -> str:
    response = httpx.post(server.url + "/token", data={"username": "alice", "password": "wonderland"})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def in_30_minutes() -> int:
    return int((datetime.now(UTC) + timedelta(minutes=30)).timestamp())


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


def test_login_returns_a_bearer_jwt_signed_with_hs256_naming_the_user(server, token):
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, KEY, algorithms=["HS256"])
    assert sorted(claims) == ["exp", "iat", "sub"]
    assert claims["sub"] == "alice"
    assert claims["exp"] - claims["iat"] == 30 * 60


def test_login_wants_form_data_not_json(server):
    response = httpx.post(server.url + "/token", json={"username": "alice", "password": "wonderland"})
    assert response.status_code == 422


@pytest.mark.parametrize("username, password", [("alice", "Wonderland"), ("mallory", "wonderland")])
def test_a_wrong_password_and_an_unknown_user_get_the_same_401(server, username, password):
    response = httpx.post(server.url + "/token", data={"username": username, "password": password})
    assert_refused(response)
    assert response.json() == {"detail": "Incorrect username or password"}


def test_users_me_names_the_user_and_never_shows_the_hash(server, token):
    response = httpx.get(server.url + "/users/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {"username": "alice", "full_name": "Alice Liddell"}
    assert "argon2" not in response.text


BAD_TOKENS = {
    "malformed": lambda: "not-a-jwt",
    "wrong signature": lambda: lesson_08.create_access_token("alice", secrets.token_urlsafe(32)),
    "expired": lambda: lesson_08.create_access_token("alice", KEY, expires_delta=timedelta(minutes=-5)),
    "alg none": lambda: b64url({"alg": "none", "typ": "JWT"}) + "." + b64url({"sub": "alice", "exp": in_30_minutes()}) + ".",
    "unknown user": lambda: lesson_08.create_access_token("mallory", KEY),
    "no exp claim": lambda: jwt.encode({"sub": "alice"}, KEY, algorithm="HS256"),
    "no sub claim": lambda: jwt.encode({"exp": in_30_minutes()}, KEY, algorithm="HS256"),
}


def test_no_token_is_refused(server):
    response = httpx.get(server.url + "/users/me")
    assert_refused(response)
    assert response.json() == {"detail": "Not authenticated"}


def test_another_scheme_is_refused(server, token):
    assert_refused(httpx.get(server.url + "/users/me", headers={"Authorization": f"Basic {token}"}))


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_refused_with_one_message(server, make_token):
    response = httpx.get(server.url + "/users/me", headers=bearer(make_token()))
    assert_refused(response)
    assert response.json() == {"detail": "Could not validate credentials"}


def test_the_server_log_says_why_a_token_was_refused(server):
    server.logs.clear()
    httpx.get(server.url + "/users/me", headers=bearer(BAD_TOKENS["alg none"]()))
    reasons = [line.message for line in server.logs.lines() if line.logger == "app.auth"]
    assert reasons == ["token rejected: 'The specified alg value is not allowed'"]


def test_writes_need_a_token_and_reads_do_not(server, token):
    laptop = {"name": "Laptop", "price": 999.99}
    assert_refused(httpx.post(server.url + "/items/", json=laptop))
    created = httpx.post(server.url + "/items/", json=laptop, headers=bearer(token))
    assert created.status_code == 201
    url = server.url + f"/items/{created.json()['id']}"
    assert httpx.get(url).status_code == 200
    assert created.json() in httpx.get(server.url + "/items/").json()
    cheaper = {"name": "Laptop", "price": 899.0}
    assert_refused(httpx.put(url, json=cheaper))
    replaced = httpx.put(url, json=cheaper, headers=bearer(token))
    assert replaced.status_code == 200
    assert replaced.json()["price"] == 899.0
    assert_refused(httpx.delete(url))
    assert httpx.delete(url, headers=bearer(token)).status_code == 204
    assert httpx.delete(url, headers=bearer(token)).status_code == 404


def test_a_write_with_a_bad_token_is_refused_too(server):
    assert_refused(httpx.post(server.url + "/items/", json={"name": "Pen", "price": 1.5}, headers=bearer(BAD_TOKENS["expired"]())))


def test_the_key_comes_from_the_argument_else_the_environment_else_chance(monkeypatch):
    monkeypatch.setattr(lesson_08, "demo_users", dict)
    monkeypatch.setenv("JWT_SECRET_KEY", "from-the-environment-" + "x" * 32)
    assert lesson_08.create_app(secret_key=KEY).state.secret_key == KEY
    assert lesson_08.create_app().state.secret_key == "from-the-environment-" + "x" * 32
    monkeypatch.delenv("JWT_SECRET_KEY")
    first, second = lesson_08.create_app().state.secret_key, lesson_08.create_app().state.secret_key
    assert first != second and len(first) >= 43


def test_the_demo_password_is_kept_only_as_an_argon2id_hash():
    alice = lesson_08.demo_users()["alice"]
    assert alice.hashed_password.startswith("$argon2id$")
    assert "wonderland" not in alice.model_dump_json()
    assert lesson_08.password_hash.verify("wonderland", alice.hashed_password)


def test_an_unknown_user_costs_one_hash_verify_like_a_known_one(monkeypatch):
    verified: list[str] = []

    class CountingHash:
        def verify(self, password: str, hashed: str) -> bool:
            verified.append(hashed)
            return False

    users = {"alice": lesson_08.UserInDB(username="alice", hashed_password="$argon2id$stored")}
    dummy = lesson_08.dummy_hash()
    monkeypatch.setattr(lesson_08, "password_hash", CountingHash())
    assert lesson_08.authenticate_user(users, "alice", "guess") is None
    assert lesson_08.authenticate_user(users, "mallory", "guess") is None
    assert verified == ["$argon2id$stored", dummy]
    assert dummy.startswith("$argon2id$")


@pytest.mark.parametrize("short", ["k", "x" * 31, "é" * 15])
def test_a_signing_key_shorter_than_32_bytes_is_refused_at_start_up(monkeypatch, short):
    monkeypatch.setattr(lesson_08, "demo_users", dict)
    with pytest.raises(ValueError, match=r"secret_key has \d+ bytes; an HS256 signing key needs at least 32"):
        lesson_08.create_app(secret_key=short)
    monkeypatch.setenv("JWT_SECRET_KEY", short)
    with pytest.raises(ValueError, match=r"JWT_SECRET_KEY has \d+ bytes"):
        lesson_08.create_app()
    assert lesson_08.create_app(secret_key="é" * 16).state.secret_key == "é" * 16  # 32 bytes in UTF-8


def test_failed_logins_verify_passwords_at_most_two_at_a_time(monkeypatch):
    """A burst of logins cannot run 40 Argon2 verifies (64 MiB each) at once: they wait in line."""
    running, most = 0, 0
    lock = threading.Lock()

    class SlowHash:
        def verify(self, password: str, hashed: str) -> bool:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05)
            with lock:
                running -= 1
            return False

    monkeypatch.setattr(lesson_08, "password_hash", SlowHash())
    monkeypatch.setattr(lesson_08, "dummy_hash", lambda: "$argon2id$dummy")
    app = lesson_08.create_app(secret_key=KEY)

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=live.url) as client:
            answers = await asyncio.gather(
                *(client.post("/token", data={"username": f"user{n}", "password": "guess"}) for n in range(12))
            )
        return [answer.status_code for answer in answers]

    with serve(app, name="login-burst") as live:
        assert asyncio.run(burst()) == [401] * 12
    assert most == lesson_08.PASSWORD_CHECKS_AT_ONCE == 2


def test_the_login_throttle_counts_attempts_per_address_and_name_within_its_window(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(lesson_08.time, "monotonic", lambda: now[0])
    throttle = lesson_08.LoginThrottle(limit=2, window=60)
    eve, elsewhere = throttle.key("10.0.0.1", "eve"), throttle.key("10.0.0.2", "eve")
    throttle.started(eve)
    assert throttle.retry_after(eve) is None
    now[0] += 10
    throttle.started(eve)
    assert throttle.retry_after(eve) == 50 and throttle.retry_after(elsewhere) is None
    now[0] += 49.5
    assert throttle.retry_after(eve) == 1
    now[0] += 0.5
    assert throttle.retry_after(eve) is None, "the oldest attempt left the window"


def test_a_right_password_takes_its_attempt_back(monkeypatch):
    throttle = lesson_08.LoginThrottle(limit=1, window=60)
    alice = throttle.key("10.0.0.1", "alice")
    throttle.started(alice)
    throttle.succeeded(alice)
    assert throttle.retry_after(alice) is None


def test_the_throttle_keeps_hashes_not_names_and_sweeps_what_expired(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(lesson_08.time, "monotonic", lambda: now[0])
    throttle = lesson_08.LoginThrottle(window=60, sweep_above=100)
    for n in range(150):
        throttle.started(throttle.key("10.0.0.1", f"user-{n}-" + "x" * 10_000))
    assert all(len(name) == 32 for _, name in throttle._attempts)
    now[0] += 61
    for n in range(60):
        throttle.started(throttle.key("10.0.0.1", f"late-{n}"))
    assert len(throttle._attempts) == 60  # the 150 expired entries are gone, the 60 live ones kept


def test_a_flood_of_live_entries_is_swept_only_after_the_table_doubles(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(lesson_08.time, "monotonic", lambda: now[0])
    throttle = lesson_08.LoginThrottle(window=60, sweep_above=100)
    sweeps = []
    real_recent = throttle._recent
    monkeypatch.setattr(throttle, "_recent", lambda key: (sweeps.append(key), real_recent(key))[1])
    for n in range(1_000):
        throttle.started(throttle.key("10.0.0.1", f"user-{n}"))
    assert len(throttle._attempts) == 1_000
    # Every entry is live, so no sweep frees anything: with a sweep on each login above 100
    # entries this would be about 450,000 calls; doubling keeps it near 2 per login.
    assert len(sweeps) < 4 * 1_000


def test_a_reason_that_quotes_the_token_cannot_forge_a_log_line(server):
    """PyJWT repeats an unknown `crit` header entry in its error; logged with %r, its line break
    stays inside the one log record, escaped."""
    forged = "x\n2026-01-01 INFO app.auth: token accepted for admin"
    token = jwt.encode({"sub": "alice", "exp": datetime.now(UTC) + timedelta(minutes=5)}, KEY, algorithm="HS256", headers={"crit": [forged]})
    server.logs.clear()
    assert_refused(httpx.get(server.url + "/users/me", headers=bearer(token)))
    reasons = [line.message for line in server.logs.lines() if line.logger == "app.auth"]
    assert len(reasons) == 1 and "\n" not in reasons[0] and "\\n2026-01-01 INFO" in reasons[0], reasons
