"""Failed logins under load, against the complete service:  python -m tools.load_logins

    python -m tools.load_logins [--logins 200] [--concurrency 40] [--probe-path /db]
                                [--max-rss-mib 400] [--max-latency-ms 250] [--max-seconds 120]
                                [--database-url URL]

It serves `checkpoints.lesson_10:create_app(database_url=..., secret_key=<random>)` with uvicorn in a
child process on 127.0.0.1 (tools/service_process.py), on a SQLite file in a temporary folder
unless `--database-url` or TEST_DATABASE_URL names another database. It times the public route
`--probe-path` a few times while the service is idle; then it sends `--logins` failed logins
(the demo user, a wrong password) to POST /token, `--concurrency` at a time, while it times the
public route again every `--probe-interval` seconds until the last login is answered. The
service's memory comes from /proc/<pid>/status: VmRSS (now) and VmHWM (its peak so far).

It prints the service's memory before and after, the public route's median, 95th-percentile and
max latency, and the logins' status codes, and exits 1 if the peak RSS reached `--max-rss-mib`, if
the public route's 95th-percentile latency under load reached `--max-latency-ms` (a pause of the
event loop for each password check would put most probes past it; the max alone is one probe
that met a busy machine, which fails CI for nothing when other processes share the cores), if a probe of the public route or a
login got no answer or a 5xx, or if the run did not finish within `--max-seconds` (at most 120).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as `python tools/load_logins.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.service_process import (
    DEMO_USERNAME,
    Memory,
    ServiceError,
    ServiceProcess,
    bounded_float,
    choose_database_url,
    describe_database,
    exception_counts,
    positive_int,
    read_memory,
)

HARD_CAP = 120.0
WRONG_PASSWORD = "not-the-password"
IDLE_PROBES = 10


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Failed logins under load against the complete service (lesson 10).")
    parser.add_argument("--database-url", help="the service's database (default: TEST_DATABASE_URL, else a SQLite file in a temporary folder)")
    parser.add_argument("--logins", type=positive_int, default=200, help="failed logins to send (default: 200)")
    parser.add_argument("--concurrency", type=positive_int, default=40, help="logins in flight at once (default: 40)")
    parser.add_argument("--probe-path", default="/db", help="the public route to time (default: /db)")
    parser.add_argument("--probe-interval", type=bounded_float(0.0, 10.0), default=0.05, help="seconds between probes (default: 0.05)")
    parser.add_argument("--max-rss-mib", type=bounded_float(0.0), default=400.0, help="fail if the service's peak RSS reaches this (default: 400)")
    parser.add_argument("--max-latency-ms", type=bounded_float(0.0), default=250.0, help="fail if the public route's 95th-percentile latency under load reaches this (default: 250)")
    parser.add_argument("--max-seconds", type=bounded_float(0.0, HARD_CAP), default=HARD_CAP, help=f"wall-clock cap for the whole run (default and most: {HARD_CAP:g})")
    args = parser.parse_args(argv)
    if not args.probe_path.startswith("/"):
        parser.error("--probe-path must start with /")
    return args


@dataclass
class Probe:
    seconds: float
    outcome: str  # the status code, or the name of the error raised

    @property
    def ok(self) -> bool:
        return self.outcome.isdigit() and int(self.outcome) < 400


@dataclass
class LoadResult:
    idle: list[Probe] = field(default_factory=list)
    loaded: list[Probe] = field(default_factory=list)
    logins: Counter[str] = field(default_factory=Counter)
    login_seconds: float = 0.0
    before: Memory | None = None
    after: Memory | None = None
    complete: bool = False
    service_exit: int | None = None


@dataclass(frozen=True)
class Limits:
    max_rss_mib: float
    max_latency_ms: float


def latency_ms(probes: Sequence[Probe]) -> tuple[float, float, float]:
    """Median, 95th percentile and max of the probes' times, in milliseconds (zeros without probes)."""
    if not probes:
        return 0.0, 0.0, 0.0
    times = sorted(probe.seconds * 1000 for probe in probes)
    p95 = times[0] if len(times) == 1 else statistics.quantiles(times, n=20, method="inclusive")[18]
    return statistics.median(times), p95, times[-1]


def is_failed_answer(outcome: str) -> bool:
    """No answer (an error's name) or a 5xx."""
    return not outcome.isdigit() or int(outcome) >= 500


def problems(result: LoadResult, limits: Limits, cap: float) -> list[str]:
    """Why the run fails; empty when it passes."""
    found: list[str] = []
    if not result.complete:
        found.append(f"the run did not finish within the {cap:g} s cap")
    if result.service_exit is not None:
        found.append(f"the service exited with code {result.service_exit}")
    if result.after is not None and result.after.peak_mib >= limits.max_rss_mib:
        found.append(f"peak RSS {result.after.peak_mib:.1f} MiB ≥ {limits.max_rss_mib:g} MiB")
    _, p95, _ = latency_ms(result.loaded)
    if p95 >= limits.max_latency_ms:
        found.append(f"95th-percentile latency of the public route under load {p95:.1f} ms ≥ {limits.max_latency_ms:g} ms")
    if result.complete and not result.loaded:
        found.append("the public route was not timed under load")
    failed_probes = [probe for probe in result.idle + result.loaded if not probe.ok]
    if failed_probes:
        outcomes = Counter(probe.outcome for probe in failed_probes)
        found.append(f"the public route failed {len(failed_probes)} times ({format_counts(outcomes)})")
    failed_logins = Counter({outcome: n for outcome, n in result.logins.items() if is_failed_answer(outcome)})
    if failed_logins:
        found.append(f"{sum(failed_logins.values())} logins got no answer or a 5xx ({format_counts(failed_logins)})")
    return found


