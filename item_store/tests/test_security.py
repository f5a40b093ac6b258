"""Logging in, tokens, the demo user and the login throttle."""

import asyncio
import secrets
import time

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from item_store import security
from item_store.app import create_app
from item_store.security import ALGORITHM, LoginThrottle, authenticate_user, create_access_token, demo_users
from item_store.settings import Settings

ALICE = {"username": "alice", "password": "wonderland"}


def test_the_demo_user_logs_in_and_the_token_names_her(client, app):
    answer = client.post("/token", data=ALICE)
    assert answer.status_code == 200 and answer.json()["token_type"] == "bearer"
    claims = jwt.decode(answer.json()["access_token"], app.state.secret_key, algorithms=[ALGORITHM])
    assert claims["sub"] == "alice" and claims["exp"] - claims["iat"] == 30 * 60
    me = client.get("/users/me", headers={"Authorization": f"Bearer {answer.json()['access_token']}"})
    assert me.json() == {"username": "alice", "full_name": "Alice Liddell"}


def test_users_me_never_shows_the_password_hash(client, auth):
    assert "hashed_password" not in client.get("/users/me", headers=auth).json()


WRONG_LOGINS = {"wrong password": {"username": "alice", "password": "guess"}, "unknown user": {"username": "nobody", "password": "wonderland"}}


@pytest.mark.parametrize("form", WRONG_LOGINS.values(), ids=WRONG_LOGINS.keys())
def test_a_wrong_login_is_the_same_401_whoever_it_names(client, form):
    answer = client.post("/token", data=form)
    assert (answer.status_code, answer.json(), answer.headers["www-authenticate"]) == (401, {"detail": "Incorrect username or password"}, "Bearer")


def test_without_the_demo_user_nobody_logs_in(database_url):
    with TestClient(create_app(Settings(database_url=database_url, demo_user=False))) as client:
        assert client.post("/token", data=ALICE).status_code == 401


def test_authenticate_user_checks_the_password():
    users = demo_users()
    assert authenticate_user(users, "alice", "wonderland") is users["alice"]
    assert authenticate_user(users, "alice", "Wonderland") is None


def test_an_unknown_user_costs_one_argon2_verify_like_a_known_one(monkeypatch):
    """So that the time a wrong login takes does not tell which usernames exist."""
    checked: list[str] = []
    monkeypatch.setattr(security.password_hash, "verify", lambda password, hashed: checked.append(hashed) or False)
    users = demo_users()
    assert authenticate_user(users, "nobody", "wonderland") is None
    assert authenticate_user(users, "alice", "guess") is None
    assert checked == [security.dummy_hash(), users["alice"].hashed_password]
    assert security.dummy_hash().startswith("$argon2id$v=19$m=65536,t=3,p=4$"), "pwdlib's recommended parameters"


def test_a_token_is_signed_and_expires():
    token = create_access_token("alice", "k" * 32)
    assert jwt.decode(token, "k" * 32, algorithms=[ALGORITHM])["sub"] == "alice"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "x" * 32, algorithms=[ALGORITHM])


def test_failed_logins_for_one_user_are_throttled_with_retry_after(client):
    name = f"mallory-{secrets.token_hex(4)}"
    answers = [client.post("/token", data={"username": name, "password": "guess"}) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [401] * 5 + [429]
    assert 0 < int(answers[-1].headers["retry-after"]) <= 60
    assert answers[-1].json() == {"detail": "Too many failed logins: try again later"}
    assert client.post("/token", data=ALICE).status_code == 200, "the throttle holds one username back, not everyone"


@pytest.mark.anyio
async def test_parallel_guesses_cannot_slip_past_the_throttle(async_client):
    name = f"mallory-{secrets.token_hex(4)}"
    answers = await asyncio.gather(*(async_client.post("/token", data={"username": name, "password": f"guess-{n}"}) for n in range(30)))
    assert sorted(answer.status_code for answer in answers) == [401] * 5 + [429] * 25


@pytest.mark.anyio
async def test_a_right_password_does_not_count_against_the_user(async_client):
    answers = [await async_client.post("/token", data=ALICE) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 6


def test_the_throttle_forgets_attempts_older_than_its_window():
    throttle = LoginThrottle(limit=1, window=0.05)
    key = throttle.key("1.2.3.4", "bob")
    throttle.started(key)
    assert throttle.retry_after(key) == 1
    time.sleep(0.06)
    assert throttle.retry_after(key) is None
    assert len(throttle) == 0


def test_the_throttle_keeps_usernames_only_as_hashes():
    throttle = LoginThrottle()
    throttle.started(throttle.key("1.2.3.4", "bob"))
    assert all(b"bob" not in username for _, username in throttle._attempts)


def test_the_throttle_sweeps_expired_entries_once_its_table_doubles():
    throttle = LoginThrottle(window=0.05, sweep_above=10)
    for n in range(11):
        throttle.started(throttle.key("1.2.3.4", f"user-{n}"))
    time.sleep(0.06)
    throttle.started(throttle.key("1.2.3.4", "one more"))
    assert len(throttle) == 1


def test_a_lone_surrogate_in_a_username_is_throttled_not_a_crash():
    throttle = LoginThrottle()
    throttle.started(throttle.key("1.2.3.4", "\ud800"))
    assert len(throttle) == 1


def test_a_request_without_a_client_address_still_logs_in(app):
    async def login() -> int:
        transport = httpx.ASGITransport(app=app, client=None)  # type: ignore[arg-type]
        async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return (await client.post("/token", data=ALICE)).status_code

    assert asyncio.run(login()) == 200
