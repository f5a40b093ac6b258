"""Checks for lesson 14's exercises (see lessons_support/checks/__init__.py).

14.1 copies the package item_store/ (its tests included, caches left out) into a temporary
folder and calls the learner's `add_stock(package)` on the copy; the repository's package is
never touched. Then, in a Python process of its own started in that folder (so that
`item_store` is the copy), RUNNER migrates a new SQLite file to revision 0001, stores two items,
upgrades it to head, reads their stock, runs `alembic check`, downgrades to 0001 and upgrades
again, sends the route the requests the task names (TestClient, a token signed with a key of its
own), and runs pytest on the learner's new test files. It prints what it saw as JSON; the check
judges it, one line per requirement.

14.2 starts `uvicorn item_store.main:app --workers 2` with the learner's environment variables,
plus a migrated SQLite file of its own and DEMO_USER=true, logs in as the demo user, and sends
the token on new connections until both workers have answered (each request's log line names
its worker's process id), 40 at least: every one must be accepted.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

import httpx

from lessons_support.checks import exercise
from lessons_support.exercises import CheckResult, NotYet, evaluate
from lessons_support.process import UvicornProcess

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "item_store"
COPY_IGNORES = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", ".coverage*", ".env", ".pytest_cache")
RUN_TIMEOUT = 120
# Set by the course's own runs (tests, CI) or a learner's shell: the copy's tests must not see them.
SETTINGS_VARIABLES = ("DATABASE_URL", "JWT_SECRET_KEY", "ENVIRONMENT", "ITEMS_PER_MINUTE", "DEMO_USER", "ALLOWED_HOSTS", "CORS_ORIGINS", "LOG_LEVEL")

# Run in the copy's folder by `python exercise_check.py`: it prints one JSON object.
RUNNER = r'''
import json
import secrets
import sqlite3
import sys
import traceback
import xml.etree.ElementTree as ElementTree
from pathlib import Path

folder = Path(__file__).resolve().parent
database = folder / "check.db"
url = f"sqlite:///{database}"
report = {}


def where(error):
    """Where in the package the error happened: the last of its frames in the copy's files."""
    frames = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(error.__traceback__)]
    if isinstance(error, SyntaxError) and error.filename:
        frames.append((error.filename, error.lineno))
    package = (folder / "item_store").resolve()
    inside = [(Path(name).resolve(), line) for name, line in frames if Path(name).resolve().is_relative_to(package)]
    return f" (item_store/{inside[-1][0].relative_to(package)}, line {inside[-1][1]})" if inside else ""


def step(name, action):
    try:
        report[name] = {"ok": True, "value": action()}
    except BaseException as error:  # alembic's and pytest's SystemExit included
        lines = f"{type(error).__name__}: {error}".strip().splitlines()
        text = "\n".join(line for line in lines if not line.startswith("(Background"))[:600]
        report[name] = {"ok": False, "error": text + where(error)}
    return report[name]["ok"]


def columns():
    with sqlite3.connect(database) as db:
        return [row[1] for row in db.execute("PRAGMA table_info(items)")]


def migrate_with_items():
    from item_store.migrate import head_revision, upgrade

    upgrade(url, "0001")
    with sqlite3.connect(database) as db:
        db.executemany("INSERT INTO items (name, price, in_stock) VALUES (?, ?, 1)", [("Mug", 4.5), ("Tea", 3.2)])
    upgrade(url, "head")
    return head_revision()


def stock_of_existing_items():
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT stock FROM items ORDER BY id")]


def alembic_check():
    from alembic import command
    from item_store.migrate import alembic_config

    command.check(alembic_config(url))


def round_trip():
    from item_store.migrate import downgrade, upgrade

    downgrade(url, "0001")
    after_downgrade = columns()
    upgrade(url, "head")
    return {"after downgrade": after_downgrade, "after upgrade": columns()}


def requests():
    from fastapi.testclient import TestClient
    from item_store.app import create_app
    from item_store.security import create_access_token
    from item_store.settings import Settings

    key = secrets.token_urlsafe(32)
    auth = {"Authorization": f"Bearer {create_access_token('alice', key)}"}
    seen = {}

    def answer(response):
        try:
            return [response.status_code, response.json()]
        except ValueError:
            return [response.status_code, response.text[:200]]

    with TestClient(create_app(Settings(_env_file=None, database_url=url, jwt_secret_key=key))) as client:
        seen["7"] = answer(client.put("/items/1/stock", json={"stock": 7}, headers=auth))
        with sqlite3.connect(database) as db:
            seen["stored"] = [row[0] for row in db.execute("SELECT stock FROM items ORDER BY id")]
        seen["no token"] = answer(client.put("/items/1/stock", json={"stock": 7}))
        seen["bad token"] = answer(client.put("/items/1/stock", json={"stock": 7}, headers={"Authorization": "Bearer nonsense"}))
        seen["missing item"] = answer(client.put("/items/999/stock", json={"stock": 1}, headers=auth))
        for stock in (-1, 10001, "many", 0.5):
            seen[f"stock {stock!r}"] = answer(client.put("/items/2/stock", json={"stock": stock}, headers=auth))
        seen["0"] = answer(client.put("/items/2/stock", json={"stock": 0}, headers=auth))
        seen["10000"] = answer(client.put("/items/2/stock", json={"stock": 10000}, headers=auth))
        seen["read item"] = answer(client.get("/items/1"))
    return seen


