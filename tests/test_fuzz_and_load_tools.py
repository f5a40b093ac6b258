"""tools/fuzz_service.py and tools/load_logins.py: their arguments, the counting of schemathesis's
events, the /proc and log parsing, and the verdicts. No server, no network."""

import base64
import json
from collections import Counter
from pathlib import Path

import pytest

from tools import fuzz_service, load_logins
from tools.fuzz_service import HOSTILE, RunSummary, add_hostile, final_line, request_line, schemathesis_command, summarize
from tools.load_logins import Limits, LoadResult, Probe, latency_ms
from tools.service_process import (
    Memory,
    child_environment,
    choose_database_url,
    describe_database,
    exception_counts,
    parse_proc_status,
)

PROC_STATUS = """\
Name:\tpython
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
VmPeak:\t 2812345 kB
VmHWM:\t 2631884 kB
VmRSS:\t   74854 kB
Threads:\t45
"""

UVICORN_LOG = """\
INFO:     Started server process [4242]
INFO:     Uvicorn running on http://127.0.0.1:40001 (Press CTRL+C to quit)
ERROR:    Exception in ASGI application
Traceback (most recent call last):
  File "/x/sqlalchemy/engine/default.py", line 951, in do_execute
    cursor.execute(statement, parameters)
OverflowError: Python int too large to convert to SQLite INTEGER

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/x/uvicorn/protocols/http/h11_impl.py", line 403, in run_asgi
    raise
sqlalchemy.exc.StatementError: (builtins.OverflowError) Python int too large to convert to SQLite INTEGER
[SQL: SELECT items.id FROM items WHERE items.id = ?]
[parameters: [{'pk_1': 9223372036854775808}]]
ERROR:    Exception in ASGI application
  + Exception Group Traceback (most recent call last):
  |   File "/x/starlette/_utils.py", line 79, in collapse_excgroups
  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)
  +-+---------------- 1 ----------------
    | Traceback (most recent call last):
    |   File "/x/app.py", line 3, in f
    | ValueError: Out of range float values are not JSON compliant
    +------------------------------------
ERROR:    Exception in ASGI application
Traceback (most recent call last):
  File "/x/app.py", line 3, in f
ValueError: Out of range float values are not JSON compliant
INFO:     Shutting down
"""


def b64(text: str) -> dict[str, str]:
    return {"$base64": base64.b64encode(text.encode()).decode()}


def interaction(uri: str, status: int | None, method: str = "GET", body: str | None = None) -> dict:
    request = {"method": method, "uri": uri, "headers": {"Authorization": ["[Filtered]"]}}
    if body is not None:
        request["body"] = b64(body)
    answer = {"request": request, "timestamp": 1.0}
    if status is not None:
        answer["response"] = {"status_code": status, "headers": {}, "content": b64("{}"), "elapsed": 0.01}
    return answer


def case(method: str, path: str) -> dict:
    return {"value": {"method": method, "path": path, "id": "x"}, "is_transition_applied": False}


def check(name: str, status: str = "success", title: str = "", message: str = "") -> dict:
    node = {"name": name, "status": status}
    if status == "failure":
        node["failure_info"] = {"failure": {"title": title, "message": message, "code": "ST"}}
    return node


ALL_PASS = [check("not_a_server_error"), check("status_code_conformance"), check("response_schema_conformance")]


def scenario(label: str, phase: str, cases: dict, interactions: dict, checks: dict) -> str:
    recorder = {"label": label, "cases": cases, "checks": checks, "interactions": interactions}
    return json.dumps({"ScenarioFinished": {"phase": phase, "status": "failure", "is_final": False, "recorder": recorder}})


