"""Run a FastAPI app with a real uvicorn server in a background thread of the kernel.

    server = serve(app)                 # returns once the server accepts connections
    httpx.get(server.url + "/items/42")
    server.stop()                       # runs the lifespan shutdown and ends the thread

`serve` binds to 127.0.0.1 only, on a free port that the OS chooses. Starting a server under a
name that is already running stops the old one first, so re-running a cell never leaks a
server. `stop_all()` belongs in a notebook's last cell.

Two things a server started here does that `uvicorn module:app` does not, both for the learner's
browser: `/docs` and `/redoc` render with no internet (offline_docs.py), and on JupyterHub or
Binder the requests that come through jupyter-server-proxy get its prefix as root path, so that
`server.docs_link` opens from the browser (hub.py); the kernel's own requests are unchanged.
Displaying the server (a cell ending with `server`) shows its links.
"""

from __future__ import annotations

import asyncio
import html
import re
import threading
import time
from typing import Any

import uvicorn

from lessons_support import hub
from lessons_support.logs import LogBuffer, capture_into
from lessons_support.offline_docs import OfflineDocs
from lessons_support.prompt_server import PromptServer
from lessons_support.routes import LatestRoutes
from lessons_support.waiting import wait_for

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
# stop() returns within STOP_TIMEOUT: open connections and running requests get GRACEFUL_SHUTDOWN
# seconds (uvicorn then cancels them and runs the lifespan shutdown), and FORCE_GRACE more once the
# server is forced to stop.
STOP_TIMEOUT = 5.0
GRACEFUL_SHUTDOWN = 2.0
FORCE_GRACE = 1.0
CLIENT_PORT = re.compile(r"(127\.0\.0\.1):\d+")


class ServerStartError(RuntimeError):
    """The app could not start: the message says why, with the server's own log."""


class ServerStopError(RuntimeError):
    """A server's thread is still running after stop(): `stop_all()` will try it again."""


