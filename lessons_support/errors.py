"""Show an exception that a lesson raises on purpose, as one readable line.

    with expect_error(RuntimeError):
        app.add_middleware(GZipMiddleware)

prints `RuntimeError: Cannot add middleware after an application has started` and carries on.
If nothing is raised, or another kind of exception is, the cell fails, as a test would. Unlike a
cell tagged to raise, the stored output holds no traceback, so no file path of this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def expect_error(*kinds: type[BaseException]) -> Iterator[None]:
    kinds = kinds or (Exception,)
    try:
        yield
    except kinds as error:
        print(f"{type(error).__name__}: {error}")
    else:
        names = " or ".join(kind.__name__ for kind in kinds)
        raise AssertionError(f"expected {names}, but nothing was raised")
