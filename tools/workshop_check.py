"""A workshop, rehearsed on this machine: `make workshop-check`.

It starts a real JupyterHub (from the course's environment, with its proxy, configurable-http-proxy,
from npm) on 127.0.0.1, with two learner accounts. Headless Chromium (Debian's, driven by
Playwright) logs in as both learners at once, with every request to a host other than 127.0.0.1
blocked, as in a room without internet. Each learner:

1. opens the instructor's nbgitpuller link (tools/handout.py), which clones the student copies
   into their home and opens JupyterLab: no pop-up, the lessons listed in order;
2. runs every cell of every lesson's student copy (00 to 14), each in the course's kernel,
   started without a question, one kernel after another, and sees no error output;
3. starts the Item store with `serve()` in the last lesson's kernel and opens its
   `server.docs_link` through the hub (its proxy, then the learner's jupyter-server-proxy):
   Swagger UI renders, from assets the server sends itself;
4. adds an item that way and lists its own items only; the other learner's Jupyter server refuses
   them (JupyterHub's login). It is the browser that is refused: on a hub whose learners'
   processes share one machine's network, as on The Littlest JupyterHub, a kernel can still reach
   another learner's 127.0.0.1 port directly. INSTRUCTORS.md says so.

Before the learners log in, two more checks. The image a hub or Binder would build from this
repository is checked as far as this machine allows (it has no Docker engine): repo2docker plans
the image from environment.yml and postBuild, and postBuild runs into a scratch environment
folder. And a learner on a laptop: `make lab` opens in Chromium with no pop-up, the notebooks
listed in order, and `00_setup_check.ipynb` passes.

Meanwhile each learner's memory (the proportional set size, PSS, of their single-user server, kernel
and everything those start) and CPU time are sampled, per lesson: the figures INSTRUCTORS.md quotes
for sizing a hub. Everything it started is stopped at the end, and every step prints its time.

    .venv-workshop/bin/python tools/workshop_check.py --venv .venv [--lessons 01_why_fastapi.ipynb ...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from playwright.async_api import Page, Route, async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools import handout  # noqa: E402

LEARNERS = ("alice", "bob")
LOOPBACK = {"127.0.0.1", "localhost"}
CHROMIUM_FLAGS = [
    "--headless",
    *(["--no-sandbox"] if os.geteuid() == 0 else []),  # Chromium's sandbox refuses to run as root (CI does)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NEWS_POPUP = "Would you like to get notified"
KERNEL = "Python 3 (ipykernel)"
HANDOUT = "fastapi-handout"
# INSTRUCTORS.md's image command puts the repository here, out of the home folder a hub mounts over.
IMAGE_REPO_DIR = "/srv/fastapi-course"
MARKER = "WORKSHOP_CHECK_DIR"  # in the environment of every learner's server this run starts
TIMEOUT = 120  # seconds for any one browser action; a lesson's Run All gets RUN_TIMEOUT
RUN_TIMEOUT = 600
STARTED = time.monotonic()
# lessons_support.hub.VARIABLES, and JUPYTERHUB_USER: this tool runs in its own environment,
# without the course's packages, so it cannot import them.
HUB_VARIABLES = ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_PUBLIC_URL",
                 "JUPYTERHUB_USER", "BINDER_LAUNCH_HOST")


class CheckFailed(Exception):
    pass


def say(line: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {line}", flush=True)


@contextlib.contextmanager
def step(what: str):
    started = time.monotonic()
    try:
        yield
    except Exception as error:
        say(f"✗ {what}: {error}")
        error.reported = True  # type: ignore[attr-defined]
        raise
    say(f"✓ {what} ({time.monotonic() - started:.1f} s)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hub_config(workdir: Path, venv: Path, ports: dict[str, int], password: str) -> str:
    """The hub: shared-password logins for two learners, one local process per learner."""
    singleuser_args = ["--ServerApp.ip=127.0.0.1", "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        singleuser_args.append("--allow-root")
    settings = {
        "JupyterHub.ip": "127.0.0.1",
        "JupyterHub.port": ports["hub"],
        "JupyterHub.hub_ip": "127.0.0.1",
        "JupyterHub.hub_port": ports["hub_api"],
        "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{ports['proxy_api']}",
        "ConfigurableHTTPProxy.command": [str(ROOT / "tools/workshop/node_modules/.bin/configurable-http-proxy")],
        "JupyterHub.db_url": f"sqlite:///{workdir / 'jupyterhub.sqlite'}",
        "JupyterHub.cookie_secret_file": str(workdir / "jupyterhub_cookie_secret"),
        "JupyterHub.pid_file": str(workdir / "jupyterhub.pid"),
        "JupyterHub.cleanup_servers": True,
        "JupyterHub.authenticator_class": "shared-password",
        "SharedPasswordAuthenticator.user_password": password,
        "Authenticator.allowed_users": list(LEARNERS),
        "JupyterHub.spawner_class": "simple",
        "SimpleLocalProcessSpawner.home_dir_template": str(workdir / "home" / "{username}"),
        "Spawner.cmd": [str(venv / "bin" / "jupyterhub-singleuser")],
        "Spawner.args": singleuser_args,
        "Spawner.ip": "127.0.0.1",
        "Spawner.default_url": "/lab",
        "Spawner.start_timeout": 120,
        "Spawner.http_timeout": 120,
        "Spawner.environment": {MARKER: str(workdir)},
    }
    lines = ["c = get_config()  # noqa"]
    for key, value in settings.items():
        section, name = key.split(".")
        lines.append(f"c.{section}.{name} = {value!r}")
    return "\n".join(lines) + "\n"


NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, timeout: float = 2.0) -> int:
    try:
        with NO_PROXY.open(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until(condition, timeout: float, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CheckFailed(f"{what}: the process exited with code {process.returncode}")
        with contextlib.suppress(OSError):
            if condition():
                return
        time.sleep(0.2)
    raise CheckFailed(f"{what}: not within {timeout:g} s")


@dataclass
class Usage:
    """One learner's processes, sampled in a thread: per lesson, the peak of their total PSS, and
    the CPU seconds they used (of the processes seen alive, between two samples 0.5 s apart)."""

    user: str
    workdir: str = ""
    lesson: str = ""
    peak: dict[str, int] = field(default_factory=dict)
    idle: dict[str, int] = field(default_factory=dict)  # the lesson's kernel, its cells all run
    cpu: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    _last: dict[int, float] = field(default_factory=dict)
    _since: float = 0.0

    def begin(self, lesson: str) -> None:
        self.end()
        self.lesson, self._since = lesson, time.monotonic()

    def end(self) -> None:
        if self.lesson:
            self.seconds[self.lesson] = time.monotonic() - self._since
            kernels = [p for p in learner_processes(self.user, self.workdir) if is_kernel(p)]
            with contextlib.suppress(psutil.Error):
                self.idle[self.lesson] = sum(kernel.memory_full_info().pss for kernel in kernels)
        self.lesson = ""

    def sample(self) -> None:
        total, used = 0, 0.0
        for process in learner_processes(self.user, self.workdir):
            with contextlib.suppress(psutil.Error):
                total += process.memory_full_info().pss
                times = process.cpu_times()
                now = times.user + times.system  # each child is sampled itself: no children_* here
                used += now - self._last.get(process.pid, now if not self.lesson else 0.0)
                self._last[process.pid] = now
        if self.lesson:
            self.peak[self.lesson] = max(self.peak.get(self.lesson, 0), total)
            self.cpu[self.lesson] = self.cpu.get(self.lesson, 0.0) + used


def is_kernel(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return "ipykernel_launcher" in " ".join(process.cmdline())
    return False


def learner_processes(user: str, workdir: str) -> list[psutil.Process]:
    """The learner's single-user server, of this run, and every process under it (kernel, servers)."""
    for process in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            if any("jupyterhub-singleuser" in part for part in process.info["cmdline"] or []):
                environ = process.environ()
                if environ.get("JUPYTERHUB_USER") == user and environ.get(MARKER) == workdir:
                    return [process, *process.children(recursive=True)]
    return []


