"""A real uvicorn server in a thread, for the tests that need one."""

import threading
import time

import uvicorn
from fastapi import FastAPI


class LiveServer:
    """The app served by a real uvicorn in a thread, on 127.0.0.1 and a port the OS chooses: for
    what only a real server shows (a stream read as it arrives, uvicorn's own log lines)."""

    def __init__(self, app: FastAPI) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
