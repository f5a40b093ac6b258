"""Wait for something that happens just after a response: no fixed sleep, and a deadline.

    wait_for(server.errors)                  # uvicorn logs a 500's traceback after sending it
    wait_for(lambda: "closed" in events)     # a yield dependency's cleanup runs after the response
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_for(condition: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
    """Call `condition` until it returns something true, and return that; TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"still waiting after {timeout:g} s: the condition did not come true")
        time.sleep(interval)
