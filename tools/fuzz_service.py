"""Fuzz the complete service over HTTP with schemathesis, bounded:  python -m tools.fuzz_service

    python -m tools.fuzz_service [--max-examples 50] [--max-seconds 60] [--seed 1]
                                 [--database-url URL] [--report-dir DIR]

It serves `checkpoints.lesson_10:create_app(database_url=..., secret_key=<random>)` with uvicorn on
127.0.0.1 (tools/service_process.py), on a SQLite file in a temporary folder unless
`--database-url` or TEST_DATABASE_URL names another database; logs in as the demo user; and runs
`schemathesis run` against the live /openapi.json with that bearer token, in a child process:
at most `--max-examples` test cases per operation and phase, one worker, a fixed seed, no example
database and no cache, so that a run on a fresh database sends the same requests each time. The
whole run is cut at `--max-seconds` (schemathesis is interrupted, then killed).

The checks: no 5xx (not_a_server_error), documented status codes (status_code_conformance),
bodies that match the schema (response_schema_conformance), and an answer to every request
(a request with no response, e.g. a dropped connection or a timeout, is a dropped connection).

Before schemathesis, a fixed list of hostile requests that it never generates (`HOSTILE`: NaN and
Infinity, which JSON cannot hold, and ids beyond 64 bits) is sent once each; they must get an
answer that is not a 5xx, and they count in the totals. What they store stays in the database,
so schemathesis's reads see it (a price stored as Infinity comes back as `null`).
It prints one line per operation, an example of each kind of failure, the exceptions in the
service's log, and a last line

    fuzz: N requests, 0 server errors, 0 schema violations, 0 dropped connections

It exits 1 if any of those is not 0, if schemathesis reports an error of its own, or if the run
did not finish; 0 otherwise. `--report-dir` keeps schemathesis's NDJSON events, its console
output and the service's log.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

if __package__ in (None, ""):  # run as `python tools/fuzz_service.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.service_process import (
    ServiceError,
    ServiceProcess,
    bounded_float,
    choose_database_url,
    describe_database,
    exception_counts,
    login,
    positive_int,
)

PHASES = ("examples", "coverage", "fuzzing", "stateful")
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance")
SCHEMA_CHECKS = frozenset({"status_code_conformance", "response_schema_conformance"})
# What requests raises when no response comes back: a reset or closed connection, or a timeout.
NETWORK_ERRORS = frozenset(
    {"ConnectionError", "ChunkedEncodingError", "ContentDecodingError", "Timeout", "ReadTimeout", "ConnectTimeout"}
)
TOKEN_ENV = "FUZZ_SERVICE_TOKEN"
# No schemathesis.toml is looked for: this one is passed explicitly. The token comes from the
# environment, so it is in no command line; reports mask the Authorization header.
CONFIG = f"""\
headers = {{ Authorization = "Bearer ${{{TOKEN_ENV}}}" }}

