"""The complete service, `checkpoints.lesson_10`, in a real uvicorn child process: used by
tools/fuzz_service.py and tools/load_logins.py.

    with ServiceProcess(database_url=None, log_path=folder / "service.log") as service:
        token = login(service.url)
        memory = read_memory(service.pid)       # VmRSS and VmHWM from /proc/<pid>/status

The child calls `create_app(database_url=..., secret_key=...)` with the database URL given (else
a SQLite file in a temporary folder, deleted afterwards) and a random key, and serves the app
with uvicorn on 127.0.0.1, on a port the OS chooses: the URL is read from uvicorn's
`Uvicorn running on` line. Its log (uvicorn's own, without access lines) goes to `log_path`;
`exception_counts` reads the tracebacks in it.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
DEMO_USERNAME = "alice"  # the course's demo user (checkpoints/lesson_08.py)
DEMO_PASSWORD = "wonderland"
DATABASE_ENV = "TEST_DATABASE_URL"
RUNNING_ON = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")

# What the child runs: the app built by create_app, served by uvicorn on the loopback interface.
CHILD = """\
import os

import uvicorn

from checkpoints.lesson_10 import create_app

app = create_app(
    database_url=os.environ.pop("SERVICE_DATABASE_URL"),
    secret_key=os.environ.pop("SERVICE_SECRET_KEY"),
)
uvicorn.run(app, host="127.0.0.1", port=0, access_log=False, lifespan="on", timeout_graceful_shutdown=5)
"""

LOG_RECORD = re.compile(r"^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):")
TRACEBACK_START = re.compile(r"^[\s|+]*Traceback \(most recent call last\):")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:: .*)?$")



def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def bounded_float(low: float, high: float | None = None) -> Callable[[str], float]:
    """An argparse type: a number above `low`, and at most `high` if given."""

    def parse(text: str) -> float:
        value = float(text)
        if not low < value or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be more than {low:g}" + (f" and at most {high:g}" if high else "") + f", not {text}")
        return value

    return parse

def choose_database_url(given: str | None, environ: Mapping[str, str]) -> str | None:
    """`--database-url`, else TEST_DATABASE_URL, else None (a SQLite file in a temporary folder)."""
    return given or environ.get(DATABASE_ENV) or None


def describe_database(url: str | None) -> str:
    """What the service stores its items in, without the URL's credentials."""
    if url is None:
        return "a SQLite file in a temporary folder"
    scheme = urlsplit(url).scheme or "?"
    return f"the database the {scheme} URL names"


def parse_proc_status(text: str) -> dict[str, int]:
    """The `kB` fields of a /proc/<pid>/status text, in KiB: {"VmRSS": 81234, "VmHWM": 90112, ...}."""
    fields: dict[str, int] = {}
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        parts = value.split()
        if colon and len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            fields[name.strip()] = int(parts[0])
    return fields


@dataclass(frozen=True)
class Memory:
    """A process's resident memory now (VmRSS) and its peak so far (VmHWM), in KiB."""

    rss_kib: int
    peak_kib: int

    @property
    def rss_mib(self) -> float:
        return self.rss_kib / 1024

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


def read_memory(pid: int) -> Memory:
    """VmRSS and VmHWM of a running process, read from /proc (Linux only)."""
    fields = parse_proc_status(Path(f"/proc/{pid}/status").read_text())
    return Memory(rss_kib=fields["VmRSS"], peak_kib=fields["VmHWM"])


def exception_counts(log: str) -> Counter[str]:
    """How often each exception appears in uvicorn's log, one per logged traceback.

    A traceback (chained, or in an exception group) counts once, under its last exception line
    (`OverflowError: Python int too large to convert to SQLite INTEGER`): that is the error the
    server logged. A long line is cut at 200 characters.
    """
    counts: Counter[str] = Counter()
    in_traceback = False
    last: str | None = None

    def finish() -> None:
        counts[last or "(a traceback without an exception line)"] += 1

    for line in log.splitlines():
        if LOG_RECORD.match(line):
            if in_traceback:
                finish()
            in_traceback, last = False, None
        elif TRACEBACK_START.match(line):
            in_traceback = True
        elif in_traceback:
            text = re.sub(r"^[\s|+]*", "", line).rstrip()
            if EXCEPTION_LINE.match(text):
                last = text[:200]
    if in_traceback:
        finish()
    return counts


def child_environment(database_url: str, secret_key: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: ours, plus the database URL and key that it hands to create_app."""
    env = dict(environ)
    env["SERVICE_DATABASE_URL"] = database_url
    env["SERVICE_SECRET_KEY"] = secret_key
    env["PYTHONUNBUFFERED"] = "1"
    return env


class ServiceError(RuntimeError):
    """The service could not start, or a request it must answer failed: the message says why."""


class ServiceProcess:
    """`create_app(...)` served by uvicorn in a child process on 127.0.0.1; stopped on exit."""

    def __init__(self, database_url: str | None, log_path: Path, timeout: float = START_TIMEOUT) -> None:
        self.log_path = log_path
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        if database_url is None:
            self._folder = tempfile.TemporaryDirectory(prefix="service-db-")
            database_url = f"sqlite:///{Path(self._folder.name) / 'items.db'}"
        env = child_environment(database_url, secrets.token_urlsafe(48), os.environ)
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", CHILD], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self.url = self._wait_for_url(timeout)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_for_url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = RUNNING_ON.search(self.log())
            if match:
                return match[1]
            if self.process.poll() is not None:
                raise ServiceError(f"the service exited with code {self.process.returncode} while starting:\n{self.log_tail()}")
            time.sleep(0.05)
        raise ServiceError(f"the service did not start within {timeout:g} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log().strip().splitlines()[-lines:]) or "(no output)"

    def exit_code(self) -> int | None:
        """None while the service runs; its exit code once it has stopped."""
        return self.process.poll()

    def stop(self) -> int:
        """SIGTERM (uvicorn shuts down, lifespan included), then SIGKILL if it takes too long."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        return self.process.returncode

    def __enter__(self) -> ServiceProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None) -> None:
        self.stop()


def login(url: str, timeout: float = 30.0) -> str:
    """A bearer token for the demo user, from POST /token."""
    with httpx.Client(trust_env=False, timeout=timeout) as client:
        response = client.post(url + "/token", data={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
    if response.status_code != 200:
        raise ServiceError(f"logging in as {DEMO_USERNAME} gave {response.status_code}: {response.text[:200]}")
    token = response.json().get("access_token")
    if not isinstance(token, str):
        raise ServiceError("POST /token answered 200 without an access_token")
    return token