EVENTS = [
    json.dumps({"Initialize": {"seed": 1}}),
    scenario(
        "GET /items/{item_id}",
        "coverage",
        {"a": case("GET", "/items/{item_id}"), "b": case("GET", "/items/{item_id}"), "c": case("TRACE", "/items/{item_id}")},
        {
            "a": interaction("http://127.0.0.1:1/items/1", 200),
            "b": interaction("http://127.0.0.1:1/items/0", 404),
            "c": interaction("http://127.0.0.1:1/items/1", 405, method="TRACE"),
        },
        {
            "a": ALL_PASS,
            "b": [check("not_a_server_error"), check("status_code_conformance", "failure", "Undocumented status code", "Received: 404\nDocumented: 200, 422")],
            "c": ALL_PASS,
        },
    ),
    scenario(
        "POST /quotes/",
        "fuzzing",
        {"d": case("POST", "/quotes/"), "e": case("POST", "/quotes/")},
        {
            "d": interaction("http://127.0.0.1:1/quotes/", 500, "POST", '{"price": 1e308}'),
            "e": interaction("http://127.0.0.1:1/quotes/", 200, "POST", '{"price": 1e307}'),
        },
        {
            "d": [check("not_a_server_error", "failure", "Server error", "500")],
            # one body, two violations of the schema: one schema violation
            "e": [
                check("response_schema_conformance", "failure", "Response violates schema", 'null is not of type "number"\n...'),
                check("response_schema_conformance", "failure", "Response violates schema", 'null is not of type "number"\n...'),
            ],
        },
    ),
    scenario(  # stateful scenarios are labelled by the run: each request counts for its own operation
        "Stateful tests",
        "stateful",
        {"f": case("DELETE", "/items/{item_id}"), "g": case("GET", "/items/{item_id}")},
        {"f": interaction("http://127.0.0.1:1/items/3", None, "DELETE"), "g": interaction("http://127.0.0.1:1/items/3", 200)},
        {"g": ALL_PASS},
    ),
    scenario("POST /token", "auth_bootstrap", {"h": case("POST", "/token")}, {"h": interaction("http://127.0.0.1:1/token", 500)}, {}),
    json.dumps({"NonFatalError": {"value": {"type": "ConnectionError", "message": "('Connection aborted.', RemoteDisconnected())"}, "phase": "fuzzing", "label": "POST /token", "related_to_operation": True}}),
    json.dumps({"NonFatalError": {"value": {"type": "Unsatisfiable", "message": "Unable to satisfy schema parameters"}, "phase": "fuzzing", "label": "GET /", "related_to_operation": True}}),
    json.dumps({"EngineFinished": {"running_time": 1.0, "stop_reason": "completed"}}),
    '{"ScenarioFinished": {"phase": "fuzz',  # cut short when schemathesis was killed
]


def test_proc_status_gives_rss_and_peak_in_kib():
    fields = parse_proc_status(PROC_STATUS)
    assert fields["VmRSS"] == 74854 and fields["VmHWM"] == 2631884 and "Threads" not in fields
    memory = Memory(rss_kib=fields["VmRSS"], peak_kib=fields["VmHWM"])
    assert round(memory.rss_mib, 1) == 73.1 and round(memory.peak_mib, 1) == 2570.2


def test_each_logged_traceback_counts_once_under_its_last_exception():
    assert exception_counts(UVICORN_LOG) == Counter(
        {
            "sqlalchemy.exc.StatementError: (builtins.OverflowError) Python int too large to convert to SQLite INTEGER": 1,
            "ValueError: Out of range float values are not JSON compliant": 2,
        }
    )
    assert exception_counts("INFO:     Started\nINFO:     Shutting down\n") == Counter()


def test_the_database_is_the_flag_else_test_database_url_else_a_temporary_sqlite_file():
    env = {"TEST_DATABASE_URL": "postgresql+psycopg://course:secret@127.0.0.1:5433/course_test"}
    assert choose_database_url("sqlite:////tmp/x.db", env) == "sqlite:////tmp/x.db"
    assert choose_database_url(None, env) == env["TEST_DATABASE_URL"]
    assert choose_database_url(None, {}) is None
    assert "secret" not in describe_database(env["TEST_DATABASE_URL"])
    assert describe_database(None) == "a SQLite file in a temporary folder"
    child = child_environment("sqlite:///a.db", "k" * 64, {"PATH": "/bin"})
    assert child["SERVICE_DATABASE_URL"] == "sqlite:///a.db" and child["SERVICE_SECRET_KEY"] == "k" * 64 and child["PATH"] == "/bin"


def test_fuzz_arguments_have_bounded_seeded_defaults_and_reject_nonsense(capsys):
    args = fuzz_service.parse_args([])
    assert (args.max_examples, args.max_seconds, args.seed, args.workers) == (50, 60.0, 1, 1)
    assert args.phases == ("examples", "coverage", "fuzzing", "stateful") and args.database_url is None
    assert fuzz_service.parse_args(["--phases", "coverage, fuzzing", "--seed", "7"]).phases == ("coverage", "fuzzing")
    for wrong in (["--phases", "coverage,everything"], ["--max-examples", "0"], ["--max-seconds", "-1"]):
        with pytest.raises(SystemExit):
            fuzz_service.parse_args(wrong)
    assert "phases are a comma-separated list" in capsys.readouterr().err