class Sampler(threading.Thread):
    def __init__(self, usages: list[Usage]) -> None:
        super().__init__(daemon=True)
        self.usages, self.done = usages, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            for usage in self.usages:
                usage.sample()


# JavaScript run in the learner's JupyterLab (exposed as window.jupyterapp by the hub's config).
OPEN_NOTEBOOK = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  while (!panel.sessionContext.session?.kernel) { await new Promise(r => setTimeout(r, 100)); }
  return panel.sessionContext.kernelDisplayName;
}"""
CLOSE_NOTEBOOK = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.shutdown();
  panel.context.model.dirty = false;
  panel.dispose();
}"""
RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await app.commands.execute('notebook:run-all-cells');
  const kernel = panel.sessionContext.session.kernel;
  while (kernel.status !== 'idle') { await new Promise(r => setTimeout(r, 100)); }
  const cells = panel.content.model.cells;
  const report = {code: 0, run: 0, errors: [], stdout: ''};
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    report.code += 1;
    if (cell.executionCount !== null) report.run += 1;
    for (const output of cell.outputs.toJSON()) {
      if (output.output_type === 'error') report.errors.push(`cell ${i}: ${output.ename}: ${output.evalue}`);
      if (output.output_type === 'stream' && output.name === 'stdout') report.stdout += output.text;
      if (output.output_type === 'stream' && output.name === 'stderr') report.errors.push(`cell ${i} stderr: ${String(output.text).slice(0, 300)}`);
    }
  }
  report.stderrShown = document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length;
  return report;
}"""
EXECUTE = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code});
  const out = [];
  future.onIOPub = (msg) => {
    const c = msg.content;
    if (msg.header.msg_type === 'stream') out.push(c.text);
    if (msg.header.msg_type === 'error') out.push(`ERROR ${c.ename}: ${c.evalue}`);
  };
  await future.done;
  return out.join('');
}"""
SERVE_ITEM_STORE = """
from checkpoints.lesson_05 import create_app
from lessons_support import serve
workshop_server = serve(create_app(), name="workshop-check")
print(workshop_server.docs_link)
"""


