"""The setup check (lessons_support/setup_check.py): every ✓ here, every ✗ with a broken setup."""

import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse

from lessons_support import hub, setup_check
from lessons_support.server import running_servers, serve
from lessons_support.setup_check import (
    CHECKS,
    check_browser,
    check_database,
    check_docs,
    check_kernel,
    check_packages,
    check_python,
    check_server,
    failed,
    passed,
    run_setup_check,
)

ROOT = Path(__file__).resolve().parent.parent
HUB = {"JUPYTERHUB_SERVICE_PREFIX": "/user/alice/", "JUPYTERHUB_API_TOKEN": "server-token"}


@pytest.fixture(autouse=True)
def off_a_hub_with_no_course_database(monkeypatch):
    for name in (*hub.VARIABLES, "COURSE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def names_of_running_servers() -> list[str]:
    return [server.name for server in running_servers()]


@pytest.mark.parametrize("check", CHECKS, ids=[check.__name__ for check in CHECKS])
def test_every_check_passes_here_and_leaves_no_server_running(check):
    result = check()
    assert result.ok and result.line.startswith("✓ ") and not result.fix, (result.line, result.fix)
    assert setup_check.NAME not in names_of_running_servers()


def test_the_summary_says_all_passed_here(capsys):
    run_setup_check()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8 and all(line.startswith("✓ ") for line in lines[:7])
    assert lines[-1] == "All 7 checks passed: go on with 01_why_fastapi.ipynb."


def test_the_summary_counts_failures_and_prints_each_fix(capsys):
    def broken() -> setup_check.Result:
        raise ValueError("a bug in a check")

    checks = (lambda: passed("fine"), lambda: failed("wrong", "do this"), broken, *[lambda: passed("fine")] * 4)
    run_setup_check(checks)
    out = capsys.readouterr().out
    assert "✗ wrong\n  Fix: do this\n" in out
    assert "✗ broken stopped: ValueError: a bug in a check\n  Fix: show this line to your instructor.\n" in out
    assert out.splitlines()[-1] == "2 of 7 checks failed: fix the ✗ lines above, then run this cell again."


@pytest.mark.parametrize("version", [(3, 11), (3, 12), (3, 13)])
def test_the_python_line_is_the_same_on_every_supported_version(version):
    assert check_python(version).line == "✓ Python: a supported version (3.11 to 3.13)"


@pytest.mark.parametrize("version", [(3, 10), (3, 14)])
def test_an_unsupported_python_is_named_with_the_fix(version):
    result = check_python(version)
    assert not result.ok and f"Python {version[0]}.{version[1]};" in result.line
    assert "make lab PYTHON=python3.12" in result.fix


def test_the_supported_pythons_are_the_makefiles():
    supported = re.search(r"^SUPPORTED_PYTHONS := (.+)$", (ROOT / "Makefile").read_text(), re.M)[1].split()
    assert supported == [f"{major}.{minor}" for major, minor in setup_check.SUPPORTED]


def test_the_lock_is_found_beside_lessons_support():
    assert setup_check.LOCK == ROOT / "requirements.txt"
    assert check_packages().line == "✓ Packages: every package is installed at the version requirements.txt locks"


def test_a_package_missing_or_at_another_version_is_listed(tmp_path):
    from importlib.metadata import version

    lock = tmp_path / "requirements.txt"
    lock.write_text(
        "# a comment\n"
        "fastapi==0.0.1 \\\n    --hash=sha256:aa\n    # via -r requirements.in\n"
        f"httpx=={version('httpx')} \\\n    --hash=sha256:bb\n"
        "no-such-course-package==1.0 \\\n    --hash=sha256:cc\n"
        "another-missing-package==2.0 ; sys_platform == 'no-such-platform' \\\n    --hash=sha256:dd\n"
    )
    result = check_packages(lock)
    assert not result.ok
    assert result.line == (
        f"✗ Packages: not as requirements.txt locks them: fastapi: installed {version('fastapi')}, locked 0.0.1; "
        "no-such-course-package: not installed"
    )
    assert "make lab" in result.fix and "--require-hashes -r requirements.txt" in result.fix and "environment.yml" in result.fix


def test_only_five_mismatches_are_listed(tmp_path):
    lock = tmp_path / "requirements.txt"
    lock.write_text("".join(f"missing-{n}==1.0\n" for n in range(8)))
    result = check_packages(lock)
    assert result.line.count("not installed") == 5 and result.line.endswith("and 3 more")


def test_without_a_lock_the_course_modules_must_import(tmp_path):
    result = check_packages(tmp_path / "requirements.txt")
    assert result.ok and "no requirements.txt beside lessons_support" in result.line
    assert "fastapi, uvicorn, httpx, sqlalchemy, fastapi_offline, lessons_support import" in result.line
    result = check_packages(tmp_path / "requirements.txt", modules=("fastapi", "no_such_course_module"))
    assert not result.ok and "no_such_course_module do not import" in result.line


@pytest.mark.parametrize("program", ["python", sys.executable])
def test_a_kernel_that_starts_this_python_passes(program):
    assert check_kernel(SimpleNamespace(argv=[program, "-m", "ipykernel_launcher", "-f", "{connection_file}"])).ok


def test_a_kernel_that_starts_another_python_fails():
    result = check_kernel(SimpleNamespace(argv=["/opt/elsewhere/bin/python3", "-m", "ipykernel_launcher"]))
    assert not result.ok and "starts /opt/elsewhere/bin/python3" in result.line
    assert "make lab" in result.fix and "Change Kernel" in result.fix


def test_a_kernel_name_jupyter_does_not_know_fails():
    result = check_kernel(name="no-such-course-kernel")
    assert not result.ok and "no kernel named 'no-such-course-kernel'" in result.line


def test_an_app_that_fails_to_start_is_reported():
    async def lifespan(app):
        raise RuntimeError("the database is gone")
        yield

    result = check_server(FastAPI(lifespan=lifespan))
    assert not result.ok and "ServerStartError: Server 'setup-check' could not start" in result.line
    assert result.line.endswith("(RuntimeError: the database is gone)")
    assert "Restart Kernel" in result.fix
    assert setup_check.NAME not in names_of_running_servers()


def test_an_app_that_answers_something_else_is_reported():
    app = FastAPI()

    @app.get("/setup-check")
    def answer() -> dict[str, bool]:
        return {"ok": False}

    result = check_server(app)
    assert not result.ok and "RuntimeError: it answered 200 '{\"ok\":false}'" in result.line


def test_a_folder_sqlite_cannot_write_in_is_reported(tmp_path):
    result = check_database(temp_dir=str(tmp_path / "missing"))
    assert not result.ok and result.line.startswith("✗ Database: SQLAlchemy on a SQLite file failed: FileNotFoundError")
    assert "TMPDIR" in result.fix


def test_a_course_database_that_answers_gets_a_second_part(tmp_path):
    result = check_database({"COURSE_DATABASE_URL": f"sqlite:///{tmp_path / 'course.db'}"})
    assert result.line == (
        "✓ Database: SQLAlchemy works on a SQLite file, from this thread and another; COURSE_DATABASE_URL answers SELECT 1"
    )


def test_a_course_database_that_does_not_answer_fails_fast_and_keeps_its_password():
    start = time.monotonic()
    result = check_database({"COURSE_DATABASE_URL": "postgresql+psycopg://u:s3cret-pw@127.0.0.1:1/x"})
    assert time.monotonic() - start < 3
    assert not result.ok and "but COURSE_DATABASE_URL does not answer SELECT 1: OperationalError" in result.line
    assert "s3cret-pw" not in result.line + result.fix and "postgresql+psycopg://" not in result.line


def test_a_course_database_url_that_does_not_parse_is_not_printed():
    result = check_database({"COURSE_DATABASE_URL": "s3cret-pw not a url"})
    assert not result.ok and "ArgumentError" in result.line and "s3cret-pw" not in result.line


def docs_app(script: str) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None)
    stylesheet = '<link rel="stylesheet" href="/_offline_docs/swagger-ui.css">'
    page = f'<html><head>{stylesheet}</head><body><script src="{script}"></script></body></html>'

    @app.get("/docs", response_class=HTMLResponse)
    @app.get("/redoc", response_class=HTMLResponse)
    def docs() -> str:
        return page

    return app