[cache]
enabled = false
"""
INTERRUPT_GRACE = 10.0
EXAMPLES_PER_OPERATION = 5
EXAMPLE_WIDTH = 160
OPERATION_LABEL = re.compile(r"^[A-Z]+ /")


def phase_list(text: str) -> tuple[str, ...]:
    phases = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [phase for phase in phases if phase not in PHASES]
    if unknown or not phases:
        raise argparse.ArgumentTypeError(f"phases are a comma-separated list of {', '.join(PHASES)}; got {text!r}")
    return phases


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Fuzz the complete service (lesson 10) with schemathesis, bounded.")
    parser.add_argument("--database-url", help="the service's database (default: TEST_DATABASE_URL, else a SQLite file in a temporary folder)")
    parser.add_argument("--max-examples", type=positive_int, default=50, help="test cases per operation and phase (default: 50)")
    parser.add_argument("--max-seconds", type=bounded_float(0.0), default=60.0, help="wall-clock cap for the whole run (default: 60)")
    parser.add_argument("--seed", type=int, default=1, help="schemathesis's seed (default: 1)")
    parser.add_argument("--workers", type=positive_int, default=1, help="concurrent schemathesis workers (default: 1, the deterministic choice)")
    parser.add_argument("--phases", type=phase_list, default=PHASES, help=f"schemathesis phases (default: {','.join(PHASES)})")
    parser.add_argument("--request-timeout", type=bounded_float(0.0), default=10.0, help="seconds a request may take before it counts as dropped (default: 10)")
    parser.add_argument("--report-dir", type=Path, help="keep schemathesis's events and output and the service's log here")
    return parser.parse_args(argv)


def schemathesis_command(schema_url: str, args: argparse.Namespace, config: Path, events: Path) -> list[str]:
    """`schemathesis run` against the live schema, bounded and seeded, its events to `events`."""
    return [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
        "run", schema_url,
        "--checks", ",".join(CHECKS),
        "--phases", ",".join(args.phases),
        "--max-examples", str(args.max_examples),
        "--seed", str(args.seed),
        "--workers", str(args.workers),
        "--continue-on-failure",
        "--generation-database", "none",
        "--suppress-health-check", "too_slow",
        "--request-timeout", f"{args.request_timeout:g}",
        "--report", "ndjson", "--report-ndjson-path", str(events),
    ]  # fmt: skip


def schemathesis_environment(environ: Mapping[str, str], token: str) -> dict[str, str]:
    """Ours, with the token, without proxies (the service is on the loopback) or schemathesis hooks."""
    dropped = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "schemathesis_hooks"}
    env = {name: value for name, value in environ.items() if name.lower() not in dropped}
    env[TOKEN_ENV] = token
    return env


@dataclass
class Finding:
    """One kind of failure on one operation: how often, and the first request that showed it."""

    kind: str  # "server error", "schema violation" or "dropped connection"
    title: str
    count: int
    example: str


@dataclass
class OperationStats:
    label: str
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: int = 0
    schema_violations: int = 0
    dropped: int = 0
    network_errors: int = 0  # schemathesis's own count of requests that got no response
    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)

    def add_finding(self, kind: str, title: str, example: str) -> None:
        finding = self.findings.get((kind, title))
        if finding is None:
            self.findings[(kind, title)] = Finding(kind, title, 1, example)
        else:
            finding.count += 1

    @property
    def dropped_connections(self) -> int:
        return max(self.dropped, self.network_errors)


@dataclass
class RunSummary:
    operations: dict[str, OperationStats] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # schemathesis errors that are not a missing response
    stop_reason: str | None = None  # None: the run never said it finished

    def operation(self, label: str) -> OperationStats:
        if label not in self.operations:
            self.operations[label] = OperationStats(label)
        return self.operations[label]

    @property
    def requests(self) -> int:
        return sum(stats.requests for stats in self.operations.values())

    @property
    def server_errors(self) -> int:
        return sum(stats.server_errors for stats in self.operations.values())

    @property
    def schema_violations(self) -> int:
        return sum(stats.schema_violations for stats in self.operations.values())

    @property
    def dropped_connections(self) -> int:
        return sum(stats.dropped_connections for stats in self.operations.values())


def first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


def shorten(text: str, width: int = EXAMPLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def printable(text: str) -> str:
    """`text` with control and other unprintable characters escaped, safe for a CI log."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape", "backslashreplace").decode("ascii") for char in text)


def request_line(request: Mapping[str, Any]) -> str:
    """`POST /items/?x=1 {"name": ...}`: method, path and query, and the body, shortened."""
    parts = urlsplit(str(request.get("uri", "")))
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    line = f"{request.get('method', '?')} {target}"
    body = request.get("body")
    if isinstance(body, Mapping) and "$base64" in body:
        line += " " + base64.b64decode(body["$base64"]).decode("utf-8", errors="backslashreplace")
    elif isinstance(body, str):
        line += " " + body
    return shorten(printable(line))


def operation_label(scenario_label: str, case: Mapping[str, Any]) -> str:
    """The operation a request tested: the scenario's (`GET /`, also for the `DELETE /` it sends to
    probe an undocumented method), else, in a stateful scenario, the method and path of the case."""
    if OPERATION_LABEL.match(scenario_label):
        return scenario_label
    method, path = case.get("method"), case.get("path")
    return f"{str(method).upper()} {path}" if method and path else scenario_label