@dataclass
class Learner:
    name: str
    page: Page
    blocked: list[str] = field(default_factory=list)
    docs_link: str = ""


async def block_outside(route: Route, learner: Learner) -> None:
    if urlsplit(route.request.url).hostname in LOOPBACK:
        await route.continue_()
    else:
        learner.blocked.append(route.request.url)
        await route.abort()


async def run_lesson(page: Page, name: str, lesson: str, usage: Usage, folder: str = HANDOUT) -> None:
    with step(f"{name}: opens {lesson}; the course's kernel starts without a question"):
        kernel = await asyncio.wait_for(page.evaluate(OPEN_NOTEBOOK, f"{folder}/{lesson}" if folder else lesson), TIMEOUT)
        if kernel != KERNEL:
            raise CheckFailed(f"kernel {kernel!r}, expected {KERNEL!r}")
        if await page.locator(".jp-Dialog").count():
            raise CheckFailed("a dialog is open: " + await page.locator(".jp-Dialog").first.inner_text())
    usage.begin(lesson)
    with step(f"{name}: runs every cell of {lesson}, with no error output"):
        report = await asyncio.wait_for(page.evaluate(RUN_ALL), RUN_TIMEOUT)
        if report["errors"] or report["stderrShown"] or report["run"] != report["code"]:
            raise CheckFailed(json.dumps(report, indent=1))
        say(f"  {name}: {report['run']} of {report['code']} code cells run, 0 errors, 0 stderr outputs")
        if lesson.startswith("00_"):
            say("  " + "\n  ".join(f"{name}: {line}" for line in report["stdout"].splitlines()))
            if "✗" in report["stdout"] or "checks passed" not in report["stdout"]:
                raise CheckFailed("the setup check did not pass on the hub")
    usage.end()


