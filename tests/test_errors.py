"""expect_error: prints the expected exception in one line; fails when it does not come."""

import pytest

from lessons_support.errors import expect_error


def test_the_expected_exception_is_printed_and_swallowed(capsys):
    with expect_error(KeyError, ValueError):
        raise ValueError("bad price")
    assert capsys.readouterr().out == "ValueError: bad price\n"


def test_nothing_raised_fails():
    with pytest.raises(AssertionError, match="expected RuntimeError, but nothing was raised"):
        with expect_error(RuntimeError):
            pass


def test_another_exception_passes_through():
    with pytest.raises(TypeError):
        with expect_error(ValueError):
            raise TypeError("not this one")
