"""A rate limit that knows nothing of HTTP: `RateLimiter.hit` raises `RateLimited`, and the app's
exception handler (errors.py) turns that into 429 with Retry-After.

The count lives in this process: replicas (or `--workers`) each keep their own and would share
one through a store such as Redis. Behind a proxy every client has the proxy's address unless
the server trusts it with the real one (`--forwarded-allow-ips`, see the README).
"""

import math
import time
from collections import deque


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests")
        self.retry_after = retry_after


class RateLimiter:
    """At most `limit` hits per key in any `window` seconds: a sliding log of each key's recent
    hits. Used from async code only, on the event loop's thread, so it needs no lock. Keys whose
    hits have all expired are swept once the table has doubled since the last sweep, so a flood of
    addresses costs memory in proportion to those still active, and each sweep is paid for by as
    many hits as it scans."""

    def __init__(self, sweep_above: int = 10_000) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._sweep_at = self._sweep_above = sweep_above

    def hit(self, key: str, limit: int, window: float) -> None:
        """Count a hit for `key`, or raise RateLimited if it had `limit` in the last `window` s."""
        now = time.monotonic()
        if len(self._hits) > self._sweep_at:
            self._hits = {k: hits for k, hits in self._hits.items() if now - hits[-1] < window}
            self._sweep_at = max(self._sweep_above, 2 * len(self._hits))
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= window:
            hits.popleft()
        if len(hits) >= limit:
            raise RateLimited(retry_after=math.ceil(window - (now - hits[0])))
        hits.append(now)

    def __len__(self) -> int:
        return len(self._hits)
