"""Checks for lesson 12's exercises (see lessons_support/checks/__init__.py).

Both exercises answer with the text of test code, as the lesson writes its own: each check writes
them into a temporary folder beside tests of its own and runs pytest there in a process of its
own, as the notebook does. Exercise 2's run is measured with coverage, and its tests run a second
and a third time against broken apps (lesson 09's `replace_item` or `delete_item` swapped, with
pytest's monkeypatch, for one that answers without changing the database), where at least one
of them must fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lessons_support.checks import exercise
from lessons_support.exercises import NotYet, evaluate

TIMEOUT = 60
PYTEST = ["-m", "pytest", "-rA", "--color=no", "-W", "error", "-p", "no:cacheprovider", "--import-mode=importlib"]
OUTCOME = re.compile(r"(PASSED|FAILED|ERROR) (\S+)(?: - (.*))?")


@dataclass
class Run:
    """What one pytest run said: each test's outcome and message, by node id, and its last error."""

    outcomes: dict[str, tuple[str, str]]
    error: str
    coverage: dict | None = None

    def failed(self, folder: str = "") -> list[str]:
        return [
            f"{node} - {message or self.error}"
            for node, (outcome, message) in self.outcomes.items()
            if node.startswith(folder) and outcome != "PASSED"
        ]

    def tests(self, folder: str = "") -> list[str]:
        return [node for node in self.outcomes if node.startswith(folder)]


def run_tests(files: dict[str, str], *, coverage: bool = False) -> Run:
    """Write `files` (paths relative to a new temporary folder) and run pytest on them there."""
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="lesson-12-check-") as folder:
        for name, text in files.items():
            path = Path(folder, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "coverage", "run", "--source=checkpoints", *PYTEST] if coverage else [sys.executable, *PYTEST]
        done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        outcomes = {}
        for line in done.stdout.splitlines():
            if match := OUTCOME.fullmatch(line):
                outcomes[match[2]] = (match[1], match[3] or "")
        report = None
        if coverage:
            data = subprocess.run(
                [sys.executable, "-m", "coverage", "json", "-o", "-", "--include=*/checkpoints/lesson_09.py,*/checkpoints/lesson_11.py"],
                cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT,
            )
            report = json.loads(data.stdout) if data.returncode == 0 else {"files": {}}
    return Run(outcomes, last_error(done.stdout + "\n" + done.stderr), report)