def learner_tests():
    import pytest

    tests = [str(folder / "item_store" / "tests" / name) for name in sys.argv[1:]]
    junit = folder / "junit.xml"
    (folder / "pytest.ini").write_text("[pytest]\n")
    options = ["-q", "-c", str(folder / "pytest.ini"), "-p", "no:cacheprovider", "-p", "no:schemathesis"]
    options += ["-p", "no:hypothesispytest", "-p", "no:nbval", "-p", "no:xdist", "-W", "error", f"--junitxml={junit}"]
    # This process imported the app (and so anyio, a pytest plugin) before pytest started.
    options += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    pytest.main([*tests, *options])
    results = []
    if junit.exists():
        for case in ElementTree.parse(junit).getroot().iter("testcase"):
            problem = next(iter(case.findall("failure") + case.findall("error")), None)
            message = None if problem is None else (problem.get("message") or problem.text or "").strip().splitlines()[0][:300]
            results.append({"name": case.get("name"), "problem": message})
    return {"tests": results}


if step("import", lambda: __import__("item_store.app") and None):
    if step("migrate", migrate_with_items):
        step("stock", stock_of_existing_items)
        step("check", alembic_check)
        if step("round trip", round_trip):
            step("requests", requests)
    if sys.argv[1:]:
        step("tests", learner_tests)
