"""Run the Dockerfile's command for real, as the container runs it, and check that it serves.

Images cannot be built on the course's machines, so CI does what the image would do, in a virtual
environment made from the image's own lock (item_store/requirements.txt):

1. lays out the image's /app in a temporary folder: item_store/ without what .dockerignore
   leaves out (the tests);
2. migrates a SQLite file there with `alembic -c item_store/alembic.ini upgrade head`, the
   deploy step the README gives, in the image's environment (production, no signing key);
3. runs the Dockerfile's CMD with its ENV, except: DATABASE_URL names that file, JWT_SECRET_KEY
   is drawn at random, DEMO_USER=true (so that the check can log in), and `--host 127.0.0.1
   --port <free port>` is appended (the last value given wins), so that nothing listens beyond
   this machine and no fixed port clashes;
4. waits for /health to answer 200, then for both workers to finish starting, logs in, and sends the
   token on new connections until both workers have accepted it (each logs its process id): a
   token one worker signed must be good at the other, so they must share one key;
5. sends SIGTERM, as `docker stop` does, and checks that every process exits within the
   deadline with code 0.

    python item_store/scripts/run_image_command.py --bin-dir .venv-item-store/bin

Only the standard library: it runs with any Python, the image environment's own included.
"""

import argparse
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
DOCKERFILE = PACKAGE / "Dockerfile"
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
MAX_REQUESTS = 200


# The line a worker logs for an accepted /users/me, in item_store/logs.py's format: its process id.
ACCEPTED_BY = re.compile(r"INFO (\d+) \[[0-9a-f]{32}\] item_store\.requests: ← 200 GET /users/me")


class CheckFailed(Exception):
    pass


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")))
    found = []
    for line in joined.splitlines():
        if line.strip():
            name, _, arguments = line.strip().partition(" ")
            found.append((name.upper(), arguments.strip()))
    return found


def image_command(dockerfile: str) -> list[str]:
    """The last CMD, which must be in exec form (a JSON array): a shell would not pass SIGTERM on."""
    [*_, cmd] = [arguments for name, arguments in instructions(dockerfile) if name == "CMD"]
    command = json.loads(cmd)
    if not (isinstance(command, list) and all(isinstance(part, str) for part in command)):
        raise CheckFailed(f"CMD is not in exec form: {cmd}")
    return command


def image_environment(dockerfile: str) -> dict[str, str]:
    """The variables the ENV instructions set (KEY=value form)."""
    environment = {}
    for name, arguments in instructions(dockerfile):
        if name == "ENV":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                environment[key] = value
    return environment


def lay_out_app(folder: Path) -> Path:
    """The image's /app: a copy of item_store/ without what .dockerignore leaves out."""
    ignored = [line for line in (PACKAGE / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    names = {pattern.strip("/").removeprefix("**/").rstrip("/") for pattern in ignored}
    shutil.copytree(PACKAGE, folder / "item_store", ignore=shutil.ignore_patterns(*names))
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def request(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers or {}), timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def wait_for_health(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailed(f"the server exited with code {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if request(url + "/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise CheckFailed(f"no 200 from /health within {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def run(bin_dir: Path | None, print_log: bool = False) -> list[str]:
    """Steps 1 to 5; the lines to print. Raises CheckFailed."""
    dockerfile = DOCKERFILE.read_text()
    command = image_command(dockerfile) + ["--host", HOST, "--port", str(port := free_port())]
    said = [f"image command: {shlex.join(image_command(dockerfile))}", f"run here as:   {shlex.join(command)}"]
    path = f"{bin_dir.resolve()}{os.pathsep}{os.environ['PATH']}" if bin_dir else os.environ["PATH"]
    with tempfile.TemporaryDirectory(prefix="item-store-image-") as folder:
        app_dir = lay_out_app(Path(folder))
        environment = {
            **{key: os.environ[key] for key in ("HOME", "LANG", "TMPDIR") if key in os.environ},
            **image_environment(dockerfile),
            "PATH": path,
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'items.db'}",
            "JWT_SECRET_KEY": secrets.token_urlsafe(32),
            "DEMO_USER": "true",
        }
        # As the README runs it: the image's environment, without the signing key the app needs.
        migration_environment = {key: value for key, value in environment.items() if key != "JWT_SECRET_KEY"}
        migrate = subprocess.run(
            ["alembic", "-c", "item_store/alembic.ini", "upgrade", "head"], cwd=app_dir, env=migration_environment, capture_output=True, text=True
        )
        if migrate.returncode != 0:
            raise CheckFailed(f"alembic upgrade head failed:\n{migrate.stderr[-3000:]}")
        said.append("migrations:    alembic -c item_store/alembic.ini upgrade head: done")
        log = Path(folder) / "server.log"
        with log.open("w") as output:
            process = subprocess.Popen(command, cwd=app_dir, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            said += serve_and_stop(f"http://{HOST}:{port}", process, log)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            if print_log:
                print(log.read_text())
    return said


def started_workers(log: Path) -> int:
    """Workers whose application startup completed, by their process id."""
    return len(set(re.findall(r"INFO (\d+) \[-\] uvicorn\.error: Application startup complete", log.read_text())))


def serve_and_stop(url: str, process: subprocess.Popen, log: Path, expected: int = 2) -> list[str]:
    started = time.monotonic()
    wait_for_health(url, process, log)
    said = [f"/health:       200 {request(url + '/health')[1]} after {time.monotonic() - started:.1f} s"]
    # /health answers as soon as one worker is up; the other may still be starting.
    deadline = time.monotonic() + START_TIMEOUT
    while (workers := started_workers(log)) < expected and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    if workers != expected:
        raise CheckFailed(f"expected {expected} workers, uvicorn started {workers}:\n{log.read_text()[-3000:]}")
    status, token = request(url + "/token", {"username": "alice", "password": "wonderland"})
    if status != 200:
        raise CheckFailed(f"login answered {status}")
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    for sent in range(1, MAX_REQUESTS + 1):  # noqa: B007 (`sent` is reported after the loop)
        if (status := request(url + "/users/me", headers=bearer)[0]) != 200:
            raise CheckFailed(f"a worker refused the token: {status}")
        if len(set(ACCEPTED_BY.findall(log.read_text()))) == workers:
            break
    else:
        raise CheckFailed(f"only one worker answered {MAX_REQUESTS} connections:\n{log.read_text()[-3000:]}")
    said.append(f"workers:       {workers}; both accepted the one token ({sent} new connections)")
    said.append("logs:          each request's lines carry its id and its worker's process id")
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"still running {STOP_TIMEOUT:.0f} s after SIGTERM:\n{log.read_text()[-3000:]}") from None
    stopped = len(re.findall(r"Finished server process", log.read_text()))
    if code != 0 or stopped != 2:
        raise CheckFailed(f"after SIGTERM: exit code {code}, {stopped} workers finished:\n{log.read_text()[-3000:]}")
    said.append(f"stop:          SIGTERM, exit code 0, {stopped} workers finished")
    return said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin-dir", type=Path, help="where fastapi and alembic are (the image environment's bin/); default: PATH")
    parser.add_argument("--print-log", action="store_true", help="print what the server wrote")
    args = parser.parse_args(argv)
    try:
        said = run(args.bin_dir, args.print_log)
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    print("\n".join(said))
    print("The image's command serves: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
