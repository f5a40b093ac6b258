"""The rate limiter on its own: a sliding window per key, and a table that does not grow forever."""

import time

import pytest

from item_store.ratelimit import RateLimited, RateLimiter


def test_past_the_limit_a_key_is_told_how_long_to_wait():
    limiter = RateLimiter()
    for _ in range(2):
        limiter.hit("1.2.3.4", limit=2, window=60)
    with pytest.raises(RateLimited) as refused:
        limiter.hit("1.2.3.4", limit=2, window=60)
    assert refused.value.retry_after == 60
    limiter.hit("5.6.7.8", limit=2, window=60)  # another key is not held back


def test_hits_older_than_the_window_no_longer_count():
    limiter = RateLimiter()
    limiter.hit("1.2.3.4", limit=1, window=0.05)
    time.sleep(0.06)
    limiter.hit("1.2.3.4", limit=1, window=0.05)


def test_keys_whose_hits_expired_are_swept_once_the_table_doubles():
    limiter = RateLimiter(sweep_above=10)
    for n in range(11):
        limiter.hit(f"10.0.0.{n}", limit=5, window=0.05)
    time.sleep(0.06)
    limiter.hit("one more", limit=5, window=0.05)
    assert len(limiter) == 1
