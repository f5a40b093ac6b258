"""The check a learner runs first (notebooks/00_setup_check.ipynb): `run_setup_check()`.

Seven checks, one line each: ✓ and what is fine, or ✗, what is wrong and a `Fix:` line. Each check
takes what it looks at as parameters (a version, a lock, an environment, an app), so that the tests
can hand it a broken setup (tests/test_setup_check.py).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from packaging.requirements import Requirement
from packaging.version import Version
from sqlalchemy import create_engine, text

import lessons_support
from lessons_support import hub
from lessons_support.offline_docs import PREFIX
from lessons_support.server import serve

SUPPORTED = ((3, 11), (3, 12), (3, 13))
LOCK = Path(lessons_support.__file__).parents[1] / "requirements.txt"
MODULES = ("fastapi", "uvicorn", "httpx", "sqlalchemy", "fastapi_offline", "lessons_support")
NAME = "setup-check"
ASSET = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"')
PASSWORD = re.compile(r"://[^:/@]*:([^@]+)@")
CAUSE = re.compile(r"\w+(Error|Exception): ")

REINSTALL = (
    "in a terminal, in the course folder, run `make lab` (it reinstalls when requirements.txt changes); without make: "
    "`.venv/bin/python -m pip install --require-hashes -r requirements.txt`; with conda: `conda env update -f environment.yml`. "
    "Then restart the kernel (Kernel › Restart Kernel…)."
)
KERNEL_FIX = (
    "open the course with `make lab` in the course folder (it puts the course's kernel first, through JUPYTER_PATH), "
    "or pick the course's environment in Kernel › Change Kernel…"
)
PROXY_FIX = (
    "install jupyter-server-proxy into the hub's image (`pip install jupyter-server-proxy`), then restart your server: "
    "File › Hub Control Panel › Stop My Server, then Start My Server."
)


@dataclass
class Result:
    ok: bool
    line: str
    fix: str = ""
    html: str = ""


def passed(what: str, html: str = "") -> Result:
    return Result(True, f"✓ {what}", html=html)


def failed(what: str, fix: str) -> Result:
    return Result(False, f"✗ {what}", fix)


def reason(error: BaseException) -> str:
    error = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's error
    lines = str(error).strip().splitlines() or [""]
    cause = next((line for line in lines[:0:-1] if CAUSE.match(line)), "")  # a server's log ends with its traceback
    return f"{type(error).__name__}: {lines[0]}" + (f" ({cause})" if cause else "")


def tiny_app() -> FastAPI:
    app = FastAPI(title="Setup check")

    @app.get("/setup-check")
    def answer() -> dict[str, bool]:
        return {"ok": True}

    return app


def get(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(url, timeout=10, trust_env=False, **kwargs)


def ask(url: str, **kwargs: Any) -> None:
    """GET tiny_app's route at `url`; raise unless it answers 200 and its JSON."""
    response = get(url, **kwargs)
    if response.status_code != 200 or response.json() != {"ok": True}:
        raise RuntimeError(f"it answered {response.status_code} {response.text[:80]!r}")


def check_python(version_info: tuple[int, ...] = sys.version_info[:2]) -> Result:
    if tuple(version_info[:2]) in SUPPORTED:
        return passed("Python: a supported version (3.11 to 3.13)")
    found = ".".join(str(part) for part in version_info[:2])
    fix = (
        "install Python 3.11, 3.12 or 3.13 (python.org, or `pyenv install 3.12`), then in the course folder run "
        "`make lab PYTHON=python3.12` (it builds .venv-3.12 with it)."
    )
    return failed(f"Python: this kernel runs Python {found}; the course supports 3.11, 3.12 and 3.13", fix)


def imports(name: str) -> bool:
    try:
        import_module(name)
    except ImportError:
        return False
    return True


