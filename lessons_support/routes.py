"""Make the last definition of a route win, as a learner expects when re-running a cell.

Starlette tries routes in the order they were added and FastAPI appends a route each time a
decorator runs, so after a learner edits `@app.get("/hello")` and re-runs the cell, the app holds
two `/hello` routes and keeps answering with the first, old one. `keep_latest_routes` drops every
route that a later one with the same path and methods replaces.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute


def route_key(route: BaseRoute) -> tuple[Any, ...] | None:
    """What makes two routes the same endpoint, or None for routes never replaced."""
    if isinstance(route, Route):
        return ("http", route.path, frozenset(route.methods or ()))
    if isinstance(route, WebSocketRoute):
        return ("websocket", route.path)
    if isinstance(route, Mount):
        return ("mount", route.path)
    return None


def latest_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The routes, with every one that a later route replaces left out, order kept."""
    seen: set[tuple[Any, ...]] = set()
    kept: list[BaseRoute] = []
    for route in reversed(routes):
        key = route_key(route)
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        kept.append(route)
    kept.reverse()
    return kept


def keep_latest_routes(app: Any) -> int:
    """Remove the routes of `app` that a later definition replaces; return how many went.

    It also forgets the cached OpenAPI schema, so `/openapi.json` and `/docs` show the new code.
    """
    routes = app.router.routes
    kept = latest_routes(routes)
    removed = len(routes) - len(kept)
    if removed:
        routes[:] = kept
        if hasattr(app, "openapi_schema"):
            app.openapi_schema = None
    return removed


class LatestRoutes:
    """An ASGI wrapper that applies `keep_latest_routes` whenever the app's routes change."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._count = -1

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        routes = self.app.router.routes
        if len(routes) != self._count:
            keep_latest_routes(self.app)
            if hasattr(self.app, "openapi_schema"):
                self.app.openapi_schema = None
            self._count = len(routes)
        await self.app(scope, receive, send)