print("\n@@REPORT@@" + json.dumps(report))
'''


def files_of(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts}


def changes(original: Path, copy: Path) -> list[str]:
    """The files of `copy` that are new or differ from `original`'s."""
    before, after = files_of(original), files_of(copy)
    return sorted(name for name in after if name not in before or not filecmp.cmp(original / name, copy / name, shallow=False))


def clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}


def run_in_copy(folder: Path, new_tests: list[str]) -> dict[str, Any]:
    """RUNNER's report, run in `folder` (which holds the changed copy of item_store)."""
    (folder / "exercise_check.py").write_text(RUNNER)
    run = subprocess.run(
        [sys.executable, "exercise_check.py", *new_tests],
        cwd=folder,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    marker = run.stdout.rfind("@@REPORT@@")
    if marker < 0:
        last = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise AssertionError(f"the check's process in the copy ended without a report: {last}")
    return json.loads(run.stdout[marker + len("@@REPORT@@") :])


def step(report: dict[str, Any], name: str) -> dict[str, Any]:
    """What RUNNER recorded for step `name`: {"ok": True, "value": …}, {"ok": False, "error": …}, or
    {"ok": None} when an earlier failure stopped it."""
    return report.get(name, {"ok": None})


def judge(rule: Callable[[Any], bool]) -> Callable[[dict[str, Any]], bool]:
    """An `evaluate` expectation for a step: its error, or `rule` applied to its value."""

    def expect(found: dict[str, Any]) -> bool:
        if not found["ok"]:
            raise AssertionError(found["error"])
        return rule(found["value"])

    return expect


def head_is_0002(head: Any) -> bool:
    if head != "0002":
        raise AssertionError(f"after `upgrade head` the newest revision is {head!r}, not '0002' (its `revision`, after `down_revision = \"0001\"`).")
    return True


def existing_items_start_at_zero(stock: Any) -> bool:
    if stock != [0, 0]:
        raise AssertionError(f"the two items stored before the migration have a stock of {stock}, not [0, 0].")
    return True


def downgrade_removes_the_column(columns: Any) -> bool:
    if "stock" in columns["after downgrade"]:
        raise AssertionError("after `downgrade 0001` the items table still has its stock column: downgrade() must undo upgrade().")
    if "stock" not in columns["after upgrade"]:
        raise AssertionError("after upgrading again, the items table has no stock column.")
    return True


def status_is(seen: dict[str, Any], key: str, wanted: int, what: str) -> None:
    status, body = seen[key]
    if status != wanted:
        raise AssertionError(f"{what} answered {status} {json.dumps(body)[:200]}, not {wanted}.")


def route_answers(seen: Any) -> bool:
    status_is(seen, "7", 200, 'PUT /items/1/stock with {"stock": 7} and a token')
    if seen["7"][1] != {"id": 1, "stock": 7}:
        raise AssertionError(f'PUT /items/1/stock with {{"stock": 7}} answered {json.dumps(seen["7"][1])}, not {{"id": 1, "stock": 7}}.')
    if seen["stored"][:1] != [7]:
        raise AssertionError(f"after it, the items table's stock column holds {seen['stored']}: item 1 should have 7.")
    for key, what in (("0", "a stock of 0"), ("10000", "a stock of 10000")):
        status_is(seen, key, 200, f"PUT /items/2/stock with {what}")
    return True


def route_refuses(seen: Any) -> bool:
    status_is(seen, "no token", 401, "PUT /items/1/stock without a token")
    status_is(seen, "bad token", 401, "PUT /items/1/stock with a token that is not one")
    status_is(seen, "missing item", 404, "PUT /items/999/stock (no such item)")
    for stock in (-1, 10001, "many", 0.5):
        status_is(seen, f"stock {stock!r}", 422, f"a stock of {json.dumps(stock)}")
    status_is(seen, "read item", 200, "GET /items/1, after the change,")
    return True


def learner_tests_pass(result: Any) -> bool:
    tests = result["tests"]
    if not tests:
        raise AssertionError("pytest collected no test in your new test file(s): name each test function test_….")
    failing = [f"{test['name']}: {test['problem']}" for test in tests if test["problem"]]
    if failing:
        raise AssertionError("your test failed: " + "; ".join(failing))
    return True


STEPS = [
    (
        "import",
        "the changed package imports",
        lambda value: True,
        "The error names the file and line: an edit that landed in the wrong place, or a name used without its import.",
    ),
    (
        "migrate",
        "the package imports and migrates a database that holds items, to revision 0002",
        head_is_0002,
        "The error is what `alembic -c item_store/alembic.ini upgrade head` prints on a database that already holds items.",
    ),
    (
        "stock",
        "the items that existed before the migration have a stock of 0",
        existing_items_start_at_zero,
        "The rows were stored before your code ran: only the database can give them a value when the column is made.",
    ),
    (
        "check",
        "alembic check: the models and the migrations agree",
        lambda value: True,
        "Each model change needs its migration, and each migration its model change: autogenerate compares the two.",
    ),
    (
        "round trip",
        "the migration downgrades to 0001 and upgrades again",
        downgrade_removes_the_column,
        "downgrade() undoes exactly what upgrade() did, so that `alembic downgrade -1` can take a bad release back.",
    ),
    (
        "requests",
        "PUT /items/{item_id}/stock sets and stores the count",
        route_answers,
        "Does the route exist where the app includes it, and does it answer with the item's id and the count?",
    ),
    (
        "requests",
        "it refuses what it should: 401, 404 and 422",
        route_refuses,
        "401 and 404: the other write routes of routers/items.py already answer them. 422: what bounds the body's field?",
    ),
    (
        "tests",
        "your test passes",
        learner_tests_pass,
        "tests/conftest.py gives a client on a migrated database and a bearer header (`client`, `auth`).",
    ),
]


def apply(add_stock: Callable[[Path], Any], folder: Path) -> list[str]:
    package = folder / "item_store"
    shutil.copytree(PACKAGE, package, ignore=COPY_IGNORES)
    add_stock(package)
    return changes(PACKAGE, package)


@exercise("14.1", "stock levels, the way the package asks")
def stock_levels(add_stock):
    with tempfile.TemporaryDirectory(prefix="item-store-exercise-") as name:
        folder = Path(name)
        try:
            changed = apply(add_stock, folder)
        except (NotImplementedError, NotYet):
            raise NotYet from None
        except Exception as error:
            yield evaluate("add_stock(package) changes the copy of the package", lambda: _raise(error))
            return
        if not changed:
            raise NotYet
        new_tests = [Path(name).name for name in changed if re.fullmatch(r"tests/test_[^/]+\.py", name) and not (PACKAGE / name).exists()]
        migrations = [name for name in changed if name.startswith("migrations/versions/")]
        yield evaluate(
            "the change adds a migration and a test file",
            lambda: {"migrations": migrations, "tests": new_tests},
            expect=_adds_migration_and_test,
            hint="The README's table says where migrations and tests live; both are new files.",
        )
        try:
            report = run_in_copy(folder, new_tests)
        except (AssertionError, subprocess.TimeoutExpired) as problem:
            yield CheckResult("the copy migrates and serves", False, f"✗ the copy migrates and serves: {problem}")
            return
        for name, task, rule, hint in STEPS:
            if step(report, name)["ok"] is not None:  # a step an earlier failure stopped says nothing
                yield evaluate(task, lambda name=name: step(report, name), expect=judge(rule), hint=hint)


def _raise(error: Exception) -> Any:
    raise error


def _adds_migration_and_test(found: dict[str, list[str]]) -> bool:
    if not found["migrations"]:
        raise AssertionError("no new file in migrations/versions/: the column needs a migration.")
    if not found["tests"]:
        raise AssertionError("no new tests/test_….py file: the route needs a test.")
    return True


def migrated_database(folder: Path) -> str:
    """A new SQLite file in `folder`, migrated to head with the repository's migrations."""
    from item_store.migrate import upgrade

    url = f"sqlite:///{folder / 'items.db'}"
    upgrade(url)
    return url


@contextmanager
def two_workers(environment: dict[str, str], folder: Path) -> Iterator[UvicornProcess]:
    """`uvicorn item_store.main:app --workers 2` with `environment`, both workers started. A worker
    that fails at start-up raises RuntimeError at once: uvicorn would start it again, for ever."""
    log = folder / "server.log"
    variables = {**environment, "DATABASE_URL": migrated_database(folder), "DEMO_USER": "true"}
    with patch.dict(os.environ, clean_environment(), clear=True), patch.dict(os.environ, variables):
        server = UvicornProcess("item_store.main:app", "--workers", "2", cwd=folder, log_path=log, timeout=60)
    try:
        server.poll(lambda: both_started(log), timeout=60)
        yield server
    finally:
        server.stop()


def both_started(log: Path) -> bool:
    text = log.read_text()
    if "Traceback" in text:
        raise RuntimeError(startup_error(text))
    return text.count("Application startup complete") == 2


def startup_error(text: str) -> str:
    """The exception of the first traceback in a log, without Pydantic's links."""
    block = text[text.find("Traceback") :]
    end = re.search(r"\n(?=INFO:|Process |Traceback)", block)
    lines = (block[: end.start()] if end else block).splitlines()
    first = max((i for i, line in enumerate(lines) if re.match(r"[\w.]+(Error|Exception|Exit)\b", line)), default=len(lines) - 1)
    kept = [line.removeprefix("pydantic_core._pydantic_core.") for line in lines[first:]]
    return "\n".join(line for line in kept if line.strip() and not line.strip().startswith("For further information"))[:500]


def token_everywhere(server: UvicornProcess, most: int = 1000) -> dict[str, Any]:
    """Log in, then send the token on new connections until both workers answered (40 at least)."""
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)) as client:
        login = client.post(server.url + "/token", data={"username": "alice", "password": "wonderland"})
        if login.status_code != 200:
            raise AssertionError(f"logging in as alice answered {login.status_code} {login.text[:200]}")
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        statuses = []
        for n in range(most):
            statuses.append(client.get(server.url + "/users/me", headers={**bearer, "X-Request-ID": f"check-{n}"}).status_code)
            if n >= 39 and len(workers_that_answered(server.log_path, n + 1)) == 2:
                break
    return {"statuses": statuses, "workers": len(workers_that_answered(server.log_path, len(statuses)))}


def workers_that_answered(log: Path, requests: int) -> set[str]:
    """The process ids in the log lines of the first `requests` check requests (waiting a little for the last ones)."""
    pattern = re.compile(r" (\d+) \[check-\d+\] item_store\.requests: ←")
    for _ in range(100):
        found = pattern.findall(log.read_text())
        if len(found) >= requests:
            break
        time.sleep(0.02)
    return set(found)


def every_token_accepted(seen: dict[str, Any]) -> bool:
    refused = [status for status in seen["statuses"] if status != 200]
    if refused:
        raise AssertionError(
            f"{len(refused)} of {len(seen['statuses'])} requests with one token were refused ({sorted(set(refused))}): "
            "a worker did not accept a token another worker made."
        )
    if seen["workers"] != 2:
        raise AssertionError(f"only {seen['workers']} worker answered {len(seen['statuses'])} connections: run the check again.")
    return True


@exercise("14.2", "a token that works half the time")
def shared_environment(server_environment):
    task = "uvicorn item_store.main:app --workers 2 starts with your environment"
    try:
        environment = server_environment()
    except (NotImplementedError, NotYet):
        raise NotYet from None
    except Exception as error:
        yield evaluate(task, lambda: _raise(error))
        return
    if environment is None:
        raise NotYet
    if not (isinstance(environment, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in environment.items())):
        yield CheckResult(task, False, f"✗ {task}: server_environment() should return a dict of variable names to values, both text; it returned {environment!r:.100}.")
        return
    with tempfile.TemporaryDirectory(prefix="item-store-workers-") as name:
        folder = Path(name)
        try:
            with two_workers(environment, folder) as server:
                yield CheckResult(task, True, f"✓ {task}: passed.")
                yield evaluate(
                    "a token from /token is accepted by both workers",
                    lambda: token_everywhere(server),
                    expect=every_token_accepted,
                    hint="Both processes import item_store.main and build an app of their own: what does each draw at random when it is not told?",
                )
        except (RuntimeError, TimeoutError) as problem:
            yield CheckResult(task, False, f"✗ {task}: a worker could not start: {problem}")