def check_packages(lock: Path = LOCK, modules: tuple[str, ...] = MODULES) -> Result:
    if not lock.exists():
        missing = [name for name in modules if not imports(name)]
        if missing:
            return failed(f"Packages: no requirements.txt beside lessons_support, and {', '.join(missing)} do not import", REINSTALL)
        without = "no requirements.txt beside lessons_support (an image without the repository?)"
        return passed(f"Packages: {without}; {', '.join(modules)} import")
    wrong = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        pin = Requirement(line.rstrip(" \\")) if line and line[0] not in " #-" else None
        if pin is None or (pin.marker is not None and not pin.marker.evaluate()):
            continue
        locked = next(iter(pin.specifier)).version
        try:
            installed = version(pin.name)
        except PackageNotFoundError:
            wrong.append(f"{pin.name}: not installed")
            continue
        if Version(installed) != Version(locked):
            wrong.append(f"{pin.name}: installed {installed}, locked {locked}")
    if not wrong:
        return passed("Packages: every package is installed at the version requirements.txt locks")
    more = f" and {len(wrong) - 5} more" if len(wrong) > 5 else ""
    return failed(f"Packages: not as requirements.txt locks them: {'; '.join(wrong[:5])}{more}", REINSTALL)


def check_kernel(spec: Any = None, name: str = "python3", executable: str = sys.executable) -> Result:
    try:
        if spec is None:
            from jupyter_client.kernelspec import KernelSpecManager

            spec = KernelSpecManager().get_kernel_spec(name)
    except Exception as error:
        return failed(f"Kernel: Jupyter finds no kernel named {name!r} ({reason(error)})", KERNEL_FIX)
    program = spec.argv[0]
    here = os.path.basename(program) == program and shutil.which(program, path=sysconfig.get_path("scripts"))
    if here or os.path.abspath(program) == os.path.abspath(executable):
        return passed(f"Kernel: the {name!r} kernel runs the course's environment")
    return failed(f"Kernel: the {name!r} kernel starts {program}, not this environment's Python {executable}", KERNEL_FIX)


def check_server(app: Any = None) -> Result:
    try:
        with serve(app or tiny_app(), name=NAME) as server:
            ask(server.url + "/setup-check")
    except Exception as error:
        fix = (
            "restart the kernel (Kernel › Restart Kernel…) and run this cell again; if the ✗ stays, "
            "the message says why (a firewall that blocks 127.0.0.1?)."
        )
        return failed(f"Server: a FastAPI app served in this kernel did not answer: {reason(error)}", fix)
    return passed("Server: a FastAPI app runs in this kernel and answers httpx")


def add_row(engine: Any, number: int) -> int:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO checks VALUES (:number)"), {"number": number})
        return connection.scalar(text("SELECT count(*) FROM checks"))


def select_one(url: str) -> None:
    engine = create_engine(url, connect_args={"connect_timeout": 5} if url.startswith("postgresql") else {})
    try:
        with engine.connect() as connection:
            connection.scalar(text("SELECT 1"))
    finally:
        engine.dispose()


def check_database(environ: Mapping[str, str] = os.environ, temp_dir: str | None = None) -> Result:
    try:
        with tempfile.TemporaryDirectory(dir=temp_dir) as folder:
            engine = create_engine(f"sqlite:///{Path(folder) / 'check.db'}")
            try:
                with engine.begin() as connection:
                    connection.execute(text("CREATE TABLE checks (number INTEGER)"))
                with ThreadPoolExecutor(1) as pool:
                    counts = [add_row(engine, 1), pool.submit(add_row, engine, 2).result(timeout=10)]
            finally:
                engine.dispose()
        if counts != [1, 2]:
            raise RuntimeError(f"counted {counts} rows after each insert, not [1, 2]")
    except Exception as error:
        fix = "SQLite needs a folder it can write: set TMPDIR to one, then restart JupyterLab."
        return failed(f"Database: SQLAlchemy on a SQLite file failed: {reason(error)}", fix)
    what = "Database: SQLAlchemy works on a SQLite file, from this thread and another"
    url = environ.get("COURSE_DATABASE_URL")
    if not url:
        return passed(what)
    try:
        select_one(url)
    except Exception as error:
        message = reason(error).replace(url, "COURSE_DATABASE_URL")
        if password := PASSWORD.search(url):
            message = message.replace(password[1], "***")
        fix = (
            "start that database, or correct COURSE_DATABASE_URL (postgresql+psycopg://user:password@host:port/dbname), "
            "or unset it to use SQLite."
        )
        return failed(f"{what}; but COURSE_DATABASE_URL does not answer SELECT 1: {message}", fix)
    return passed(f"{what}; COURSE_DATABASE_URL answers SELECT 1")


