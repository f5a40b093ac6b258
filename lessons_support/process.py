"""Run the real `uvicorn` command as a child process, the way a terminal would.

    process = UvicornProcess("main:app", "--reload", cwd=project, log_path=folder / "uvicorn.log")
    show(process.get("/"))                  # waits until the server answers
    print("\n".join(process.new_log_lines()))
    process.stop()                          # SIGTERM, like Ctrl+C; returns the exit code

It runs `python -m uvicorn ARGS --host 127.0.0.1 --port 0` with this environment's Python: the
system picks a free port and the URL is read from uvicorn's `Uvicorn running on` line, so no
port can be taken between choosing and binding it. The output goes to `log_path`, never into a
cell, and log lines are shown with process ids, ports and quoted folders masked. The process is
stopped at interpreter exit too, so a failing cell cannot leak it.
"""

from __future__ import annotations

import atexit
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

RUNNING_ON = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")
ACCESS_LINE = re.compile(r'" \d{3}')


def mask(line: str) -> str:
    """A log line without what changes from run to run: folders, process ids, ports."""
    line = re.sub(r"'/[^']*'", "'<project folder>'", line)
    line = re.sub(r"\[\d+\]", "[PID]", line)
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line)


class UvicornProcess:
    """`python -m uvicorn ARGS --host 127.0.0.1 --port 0`, run in `cwd`, its output in `log_path`."""

    def __init__(self, *args: str, cwd: Path, log_path: Path, timeout: float = 30.0) -> None:
        self.log_path = log_path
        self.lines_read = 0
        command = [sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", "0"]
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        try:
            self.url: str = self.poll(self._address, timeout)
        except BaseException:
            self.stop()
            raise

    def _address(self) -> str | None:
        match = RUNNING_ON.search(self.log_path.read_text())
        return match[1] if match else None

    def poll(self, attempt: Callable[[], Any], timeout: float) -> Any:
        """Call `attempt` every 50 ms until it returns something, for at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                last = mask((self.log_path.read_text().strip().splitlines() or ["(no output)"])[-1])
                raise RuntimeError(f"uvicorn exited with code {self.process.returncode}: {last}")
            result = attempt()
            if result:
                return result
            time.sleep(0.05)
        raise TimeoutError(f"uvicorn gave no answer within {timeout:g} s")

    def get(self, path: str, ready: Callable[[httpx.Response], bool] = lambda r: True, timeout: float = 30.0) -> httpx.Response:
        """GET `path`, again every 50 ms, until the server answers and the answer is `ready`."""

        def attempt() -> httpx.Response | None:
            try:
                response = httpx.get(self.url + path, timeout=5)
            except httpx.TransportError:
                return None
            return response if ready(response) else None

        return self.poll(attempt, timeout)

    def new_log_lines(self) -> list[str]:
        """Complete log lines not read yet, masked, without the one-per-request access lines."""
        text = self.log_path.read_text()
        lines = text[: text.rfind("\n") + 1].splitlines()
        new, self.lines_read = lines[self.lines_read :], len(lines)
        return [mask(line) for line in new if not ACCESS_LINE.search(line)]

    def stop(self) -> int:
        """Ask the process to stop (SIGTERM, like Ctrl+C), wait, and return its exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        atexit.unregister(self.stop)
        return self.process.returncode