async def learner_session(browser, hub: str, handout_link: str, name: str, password: str, listed_lessons: list[str], lessons: list[str], usage: Usage) -> Learner:
    context = await browser.new_context()
    learner = Learner(name, await context.new_page())
    await context.route("**/*", lambda route: block_outside(route, learner))
    page = learner.page
    with step(f"{name}: opens the handout link, logs in; the hub starts their server, nbgitpuller clones the copies"):
        await page.goto(handout_link)
        await page.fill("#username_input", name)
        await page.fill("#password_input", password)
        await page.click("#login_submit")
        await page.wait_for_url(f"**/user/{name}/lab/tree/{HANDOUT}/{handout.FIRST}", timeout=180_000)
        await page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
        await page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
    with step(f"{name}: the file browser lists the lessons in order"):
        await page.wait_for_selector(f".jp-DirListing-item[title*='{handout.FIRST}']", timeout=30_000)
        listed = await page.locator(".jp-DirListing-item .jp-DirListing-itemText").all_inner_texts()
        listed = [entry for entry in listed if entry.endswith(".ipynb")]
        if listed != listed_lessons:
            raise CheckFailed(f"listed {listed}, expected {listed_lessons}")
    for lesson in lessons:
        await run_lesson(page, name, lesson, usage)
        if lesson != lessons[-1]:
            await asyncio.wait_for(page.evaluate(CLOSE_NOTEBOOK), TIMEOUT)
    with step(f"{name}: serve() in the kernel shows a docs link through the hub"):
        learner.docs_link = (await asyncio.wait_for(page.evaluate(EXECUTE, SERVE_ITEM_STORE), TIMEOUT)).strip()
        expected = f"/user/{name}/proxy/"
        if not (learner.docs_link.startswith(expected) and learner.docs_link.endswith("/docs")):
            raise CheckFailed(f"link {learner.docs_link!r}, expected {expected}<port>/docs")
    with step(f"{name}: {learner.docs_link} renders Swagger UI with no internet"):
        docs = await context.new_page()
        failed: list[str] = []
        docs.on("requestfailed", lambda request: failed.append(request.url))
        await docs.goto(hub + learner.docs_link)
        await docs.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
        title = await docs.locator(".swagger-ui .info .title").inner_text()
        operations = await docs.locator(".swagger-ui .opblock").count()
        outside = [url for url in failed if urlsplit(url).hostname not in LOOPBACK]
        if failed != outside:
            raise CheckFailed(f"requests to the server failed: {sorted(set(failed) - set(outside))}")
        say(f"  {name}: '{title.splitlines()[0]}', {operations} operations; requests to other hosts blocked: {len(outside)}")
        blocked = len(learner.blocked)
        reached = await asyncio.wait_for(docs.evaluate(
            "fetch('https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css').then(() => true, () => false)"), TIMEOUT)
        if reached or len(learner.blocked) != blocked + 1:
            raise CheckFailed("a request to the internet was not blocked: the check proves nothing")
        learner.page = docs
    if NEWS_POPUP in await page.content():
        raise CheckFailed(f"{name}: JupyterLab shows its news pop-up")
    return learner


FETCH = """async ([method, url, body]) => {
  const response = await fetch(url, {method, headers: {'Content-Type': 'application/json'},
                                     body: body && JSON.stringify(body)});
  const text = await response.text();
  return [response.status, text, new URL(response.url).pathname];
}"""


async def fetch(page: Page, request: list) -> list:
    return await asyncio.wait_for(page.evaluate(FETCH, request), TIMEOUT)


async def isolation(learners: list[Learner]) -> None:
    for learner in learners:
        base = learner.docs_link.removesuffix("docs")
        status, body, _ = await fetch(learner.page, ["POST", base + "items/", {"name": f"{learner.name}'s lamp", "price": 10}])
        if status != 201:
            raise CheckFailed(f"{learner.name}: POST /items/ answered {status} {body}")
    for learner in learners:
        base = learner.docs_link.removesuffix("docs")
        status, body, _ = await fetch(learner.page, ["GET", base + "items/", None])
        names = [item["name"] for item in json.loads(body)] if status == 200 else body
        if names != [f"{learner.name}'s lamp"]:
            raise CheckFailed(f"{learner.name} lists {names}")
        say(f"  {learner.name} lists only their own items: {names}")
    for learner, other in zip(learners, reversed(learners)):
        status, body, where = await fetch(learner.page, ["GET", other.docs_link.removesuffix("docs") + "items/", None])
        if status == 200 or other.name in body and "lamp" in body:
            raise CheckFailed(f"{learner.name} could read {other.name}'s server: {status} {body[:200]}")
        say(f"  {learner.name} asking {other.name}'s server through the proxy: HTTP {status} at {where}, refused")