def test_the_schemathesis_command_is_bounded_seeded_and_checks_what_was_asked():
    args = fuzz_service.parse_args(["--max-examples", "7", "--seed", "3"])
    command = schemathesis_command("http://127.0.0.1:1/openapi.json", args, Path("c.toml"), Path("e.ndjson"))
    joined = " ".join(command)
    assert "run http://127.0.0.1:1/openapi.json" in joined and "--config-file c.toml" in joined
    assert "--checks not_a_server_error,status_code_conformance,response_schema_conformance" in joined
    assert "--max-examples 7" in joined and "--seed 3" in joined and "--workers 1" in joined
    assert "--generation-database none" in joined and "--report-ndjson-path e.ndjson" in joined
    assert "--max-time" not in joined  # it would repeat fuzzing until the time is spent
    env = fuzz_service.schemathesis_environment({"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "x", "PATH": "/bin"}, "tok")
    assert env == {"PATH": "/bin", fuzz_service.TOKEN_ENV: "tok"}
    assert "Bearer ${" + fuzz_service.TOKEN_ENV + "}" in fuzz_service.CONFIG


def test_events_are_counted_per_operation_with_one_example_per_kind_of_failure():
    summary = summarize(EVENTS)
    assert summary.stop_reason == "completed"
    item = summary.operations["GET /items/{item_id}"]
    # the TRACE probe belongs to the operation whose scenario sent it; the stateful GET too
    assert (item.requests, item.statuses, item.schema_violations) == (4, Counter({200: 2, 404: 1, 405: 1}), 1)
    quotes = summary.operations["POST /quotes/"]
    assert (quotes.requests, quotes.server_errors, quotes.schema_violations) == (2, 1, 1)
    assert summary.operations["DELETE /items/{item_id}"].dropped_connections == 1
    assert summary.operations["POST /token"].dropped_connections == 1  # from the error event alone
    assert summary.operations["POST /token"].requests == 0  # the auth bootstrap is not a test
    assert summary.errors == ["GET /: Unsatisfiable: Unable to satisfy schema parameters"]
    assert final_line(summary) == "fuzz: 7 requests, 1 server errors, 2 schema violations, 2 dropped connections"
    report = "\n".join(fuzz_service.format_report(summary, Counter({"OverflowError: boom": 2})))
    assert "GET /items/{item_id}" in report and "200×2 404×1 405×1" in report
    assert 'schema violation Response violates schema: null is not of type "number" ×1' in report
    assert 'e.g. POST /quotes/ {"price": 1e307}' in report
    assert "schema violation Undocumented status code: Received: 404 ×1" in report
    assert "2× OverflowError: boom" in report and "Unsatisfiable" in report


def test_a_run_passes_only_complete_with_nothing_found():
    clean = RunSummary(stop_reason="completed")
    clean.operation("GET /").requests = 3
    assert fuzz_service.problems(clean, 0, timed_out=False, cap=60) == []
    assert fuzz_service.problems(clean, 2, timed_out=False, cap=60) == ["schemathesis exited with code 2: see its output"]
    assert fuzz_service.problems(clean, None, timed_out=True, cap=60)[0].startswith("the run was stopped at the 60 s cap")
    assert fuzz_service.problems(RunSummary(stop_reason="interrupted"), 1, timed_out=False, cap=60) == [
        "the run did not complete (schemathesis stop reason: interrupted)",
        "no request reached the service",
    ]
    found = fuzz_service.problems(summarize(EVENTS), 1, timed_out=False, cap=60)
    assert found == ["1 server errors", "2 schema violations", "2 dropped connections", "1 schemathesis errors"]


def test_hostile_requests_count_like_the_others_and_examples_are_printable():
    summary = RunSummary(stop_reason="completed")
    add_hostile(summary, HOSTILE[0], 500)
    add_hostile(summary, HOSTILE[1], 404)
    add_hostile(summary, HOSTILE[2], "RemoteProtocolError")
    assert final_line(summary) == "fuzz: 3 requests, 1 server errors, 0 schema violations, 1 dropped connections"
    assert {case.operation.split()[0] for case in HOSTILE} <= {"GET", "PUT", "POST", "DELETE"}
    assert request_line({"method": "POST", "uri": "http://127.0.0.1:1/items/?a=1", "body": b64("\x1b[2J\x00ok")}) == r"POST /items/?a=1 \x1b[2J\x00ok"
    assert len(HOSTILE[-2].line()) <= fuzz_service.EXAMPLE_WIDTH


def test_load_arguments_default_to_the_issue_figures_and_cap_the_time(capsys):
    args = load_logins.parse_args([])
    assert (args.logins, args.concurrency, args.probe_path, args.probe_interval) == (200, 40, "/db", 0.05)
    assert (args.max_rss_mib, args.max_latency_ms, args.max_seconds) == (400.0, 250.0, 120.0)
    assert load_logins.parse_args(["--probe-path", "/items/", "--max-seconds", "30"]).max_seconds == 30.0
    for wrong in (["--max-seconds", "121"], ["--concurrency", "0"], ["--probe-path", "db"], ["--max-rss-mib", "0"]):
        with pytest.raises(SystemExit):
            load_logins.parse_args(wrong)
    capsys.readouterr()


def test_latency_is_reported_as_median_95th_percentile_and_max_in_milliseconds():
    probes = [Probe(0.002, "200"), Probe(0.004, "200"), Probe(3.2, "200")]
    assert latency_ms(probes) == pytest.approx((4.0, 2880.4, 3200.0))
    assert latency_ms([Probe(0.005, "200")]) == pytest.approx((5.0, 5.0, 5.0))
    assert latency_ms([]) == (0.0, 0.0, 0.0)


def test_one_slow_probe_in_many_does_not_fail_the_run_but_a_slow_tail_does():
    limits = Limits(max_rss_mib=400, max_latency_ms=250)

    def run(loaded: list[Probe]) -> list[str]:
        memory = Memory(70 * 1024, 128 * 1024)
        return load_logins.problems(LoadResult(idle=[], loaded=loaded, logins=Counter({"401": 200}), before=memory, after=memory, complete=True), limits, 120)

    assert run([Probe(0.02, "200")] * 99 + [Probe(0.45, "200")]) == []
    assert run([Probe(0.02, "200")] * 90 + [Probe(0.45, "200")] * 10) == [
        "95th-percentile latency of the public route under load 450.0 ms ≥ 250 ms"
    ]


def test_the_load_verdict_fails_at_either_threshold_and_on_lost_answers():
    limits = Limits(max_rss_mib=400, max_latency_ms=250)

    def result(peak_mib: float, worst_s: float, logins: Counter[str] | None = None, complete: bool = True) -> LoadResult:
        return LoadResult(
            idle=[Probe(0.003, "200")],
            loaded=[Probe(0.01, "200"), Probe(worst_s, "200")],
            logins=logins if logins is not None else Counter({"401": 200}),
            before=Memory(70 * 1024, 128 * 1024),
            after=Memory(73 * 1024, int(peak_mib * 1024)),
            complete=complete,
        )

    assert load_logins.problems(result(150, 0.1), limits, 120) == []
    assert load_logins.problems(result(400, 0.1), limits, 120) == ["peak RSS 400.0 MiB ≥ 400 MiB"]
    assert load_logins.problems(result(150, 0.27), limits, 120) == ["95th-percentile latency of the public route under load 257.0 ms ≥ 250 ms"]
    assert load_logins.problems(result(150, 0.1, Counter({"401": 190, "429": 5, "503": 3, "ReadTimeout": 2})), limits, 120) == [
        "5 logins got no answer or a 5xx (503×3 ReadTimeout×2)"
    ]
    assert load_logins.problems(result(150, 0.1, complete=False), limits, 120) == ["the run did not finish within the 120 s cap"]
    lines = load_logins.format_report(result(2570.2, 3.23), "/db", 200, 40)
    assert lines[1] == "service memory after the logins:  RSS 73.0 MiB, peak 2570.2 MiB"
    assert "status 401×200" in lines[2]
    assert lines[4].startswith("GET /db under the logins: median 1620.0 ms, 95th percentile 3069.0 ms, max 3230.0 ms (2 probes; status 200×2)")