def add_scenario(summary: RunSummary, scenario: Mapping[str, Any]) -> None:
    """Count the requests of one finished scenario, by the operation each case called."""
    if scenario.get("phase") == "auth_bootstrap":
        return
    recorder = scenario.get("recorder") or {}
    cases = recorder.get("cases") or {}
    checks = recorder.get("checks") or {}
    for case_id, interaction in (recorder.get("interactions") or {}).items():
        case = (cases.get(case_id) or {}).get("value") or {}
        stats = summary.operation(operation_label(str(recorder.get("label", "?")), case))
        stats.requests += 1
        example = request_line(interaction.get("request") or {})
        response = interaction.get("response")
        if response is None:
            stats.dropped += 1
            stats.add_finding("dropped connection", "no response", example)
        else:
            status = int(response.get("status_code", 0))
            stats.statuses[status] += 1
            if status >= 500:
                stats.server_errors += 1
                stats.add_finding("server error", str(status), example)
        violations: dict[str, None] = {}  # one case may fail a check more than once: count it once
        for check in checks.get(case_id) or []:
            if check.get("status") == "error":
                summary.errors.append(f"{stats.label}: the check {check.get('name')} crashed")
            elif check.get("status") == "failure" and check.get("name") in SCHEMA_CHECKS:
                failure = (check.get("failure_info") or {}).get("failure") or {}
                title = str(failure.get("title", check.get("name")))
                message = first_line(str(failure.get("message", "")))
                violations[shorten(printable(f"{title}: {message}" if message else title), 100)] = None
        for title in violations:
            stats.add_finding("schema violation", title, example)
        if violations:
            stats.schema_violations += 1


def summarize(lines: Iterable[str]) -> RunSummary:
    """A run's counts from schemathesis's NDJSON events; a line cut short by a kill is skipped."""
    summary = RunSummary()
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict) or len(record) != 1:
            continue
        ((name, body),) = record.items()
        if not isinstance(body, dict):
            continue
        if name == "ScenarioFinished":
            add_scenario(summary, body)
        elif name == "NonFatalError":
            value = body.get("value") or {}
            kind, message = str(value.get("type", "Error")), first_line(str(value.get("message", "")))
            if kind in NETWORK_ERRORS:
                summary.operation(str(body.get("label", "?"))).network_errors += 1
            else:
                summary.errors.append(shorten(f"{body.get('label', '?')}: {kind}: {message}"))
        elif name == "FatalError":
            value = body.get("exception") or {}
            summary.errors.append(shorten(f"fatal: {value.get('type', 'Error')}: {first_line(str(value.get('message', '')))}"))
        elif name == "EngineFinished":
            summary.stop_reason = str(body.get("stop_reason"))
    return summary


@dataclass(frozen=True)
class Hostile:
    """A request schemathesis never generates: a number JSON cannot hold, an id beyond 64 bits."""

    operation: str  # the operation it calls, as schemathesis labels it
    method: str
    path: str
    body: str | None = None

    def line(self) -> str:
        return shorten(printable(f"{self.method} {self.path}" + (f" {self.body}" if self.body else "")))


BIG = "9223372036854775808"  # 2**63: one more than the largest BIGINT of SQLite and PostgreSQL
BIG_NEGATIVE = "-9223372036854775809"  # one less than the smallest
HOSTILE = (
    Hostile("GET /items/{item_id}", "GET", f"/items/{BIG}"),
    Hostile("GET /items/{item_id}", "GET", f"/items/{BIG_NEGATIVE}"),
    Hostile("PUT /items/{item_id}", "PUT", f"/items/{BIG}", '{"name": "x", "price": 1}'),
    Hostile("DELETE /items/{item_id}", "DELETE", f"/items/{BIG}"),
    Hostile("POST /items/", "POST", "/items/", '{"name": "x", "price": NaN}'),
    Hostile("POST /items/", "POST", "/items/", '{"name": "x", "price": Infinity}'),
    Hostile("POST /items/", "POST", "/items/", '{"name": "x", "price": -Infinity}'),
    Hostile("POST /items/", "POST", "/items/", '{"name": "x", "price": 1e999}'),
    Hostile("PUT /items/{item_id}", "PUT", "/items/1", '{"name": "x", "price": NaN}'),
    Hostile("POST /quotes/", "POST", "/quotes/", '{"name": "x", "price": NaN, "quantity": 1}'),
    Hostile("POST /quotes/", "POST", "/quotes/", '{"name": "x", "price": Infinity, "quantity": 1}'),
    Hostile("POST /quotes/", "POST", "/quotes/", '{"name": "x", "price": 1e308, "quantity": 10}'),
    Hostile("POST /quotes/", "POST", "/quotes/", '{"name": "x", "price": 1, "quantity": 1' + "0" * 400 + "}"),
    Hostile("GET /items/", "GET", "/items/?name=%00"),
)