async def laptop(browser) -> None:
    """`make lab`, as a learner on a laptop runs it, opened in the browser; the setup check run."""
    port, token = free_port(), secrets.token_urlsafe(16)
    args = f"--no-browser --ServerApp.port={port} --IdentityProvider.token={token} --LabApp.expose_app_in_browser=True"
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "COURSE_DATABASE_URL")}
    process = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    context = await browser.new_context()
    learner = Learner("laptop", await context.new_page())
    await context.route("**/*", lambda route: block_outside(route, learner))
    try:
        with step("make lab: JupyterLab opens on 127.0.0.1 with the notebooks in order"):
            wait_until(lambda: get(f"http://127.0.0.1:{port}/api/status?token={token}") == 200, 120, "make lab", process)
            await learner.page.goto(f"http://127.0.0.1:{port}/lab?token={token}")
            await learner.page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
            await learner.page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
            listed = [entry for entry in await learner.page.locator(".jp-DirListing-item .jp-DirListing-itemText").all_inner_texts()]
            expected = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
            if listed[: len(expected)] != expected:
                raise CheckFailed(f"listed {listed}, expected {expected} first")
        await run_lesson(learner.page, "laptop", handout.FIRST, Usage("laptop"), folder="")
        if NEWS_POPUP in await learner.page.content():
            raise CheckFailed("make lab: JupyterLab shows its news pop-up")
        await asyncio.wait_for(learner.page.evaluate(CLOSE_NOTEBOOK), TIMEOUT)  # unsaved: notebooks/ stays as committed
        say("✓ make lab: no news pop-up")
    finally:
        await context.close()
        stop(process)


async def rehearse(hub: str, handout_link: str, password: str, chromium: str, listed: list[str], lessons: list[str], usages: list[Usage]) -> None:
    async with async_playwright() as playwright:
        with step("Chromium starts headless"):
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            await laptop(browser)
            learners = await asyncio.gather(
                *(learner_session(browser, hub, handout_link, usage.user, password, listed, lessons, usage) for usage in usages)
            )
            with step("each learner reaches only their own server through the hub"):
                await isolation(list(learners))
        finally:
            await browser.close()


def stop(process: subprocess.Popen, workdir: Path | None = None) -> list[str]:
    """Stop a process started here (the hub stops the learners' servers and its proxy), then
    whatever it started that is still running: its descendants, even in sessions of their own,
    and any process of this run's learners."""
    started = []
    with contextlib.suppress(psutil.Error):
        started = psutil.Process(process.pid).children(recursive=True)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    if workdir is not None:
        for other in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if other.environ().get(MARKER) == str(workdir):
                    started.append(other)
    gone, alive = psutil.wait_procs(started, timeout=10)
    left = []
    for other in alive:
        with contextlib.suppress(psutil.Error):
            left.append(" ".join(other.cmdline())[:120])
            other.kill()
    return left