def test_docs_that_load_a_script_from_a_cdn_fail():
    result = check_docs(docs_app("https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"))
    assert not result.ok and "/docs loads https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js" in result.line
    assert "make lab" in result.fix
    assert setup_check.NAME not in names_of_running_servers()


def test_docs_assets_the_server_does_not_serve_fail():
    result = check_docs(docs_app("/_offline_docs/missing.js"))
    assert not result.ok and "/_offline_docs/missing.js answered 404" in result.line


def test_an_app_without_docs_pages_fails():
    result = check_docs(FastAPI(docs_url=None, redoc_url=None))
    assert not result.ok and "/docs answered 404 and loads no script" in result.line


def test_docs_pass_behind_a_hubs_proxy_too(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    assert check_docs().line == "✓ API docs: Swagger UI and ReDoc load from the server itself, no internet needed"


def test_off_a_hub_the_browser_line_points_at_docs_link():
    result = check_browser({})
    assert result.line == "✓ Browser: not on a hub, so a server's links (server.docs_link) open on this machine"
    assert not result.html


def fake_proxy(token: str) -> FastAPI:
    """jupyter-server-proxy's job in a single-user server: `<prefix>proxy/<port>/<rest>`, prefix taken off."""
    app = FastAPI()

    @app.get("/user/alice/proxy/{port}/{rest:path}")
    async def forward(port: int, rest: str, request: Request) -> Response:
        if request.headers.get("authorization") != f"token {token}":
            return Response("Forbidden", status_code=403)
        async with httpx.AsyncClient(trust_env=False) as client:
            upstream = await client.get(f"http://127.0.0.1:{port}/{rest}", headers={"X-Forwarded-Prefix": f"/user/alice/proxy/{port}"})
        return Response(upstream.content, upstream.status_code, media_type=upstream.headers.get("content-type"))

    return app


@pytest.fixture
def on_a_hub(monkeypatch):
    """A JupyterHub single-user server's environment, its proxy played by fake_proxy."""
    proxy = serve(fake_proxy(HUB["JUPYTERHUB_API_TOKEN"]), name="fake-hub-proxy")
    for name, value in {**HUB, "JUPYTERHUB_SERVICE_URL": f"{proxy.url}/user/alice/"}.items():
        monkeypatch.setenv(name, value)
    yield proxy
    proxy.stop()
    for server in running_servers():
        if server.name == setup_check.NAME:
            server.stop()


def test_on_a_hub_the_proxy_is_asked_and_the_docs_server_stays_up(on_a_hub):
    result = check_browser()
    assert result.line == "✓ Browser: on JupyterHub, the proxy reaches this kernel's servers: open server.docs_link"
    [server] = [server for server in running_servers() if server.name == setup_check.NAME]
    assert server.docs_link == f"/user/alice/proxy/{server.port}/docs"
    assert f'href="{server.docs_link}"' in result.html and 'stays up' in result.html
    docs = httpx.get(f"{on_a_hub.url}/user/alice/proxy/{server.port}/docs", headers={"Authorization": "token server-token"})
    assert docs.status_code == 200 and f"/user/alice/proxy/{server.port}/openapi.json" in docs.text


@pytest.mark.parametrize("host", ["0.0.0.0", "", "[::]"])
def test_on_a_hub_the_proxy_is_asked_on_loopback_whatever_address_the_server_binds(on_a_hub, monkeypatch, host):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", f"http://{host}:{on_a_hub.port}/user/alice/")
    assert check_browser().ok


def test_on_a_hub_a_proxy_that_refuses_the_token_fails(on_a_hub, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "another-token")
    result = check_browser()
    assert not result.ok and "the proxy does not reach this kernel's servers: RuntimeError: it answered 403" in result.line
    assert setup_check.NAME not in names_of_running_servers()


def test_on_a_hub_a_proxy_that_does_not_answer_fails(monkeypatch):
    for name, value in {**HUB, "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1/user/alice/"}.items():
        monkeypatch.setenv(name, value)
    result = check_browser()
    assert not result.ok and "on JupyterHub, the proxy does not reach this kernel's servers: ConnectError" in result.line
    assert "pip install jupyter-server-proxy" in result.fix and "Stop My Server" in result.fix
    assert setup_check.NAME not in names_of_running_servers()


def test_on_a_hub_without_a_service_url_fails():
    result = check_browser({**HUB, "BINDER_LAUNCH_HOST": "https://mybinder.org/"})
    assert not result.ok and result.line.startswith("✗ Browser: on Binder, the proxy does not reach this kernel's servers")
    assert result.line.endswith("RuntimeError: JUPYTERHUB_SERVICE_URL is not set")


def test_on_a_hub_without_jupyter_server_proxy_fails(monkeypatch):
    monkeypatch.setitem(sys.modules, "jupyter_server_proxy", None)
    result = check_browser(HUB)
    assert not result.ok and "jupyter-server-proxy is not installed" in result.line
    assert "Hub Control Panel" in result.fix