def add_hostile(summary: RunSummary, case: Hostile, outcome: int | str) -> None:
    """Count one hostile request: `outcome` is its status code, or the name of the error it raised."""
    stats = summary.operation(case.operation)
    stats.requests += 1
    if isinstance(outcome, str):
        stats.dropped += 1
        stats.add_finding("dropped connection", outcome, case.line())
        return
    stats.statuses[outcome] += 1
    if outcome >= 500:
        stats.server_errors += 1
        stats.add_finding("server error", str(outcome), case.line())


def send_hostile(url: str, token: str, timeout: float) -> list[tuple[Hostile, int | str]]:
    """Send each hostile request once, on a new connection (so a 500 cannot spoil the next)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_keepalive_connections=0)
    results: list[tuple[Hostile, int | str]] = []
    with httpx.Client(base_url=url, headers=headers, timeout=timeout, limits=limits, trust_env=False) as client:
        for case in HOSTILE:
            try:
                response = client.request(case.method, case.path, content=case.body)
                results.append((case, response.status_code))
            except httpx.HTTPError as error:
                results.append((case, type(error).__name__))
    return results


def status_counts(statuses: Counter[int]) -> str:
    return " ".join(f"{status}×{count}" for status, count in sorted(statuses.items())) or "-"


def operation_key(label: str) -> tuple[str, str]:
    method, _, path = label.partition(" ")
    return (path, method)


def format_report(summary: RunSummary, exceptions: Counter[str]) -> list[str]:
    """Per operation: requests, status codes, failures; then examples, exceptions, and the last line."""
    lines: list[str] = []
    operations = [summary.operations[label] for label in sorted(summary.operations, key=operation_key)]
    width = max((len(stats.label) for stats in operations), default=0)
    for stats in operations:
        problems = [
            f"{count} {what}"
            for count, what in (
                (stats.server_errors, "server errors"),
                (stats.schema_violations, "schema violations"),
                (stats.dropped_connections, "dropped connections"),
            )
            if count
        ]
        verdict = "✗ " + ", ".join(problems) if problems else "ok"
        lines.append(f"  {stats.label:<{width}}  {stats.requests:>5} requests  {status_counts(stats.statuses)}  {verdict}")
    examples = [(stats.label, finding) for stats in operations for finding in stats.findings.values()]
    if examples:
        lines.append("failures (one example of each kind):")
        for stats in operations:
            findings = sorted(stats.findings.values(), key=lambda f: (f.kind, -f.count, f.title))
            for finding in findings[:EXAMPLES_PER_OPERATION]:
                lines.append(f"  {stats.label}: {finding.kind} {finding.title} ×{finding.count}")
                lines.append(f"      e.g. {finding.example}")
            if len(findings) > EXAMPLES_PER_OPERATION:
                lines.append(f"  {stats.label}: … and {len(findings) - EXAMPLES_PER_OPERATION} more kinds")
    if exceptions:
        lines.append("exceptions in the service's log:")
        lines.extend(f"  {count:>5}× {text}" for text, count in exceptions.most_common())
    if summary.errors:
        lines.append("schemathesis errors:")
        lines.extend(f"  {text}" for text, _ in Counter(summary.errors).most_common())
    return lines


def final_line(summary: RunSummary) -> str:
    return (
        f"fuzz: {summary.requests} requests, {summary.server_errors} server errors, "
        f"{summary.schema_violations} schema violations, {summary.dropped_connections} dropped connections"
    )


def problems(summary: RunSummary, returncode: int | None, timed_out: bool, cap: float) -> list[str]:
    """Why the run fails; empty when it passes."""
    found: list[str] = []
    if timed_out:
        found.append(f"the run was stopped at the {cap:g} s cap: lower --max-examples or raise --max-seconds")
    elif summary.stop_reason != "completed":
        found.append(f"the run did not complete (schemathesis stop reason: {summary.stop_reason or 'none'})")
    if summary.requests == 0:
        found.append("no request reached the service")
    for count, what in (
        (summary.server_errors, "server errors"),
        (summary.schema_violations, "schema violations"),
        (summary.dropped_connections, "dropped connections"),
    ):
        if count:
            found.append(f"{count} {what}")
    if summary.errors:
        found.append(f"{len(summary.errors)} schemathesis errors")
    if not timed_out and returncode not in (0, None) and not found:
        found.append(f"schemathesis exited with code {returncode}: see its output")
    return found


@dataclass
class Outcome:
    returncode: int | None
    timed_out: bool


def run_bounded(command: Sequence[str], cwd: Path, env: Mapping[str, str], output: Path, timeout: float) -> Outcome:
    """Run `command` with its output to a file; at `timeout`, interrupt it (Ctrl+C), then kill it."""
    with output.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
        try:
            return Outcome(process.wait(max(timeout, 0.1)), timed_out=False)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            try:
                return Outcome(process.wait(INTERRUPT_GRACE), timed_out=True)
            except subprocess.TimeoutExpired:
                process.kill()
                return Outcome(process.wait(), timed_out=True)
        finally:
            if process.poll() is None:  # interrupted ourselves (Ctrl+C): leave no child behind
                process.kill()
                process.wait()


def tail(path: Path, lines: int = 30) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.rstrip().splitlines()[-lines:]) or "(no output)"


def fuzz(args: argparse.Namespace, folder: Path) -> int:
    started = time.monotonic()
    folder = folder.resolve()  # schemathesis runs in folder/work: its paths must not be relative
    database_url = choose_database_url(args.database_url, os.environ)
    config, events, output = folder / "schemathesis.toml", folder / "events.ndjson", folder / "schemathesis.txt"
    work = folder / "work"  # schemathesis's cwd: hypothesis writes its folder here
    work.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG)
    print(
        f"fuzz: checkpoints.lesson_10 on uvicorn (127.0.0.1), {describe_database(database_url)}; "
        f"schemathesis, seed {args.seed}, at most {args.max_examples} examples per operation and phase, "
        f"phases {','.join(args.phases)}, {args.workers} worker(s), cap {args.max_seconds:g} s"
    )
    with ServiceProcess(database_url, log_path=folder / "service.log") as service:
        token = login(service.url)
        hostile = send_hostile(service.url, token, args.request_timeout)
        command = schemathesis_command(service.url + "/openapi.json", args, config, events)
        remaining = args.max_seconds - (time.monotonic() - started)
        outcome = run_bounded(command, work, schemathesis_environment(os.environ, token), output, remaining)
        service_exit = service.exit_code()
        service_log = service.log()
    summary = summarize(events.read_text(errors="replace").splitlines() if events.exists() else [])
    print("known hostile inputs, sent before schemathesis runs:")
    for case, result in hostile:
        add_hostile(summary, case, result)
        print(f"  {result!s:>5}  {case.line()}")
    print("by operation (schemathesis and the hostile inputs):")
    print("\n".join(format_report(summary, exception_counts(service_log))))
    found = problems(summary, outcome.returncode, outcome.timed_out, args.max_seconds)
    if service_exit is not None:
        found.append(f"the service exited with code {service_exit} during the run")
    if summary.requests == 0 or any(text.startswith("schemathesis exited") for text in found):
        print(f"schemathesis's output (end):\n{tail(output)}")
    print(f"fuzz: {time.monotonic() - started:.1f} s; " + ("FAIL: " + "; ".join(found) if found else "pass"))
    print(final_line(summary))
    return 1 if found else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.report_dir is not None:
            args.report_dir.mkdir(parents=True, exist_ok=True)
            return fuzz(args, args.report_dir)
        with tempfile.TemporaryDirectory(prefix="fuzz-service-") as folder:
            return fuzz(args, Path(folder))
    except ServiceError as error:
        print(f"fuzz: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
