"""wait_for: returns what came true, or fails with TimeoutError at its deadline."""

import time

import pytest

from lessons_support.waiting import wait_for


def test_returns_the_first_true_value():
    calls = []

    def third_time():
        calls.append(1)
        return len(calls) == 3 and "ready"

    assert wait_for(third_time, timeout=2) == "ready"
    assert len(calls) == 3


def test_times_out_with_a_clear_error():
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="still waiting after 0.1 s"):
        wait_for(lambda: False, timeout=0.1)
    assert time.monotonic() - started < 1