def check_docs(app: Any = None) -> Result:
    problems = []
    try:
        with serve(app or tiny_app(), name=NAME) as server:
            for page in ("/docs", "/redoc"):
                response = get(server.url + page)
                assets = ASSET.findall(response.text)
                if response.status_code != 200 or not assets:
                    problems.append(f"{page} answered {response.status_code} and loads no script")
                for url in assets:
                    if not url.startswith(PREFIX):
                        problems.append(f"{page} loads {url}")
                    elif (status := get(server.url + url).status_code) != 200:
                        problems.append(f"{url} answered {status}")
    except Exception as error:
        problems.append(reason(error))
    if not problems:
        return passed("API docs: Swagger UI and ReDoc load from the server itself, no internet needed")
    return failed(f"API docs: not all from the server itself: {'; '.join(problems[:3])}", REINSTALL)


def check_browser(environ: Mapping[str, str] = os.environ, app: Any = None) -> Result:
    place = hub.where(environ)
    if not place:
        return passed("Browser: not on a hub, so a server's links (server.docs_link) open on this machine")
    if not imports("jupyter_server_proxy"):
        what = f"Browser: on {place}, but jupyter-server-proxy is not installed, so the browser cannot reach the kernel's servers"
        return failed(what, PROXY_FIX)
    server = None
    try:
        service = environ.get("JUPYTERHUB_SERVICE_URL")
        if not service:
            raise RuntimeError("JUPYTERHUB_SERVICE_URL is not set")
        server = serve(app or tiny_app(), name=NAME)
        token = environ.get("JUPYTERHUB_API_TOKEN", "")
        # The single-user server runs beside this kernel: ask it on 127.0.0.1, whatever address
        # it binds (JupyterHub's spawners may give 0.0.0.0, [::] or none at all).
        parts = urlsplit(service)
        local = f"{parts.scheme}://127.0.0.1:{parts.port or (443 if parts.scheme == 'https' else 80)}{parts.path.rstrip('/')}"
        ask(f"{local}/proxy/{server.port}/setup-check", headers={"Authorization": f"token {token}"})
    except Exception as error:
        if server is not None:
            server.stop()
        return failed(f"Browser: on {place}, the proxy does not reach this kernel's servers: {reason(error)}", PROXY_FIX)
    link = html.escape(server.docs_link)
    note = (
        f'Try it: <a href="{link}" target="_blank">the API docs of the check\'s server</a> '
        f'(server "{NAME}" stays up for this; stop_all() stops it).'
    )
    return passed(f"Browser: on {place}, the proxy reaches this kernel's servers: open server.docs_link", html=note)


CHECKS = (check_python, check_packages, check_kernel, check_server, check_database, check_docs, check_browser)


def run_setup_check(checks: tuple[Callable[[], Result], ...] = CHECKS) -> None:
    failures = 0
    for check in checks:
        try:
            result = check()
        except Exception as error:
            result = failed(f"{check.__name__} stopped: {reason(error)}", "show this line to your instructor.")
        print(result.line)
        if not result.ok:
            failures += 1
            print(f"  Fix: {result.fix}")
        if result.html:
            from IPython.display import HTML, display

            display(HTML(result.html))
    if failures:
        print(f"{failures} of {len(checks)} checks failed: fix the ✗ lines above, then run this cell again.")
    else:
        print(f"All {len(checks)} checks passed: go on with 01_why_fastapi.ipynb.")