class LiveServer:
    """One uvicorn server running an app in a daemon thread."""

    def __init__(self, app: Any, name: str = "app", port: int = 0, root_path: str = "") -> None:
        self.app = app
        self.name = name
        self.logs = LogBuffer()
        self._root_path_given = bool(root_path)
        config = uvicorn.Config(
            hub.ProxyPrefix(OfflineDocs(LatestRoutes(app))),
            host=HOST,
            port=port,
            root_path=root_path,
            log_config=None,
            lifespan="on",
            ws="websockets-sansio",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        )
        self._server = PromptServer(config)
        self._thread = threading.Thread(target=self._run, name=f"uvicorn-{name}", daemon=True)
        self.port = 0
        self._errors_printed = 0

    def _run(self) -> None:
        capture_into(self.logs)
        try:
            self._server.run()
        except SystemExit:  # uvicorn exits when it cannot start; the log says why
            pass
        except asyncio.CancelledError:  # force_stop() cancelled it
            pass

    @property
    def url(self) -> str:
        """The base URL, for example http://127.0.0.1:54321."""
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and self._server.started

    def start(self, timeout: float = START_TIMEOUT) -> LiveServer:
        """Start the thread; return once the server accepts connections, or raise ServerStartError."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise ServerStartError(self._failure("the server stopped while starting"))
            if time.monotonic() > deadline:
                self._server.force_stop()
                self._thread.join(FORCE_GRACE)
                still = " Its thread is still running (its start-up code blocks)." if self._thread.is_alive() else ""
                raise ServerStartError(self._failure(f"the server did not start within {timeout:g} s.{still}"))
            time.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def link(self, path: str = "/") -> str:
        """The address the learner's browser opens for `path`: on a hub, through its proxy, unless
        the server was given a root path of its own (then the plain address, as off a hub)."""
        if self._root_path_given:
            return f"{self.url}{path}"
        return hub.browser_url(self.port, path)

    @property
    def docs_link(self) -> str:
        """The browser's address of the app's Swagger UI (`/docs` unless the app moved it), or ""
        for an app without one (`FastAPI(docs_url=None)`)."""
        docs_url = getattr(self.app, "docs_url", "/docs")
        return self.link(docs_url) if docs_url and getattr(self.app, "openapi_url", "/openapi.json") else ""

    def _failure(self, what: str) -> str:
        errors = [line for line in self.logs.lines() if line.level in ("ERROR", "CRITICAL")]
        detail = "\n".join(str(line) for line in errors) or "(the server logged no error)"
        return f"Server {self.name!r} could not start: {what}.\n{detail}"

    def stop(self, timeout: float | None = None) -> None:
        """Ask the server to exit, run the lifespan shutdown, and wait for the thread to end.

        Requests still running get GRACEFUL_SHUTDOWN seconds; FORCE_GRACE seconds before `timeout`
        (STOP_TIMEOUT unless given), the server is forced to stop. If its thread still runs after
        `timeout` (an `async def` endpoint that blocks the event loop), this raises
        ServerStopError and the server stays in the registry, so that `stop_all()` can try again.
        """
        timeout = STOP_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        if self._thread.is_alive():
            self._server.ask_to_exit()
            self._thread.join(max(0.0, timeout - FORCE_GRACE))
        if self._thread.is_alive():
            self._server.force_stop(cancel_after=FORCE_GRACE / 2)
            self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread.is_alive():
            raise ServerStopError(
                f"Server {self.name!r} is still running {timeout:g} s after it was asked to stop: "
                "something blocks its event loop (an `async def` endpoint that calls blocking code, "
                "such as time.sleep, without awaiting?). Its port may still answer. "
                "Fix the code, then run stop_all() again, or restart the kernel."
            )
        if _running.get(self.name) is self:
            del _running[self.name]

    def errors(self) -> list[str]:
        """The tracebacks the server logged, oldest first: a 500's cause is here."""
        return [line.traceback for line in self.logs.lines() if line.traceback]

    def print_logs(self, last: int | None = None) -> None:
        """Print the server's log lines, or the `last` few, on purpose, in this cell.

        Ports are shown as `<port>`: a client's port is new on every run.
        """
        lines = self.logs.lines()
        for line in lines[-last:] if last else lines:
            print(CLIENT_PORT.sub(r"\1:<port>", str(line)))

    def print_last_error(self, short: bool = False, timeout: float = 5.0) -> None:
        """Print the newest traceback the server logged, waiting for it if need be.

        uvicorn logs a 500's traceback just after it has sent the response, so this waits up to
        `timeout` seconds for an error not printed before. `short=True` prints only the
        exception's own lines (its type and message), without the file paths of the frames.
        """
        try:
            wait_for(lambda: len(self.errors()) > self._errors_printed, timeout)
        except TimeoutError:
            print("The server has logged no new error.")
            return
        errors = self.errors()
        self._errors_printed = len(errors)
        print(exception_lines(errors[-1]) if short else errors[-1])

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        if not self.running:
            return f"<LiveServer {self.name!r} stopped>"
        docs = f" · docs: {self.docs_link}" if self.docs_link else ""
        return f"<LiveServer {self.name!r} running: {self.link()}{docs}>"

    def _repr_html_(self) -> str:
        if not self.running:
            return html.escape(repr(self))
        links = [f'<a href="{html.escape(url)}" target="_blank">{html.escape(url)}</a>' for url in (self.link(), self.docs_link) if url]
        return f"LiveServer {html.escape(repr(self.name))} running: {' · docs: '.join(links)}"


def exception_lines(trace: str) -> str:
    """The exception's own lines at the end of a traceback: from its `Type: message` line to the
    first blank line, so a multi-line message stays whole and no frame's file path is kept."""
    lines = trace.splitlines()
    start = max(
        (i for i, line in enumerate(lines) if line[:1].strip() and not line.startswith("Traceback")),
        default=0,
    )
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


_running: dict[str, LiveServer] = {}


def serve(app: Any, name: str = "app", port: int = 0, root_path: str = "") -> LiveServer:
    """Serve `app` on 127.0.0.1 in a background thread and return the running server.

    A server already running under `name` is stopped first. `port=0` lets the OS choose a free
    port; the server's `url` says which.
    """
    if not hasattr(app, "router"):
        raise TypeError(f"serve() takes a FastAPI (or Starlette) app object, not {type(app).__name__} {app!r:.60}")
    old = _running.get(name)
    if old is not None:
        old.stop()
    server = LiveServer(app, name=name, port=port, root_path=root_path)
    server.start()
    _running[name] = server
    return server


def running_servers() -> list[LiveServer]:
    return list(_running.values())


def stop_all() -> None:
    """Stop every server that `serve` started; the last cell of each notebook calls it.

    All of them are asked to exit first, so that they shut down at the same time. A server that
    will not stop does not keep the others running: they are stopped, then one ServerStopError
    names every server still running.
    """
    servers = list(_running.values())
    for server in servers:
        server._server.ask_to_exit()
    failures = []
    for server in servers:
        try:
            server.stop()
        except ServerStopError as error:
            failures.append(str(error))
    if failures:
        raise ServerStopError("\n".join(failures))