def last_error(output: str) -> str:
    """The last `E   ` line pytest printed (what went wrong), else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    last = (errors or lines or ["(no output)"])[-1]
    return re.sub(r" in [\d.]+s$", "", last.strip("= "))  # "=== no tests ran in 0.72s ===" -> "no tests ran"


def source_of(make: object, what: str) -> str:
    """The text the learner's function returns; NotYet for the stub's None."""
    text = make() if callable(make) else make
    if text is None:
        raise NotYet
    if not isinstance(text, str):
        raise TypeError(f"{what} returned {type(text).__name__}, not the text of a Python file (a str)")
    compile(text, what, "exec")
    return text


def first_problem(run: Run, folder: str = "") -> str | None:
    if not run.tests(folder):
        if run.error.startswith("no tests ran"):
            return "pytest found no test in your file: it runs the functions whose names start with test_"
        return f"pytest ran no test: {run.error}"
    failed = run.failed(folder)
    return f"{len(failed)} test(s) failed; the first: {failed[0]}" if failed else None


def passed(problem: str | None) -> bool:
    if problem:
        raise AssertionError(problem)
    return True


# Exercise 1 ---------------------------------------------------------------------------------

PROBE_TESTS = '''
STARTED = []


def test_a_reader_first_sees_nothing(client, app):
    STARTED.append((app, client))
    assert client.get("/items/").json() == []


def test_a_writer_sees_only_its_own_item(client, auth, app):
    STARTED.append((app, client))
    assert client.post("/items/", json={"name": "Ink", "price": 2.0}, headers=auth).status_code == 201
    assert [item["name"] for item in client.get("/items/").json()] == ["Ink"]


def test_a_reader_after_it_sees_nothing(client, app):
    STARTED.append((app, client))
    assert client.get("/items/").json() == []


def test_the_app_started_once_for_the_module():
    assert len(STARTED) == 3 and all(pair[0] is STARTED[0][0] and pair[1] is STARTED[0][1] for pair in STARTED)
'''


@exercise("12.1", "tests that pass alone and fail together")
def isolated(isolating_fixture, shared_conftest, shop_tests):
    runs: dict[str, Run] = {}

    def run_shop_tests() -> Run | None:
        addition = source_of(isolating_fixture, "isolating_fixture()")
        conftest = shared_conftest + "\n\n" + addition
        compile(conftest, "conftest.py", "exec")
        runs["run"] = run_tests({"conftest.py": conftest, "test_shop.py": shop_tests, "test_probe.py": PROBE_TESTS})
        return runs["run"]

    result = evaluate(
        "the colleague's two tests pass together, with your addition",
        run_shop_tests,
        expect=lambda run: passed(first_problem(run, "test_shop.py")),
        hint="A test that sees another test's items shares something with it; an error while loading conftest.py may be a name your addition uses but the file never imports.",
    )
    yield result
    if not result.passed:
        return
    run = runs["run"]
    isolation = [node for node in run.failed("test_probe.py") if "started_once" not in node]
    yield evaluate(
        "each test sees only its own items, before and after a test that writes",
        lambda: isolation,
        expect=lambda failed: passed(f"a test saw items it did not make: {failed[0]}" if failed else None),
        hint="What does the app give each request to reach the database, and how long does that live?",
    )
    yield evaluate(
        "the app and its client still start once per module",
        lambda: run.failed("test_probe.py::test_the_app_started_once"),
        expect=lambda failed: passed("a new app or client was made for a test: keep app and client module-scoped" if failed else None),
        hint="Change what each test gets, not how often the app starts.",
    )


# Exercise 2 ---------------------------------------------------------------------------------

BROKEN_PUT = '''

@pytest.fixture(autouse=True)
def put_that_stores_nothing(monkeypatch):
    from fastapi import HTTPException

    from checkpoints.lesson_05 import ItemOut

    def replace_item(item_id, item, session, user):
        if session.get(lesson_09.ItemRow, item_id) is None:
            raise HTTPException(status_code=404, detail="Item not found")
        return ItemOut(id=item_id, **item.model_dump())

    monkeypatch.setattr(lesson_09, "replace_item", replace_item)
'''

BROKEN_DELETE = '''

@pytest.fixture(autouse=True)
def delete_that_pretends(monkeypatch):
    monkeypatch.setattr(lesson_09, "delete_item", lambda item_id, session, user: None)
'''

COVERED = {"lesson_11.py": ["replace_item"], "lesson_09.py": ["replace_item", "delete_item"]}


def never_ran(report: dict) -> list[str]:
    """'lesson_09.delete_item: 1 of 4 lines' for each function of COVERED with a line that never ran."""
    missing = []
    for path, data in report.get("files", {}).items():
        name = Path(path).name
        for function in COVERED.get(name, []):
            found = data["functions"].get(function)
            if found is None or found["missing_lines"]:
                lines = len(found["missing_lines"]) if found else "all"
                total = found["summary"]["num_statements"] if found else "its"
                missing.append(f"{name[:-3]}.{function}: {lines} of {total} lines")
    if not report.get("files"):
        missing.append("no line of lessons 09 and 11 ran")
    return missing


@exercise("12.2", "cover what the suite missed")
def cover(replace_and_missing_item_tests, conftest):
    runs: dict[str, Run] = {}

    def run_everywhere() -> Run | None:
        tests = source_of(replace_and_missing_item_tests, "replace_and_missing_item_tests()")
        runs["run"] = run_tests(
            {
                "item_store/conftest.py": conftest,
                "item_store/test_exercise.py": tests,
                "broken_put/conftest.py": conftest + BROKEN_PUT,
                "broken_put/test_exercise.py": tests,
                "broken_delete/conftest.py": conftest + BROKEN_DELETE,
                "broken_delete/test_exercise.py": tests,
            },
            coverage=True,
        )
        return runs["run"]

    result = evaluate(
        "your tests pass on the Item store",
        run_everywhere,
        expect=lambda run: passed(first_problem(run, "item_store/")),
        hint="Read the failing line: is the app wrong, or the test's expectation? The fixtures are section 3's: client, auth, sessions, app.",
    )
    yield result
    if not result.passed:
        return
    run = runs["run"]
    yield evaluate(
        "every line of replace_item (lessons 09 and 11) and of lesson 09's delete_item ran",
        lambda: never_ran(run.coverage or {}),
        expect=lambda missing: passed(f"some lines never ran: {'; '.join(missing)}" if missing else None),
        hint="A write without a token is answered 401 before these functions run; a 404 needs an id that no test created.",
    )
    yield evaluate(
        "your tests fail on a PUT that answers as if it replaced the item but stores nothing",
        lambda: run.failed("broken_put/"),
        expect=lambda failed: passed(None if failed else "every test passed on it: a PUT's answer alone cannot tell"),
        hint="The broken PUT answers 200 with the item you sent, and 404 for a missing one: only a read, or the database, tells.",
    )
    yield evaluate(
        "your tests fail on a DELETE that deletes nothing and never answers 404",
        lambda: run.failed("broken_delete/"),
        expect=lambda failed: passed(None if failed else "every test passed on it: check what a DELETE of a missing item answers"),
        hint="The broken DELETE answers 204 to every id.",
    )