def image_plan(workdir: Path) -> None:
    """repo2docker's Dockerfile for this repository, and postBuild run as the image would run it."""
    with step("repo2docker plans the image from environment.yml and postBuild (no Docker engine here: not built)"):
        plan = subprocess.run(
            [str(Path(sys.executable).parent / "repo2docker"), "--no-build", "--debug", "--user-name", "jovyan",
             "--user-id", "1000", "--target-repo-dir", IMAGE_REPO_DIR, str(ROOT)], capture_output=True, text=True, timeout=120,
        )
        dockerfile = plan.stdout + plan.stderr
        for needed in ('--file "environment.yml"', "RUN ./postBuild", "ARG REPO_DIR"):  # REPO_DIR is a build argument
            if plan.returncode or needed not in dockerfile:
                raise CheckFailed(f"repo2docker's plan lacks {needed!r} (exit code {plan.returncode}):\n{dockerfile[-2000:]}")
    with step("postBuild installs JupyterLab's settings and writes the student copies"):
        repo, prefix = workdir / "image-repo", workdir / "image-env"
        shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".venv*", ".git", "student", "node_modules", "__pycache__", "build"))
        built = subprocess.run(["./postBuild"], cwd=repo, env={**os.environ, "NB_PYTHON_PREFIX": str(prefix)}, capture_output=True, text=True)
        if built.returncode:
            raise CheckFailed(f"postBuild exited with code {built.returncode}:\n{built.stdout}{built.stderr}")
        settings = prefix / "share/jupyter/lab/settings/overrides.json"
        if settings.read_text() != (ROOT / "jupyter/overrides.json").read_text():
            raise CheckFailed(f"{settings} is not jupyter/overrides.json")
        copies = sorted(path.name for path in (repo / "student").glob("*.ipynb"))
        if copies != sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            raise CheckFailed(f"postBuild's student copies: {copies}")
        shutil.rmtree(repo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv", help="the course's environment")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--lessons", nargs="*", help="the student copies both learners run (default: all, in order)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder, for its logs")
    parser.add_argument("--hub", type=Path, help="another jupyterhub command to run the hub with (default: the venv's)")
    args = parser.parse_args()
    venv = args.venv.resolve()
    workdir = Path(tempfile.mkdtemp(prefix="workshop-check-"))
    ports = {name: free_port() for name in ("hub", "hub_api", "proxy_api")}
    password = secrets.token_urlsafe(16)
    hub = f"http://127.0.0.1:{ports['hub']}"
    hub_command = str(args.hub or venv / "bin" / "jupyterhub")
    log = open(workdir / "jupyterhub.log", "w")
    usages = [Usage(name, str(workdir)) for name in LEARNERS]
    sampler = Sampler(usages)
    process: subprocess.Popen | None = None
    ok = False
    try:
        image_plan(workdir)
        with step(f"the instructor builds the handout repository ({HANDOUT}) and its nbgitpuller link"):
            handout.build(workdir / HANDOUT)
            lessons = sorted(path.name for path in (workdir / HANDOUT).glob("*.ipynb"))
            handout_link = handout.link(hub, str(workdir / HANDOUT))
        (workdir / "jupyterhub_config.py").write_text(hub_config(workdir, venv, ports, password))
        env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "JUPYTER_PATH": str(venv / "share/jupyter")}
        for variable in ("DATABASE_URL", "COURSE_DATABASE_URL", *HUB_VARIABLES):
            env.pop(variable, None)
        process = subprocess.Popen(
            [hub_command, "-f", str(workdir / "jupyterhub_config.py")],
            cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        with step(f"JupyterHub {hub_version(hub_command)} and its proxy start on 127.0.0.1, learners: {', '.join(LEARNERS)}"):
            wait_until(lambda: get(f"{hub}/hub/api") == 200, 60, "the hub's API", process)
        sampler.start()
        asyncio.run(rehearse(hub, handout_link, password, args.chromium, lessons, args.lessons or lessons, usages))
        ok = True
    except Exception as error:
        if not getattr(error, "reported", False):
            say(f"✗ {error}" if isinstance(error, CheckFailed) else f"✗ {type(error).__name__}: {error}")
    finally:
        sampler.done.set()
        if sampler.is_alive():
            sampler.join()
        with step("everything started is stopped"):
            left = stop(process, workdir) if process is not None else []
            if left:
                say(f"  had to kill: {left}")
        log.close()
        if not ok or args.keep:
            print(f"The hub's log: {workdir / 'jupyterhub.log'}")
            print("".join((workdir / "jupyterhub.log").read_text().splitlines(keepends=True)[-40:]))
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if not ok:
        print("workshop-check FAILED")
        return 1
    print_usage(usages)
    print(f"workshop-check passed in {time.monotonic() - STARTED:.0f} s: {len(LEARNERS)} learners, no error output, "
          "Swagger UI rendered offline through the hub, each learner's server refused to the other.")
    return 0


def print_usage(usages: list[Usage]) -> None:
    """Per lesson, each learner's peak memory and CPU while its cells ran as fast as they can."""
    if not any(usage.peak for usage in usages):
        print("\nNo memory or CPU samples were taken.")
        return
    print("\nPer learner and lesson, all cells run at once (Run All), servers running:")
    print("  peak: the learner's processes at their largest (MiB); idle: the lesson's kernel once its cells")
    print("  have run, as a kernel left open keeps it (MiB); CPU: seconds used; run: seconds Run All took")
    print(f"  {'lesson':<40} " + "  ".join(f"{u.user + ' peak':>10} {'idle':>5} {'CPU':>5} {'run':>5}" for u in usages))
    for lesson in usages[0].peak:
        cells = []
        for usage in usages:
            cells.append(f"{usage.peak.get(lesson, 0) / 2**20:>10.0f} {usage.idle.get(lesson, 0) / 2**20:>5.0f} "
                         f"{usage.cpu.get(lesson, 0.0):>5.1f} {usage.seconds.get(lesson, 0.0):>5.1f}")
        print(f"  {lesson:<40} " + "  ".join(cells))
    heaviest = max(usages[0].peak, key=lambda lesson: max(u.peak.get(lesson, 0) for u in usages))
    peak = max(u.peak.get(heaviest, 0) for u in usages) / 2**20
    print(f"  heaviest: {heaviest}, {peak:.0f} MiB for one learner (PSS: a page shared by n processes counts 1/n to each)")


def hub_version(command: str) -> str:
    return subprocess.run([command, "--version"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