def format_counts(counts: Counter[str]) -> str:
    return " ".join(f"{outcome}×{count}" for outcome, count in sorted(counts.items())) or "-"


def format_memory(memory: Memory | None) -> str:
    return "unknown" if memory is None else f"RSS {memory.rss_mib:.1f} MiB, peak {memory.peak_mib:.1f} MiB"


def format_report(result: LoadResult, path: str, logins: int, concurrency: int) -> list[str]:
    idle_median, _, idle_max = latency_ms(result.idle)
    median, p95, worst = latency_ms(result.loaded)
    sent = sum(result.logins.values())
    return [
        f"service memory before the logins: {format_memory(result.before)}",
        f"service memory after the logins:  {format_memory(result.after)}",
        f"logins: {sent} of {logins} done in {result.login_seconds:.1f} s, {concurrency} at a time; "
        f"status {format_counts(result.logins)}",
        f"GET {path} while idle:      median {idle_median:.1f} ms, max {idle_max:.1f} ms ({len(result.idle)} probes)",
        f"GET {path} under the logins: median {median:.1f} ms, 95th percentile {p95:.1f} ms, max {worst:.1f} ms ({len(result.loaded)} probes; "
        f"status {format_counts(Counter(probe.outcome for probe in result.loaded))})",
    ]


async def timed_get(client: httpx.AsyncClient, path: str) -> Probe:
    start = time.perf_counter()
    try:
        response = await client.get(path)
        outcome = str(response.status_code)
    except httpx.HTTPError as error:
        outcome = type(error).__name__
    return Probe(time.perf_counter() - start, outcome)


async def probe_until(client: httpx.AsyncClient, path: str, interval: float, done: asyncio.Event, probes: list[Probe]) -> None:
    """GET `path` one at a time, starting one every `interval` seconds (or at once, if the last
    took longer), until `done` is set."""
    next_start = time.monotonic()
    while not done.is_set():
        probes.append(await timed_get(client, path))
        next_start = max(next_start + interval, time.monotonic())
        try:
            await asyncio.wait_for(done.wait(), max(next_start - time.monotonic(), 0))
        except TimeoutError:
            pass


async def failed_login(client: httpx.AsyncClient, slots: asyncio.Semaphore, n: int) -> str:
    """One wrong password, for a username of its own: a password spray, which the service's
    per-username throttle does not stop, so that every login costs an Argon2 check."""
    async with slots:
        try:
            response = await client.post("/token", data={"username": f"{DEMO_USERNAME}-{n}", "password": WRONG_PASSWORD})
            return str(response.status_code)
        except httpx.HTTPError as error:
            return type(error).__name__


async def load(url: str, pid: int, args: argparse.Namespace, result: LoadResult) -> None:
    """Idle probes, then the logins with probes alongside; fills `result` as it goes."""
    timeout = httpx.Timeout(args.max_seconds)
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    async with (
        httpx.AsyncClient(base_url=url, timeout=timeout, trust_env=False) as prober,
        httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, trust_env=False) as logins,
    ):
        for _ in range(IDLE_PROBES):
            result.idle.append(await timed_get(prober, args.probe_path))
            await asyncio.sleep(args.probe_interval)
        result.before = read_memory(pid)
        done = asyncio.Event()
        probing = asyncio.create_task(probe_until(prober, args.probe_path, args.probe_interval, done, result.loaded))
        slots = asyncio.Semaphore(args.concurrency)
        start = time.monotonic()
        tasks = [asyncio.create_task(failed_login(logins, slots, n)) for n in range(args.logins)]
        try:
            for outcome in asyncio.as_completed(tasks):
                result.logins[await outcome] += 1
        except asyncio.CancelledError:  # the cap: stop at once, without waiting for answers
            for task in [*tasks, probing]:
                task.cancel()
            raise
        finally:
            result.login_seconds = time.monotonic() - start
            done.set()
        await probing
        result.after = read_memory(pid)
        result.complete = True


def run(args: argparse.Namespace, folder: Path) -> int:
    started = time.monotonic()
    database_url = choose_database_url(args.database_url, os.environ)
    print(
        f"load: checkpoints.lesson_10 on uvicorn (127.0.0.1, a child process), {describe_database(database_url)}; "
        f"{args.logins} failed logins, {args.concurrency} at a time, while GET {args.probe_path} "
        f"every {args.probe_interval * 1000:g} ms; cap {args.max_seconds:g} s"
    )
    result = LoadResult()
    with ServiceProcess(database_url, log_path=folder / "service.log") as service:
        remaining = args.max_seconds - (time.monotonic() - started)
        try:
            asyncio.run(asyncio.wait_for(load(service.url, service.pid, args, result), max(remaining, 0.1)))
        except TimeoutError:
            pass
        if result.after is None and service.exit_code() is None:
            result.after = read_memory(service.pid)
        result.service_exit = service.exit_code()
        service_log = service.log()
    print("\n".join(format_report(result, args.probe_path, args.logins, args.concurrency)))
    exceptions = exception_counts(service_log)
    if exceptions:
        print("exceptions in the service's log:")
        print("\n".join(f"  {count:>5}× {text}" for text, count in exceptions.most_common()))
    found = problems(result, Limits(args.max_rss_mib, args.max_latency_ms), args.max_seconds)
    print(f"load: {time.monotonic() - started:.1f} s; " + ("FAIL: " + "; ".join(found) if found else "pass"))
    return 1 if found else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="load-logins-") as folder:
            return run(args, Path(folder))
    except ServiceError as error:
        print(f"load: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
