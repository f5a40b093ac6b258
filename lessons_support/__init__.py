"""Small helpers the course notebooks import. Nothing runs at import time."""

from lessons_support.checkpoint import compare_with_checkpoint
from lessons_support.checks import check_exercise
from lessons_support.display import show, show_errors
from lessons_support.errors import expect_error
from lessons_support.exercises import check
from lessons_support.tracking import progress
from lessons_support.routes import keep_latest_routes
from lessons_support.server import LiveServer, ServerStartError, ServerStopError, serve, stop_all
from lessons_support.waiting import wait_for

__all__ = [
    "LiveServer",
    "ServerStartError",
    "ServerStopError",
    "check",
    "check_exercise",
    "compare_with_checkpoint",
    "expect_error",
    "keep_latest_routes",
    "progress",
    "serve",
    "show",
    "show_errors",
    "stop_all",
    "wait_for",
]
