"""Make the last definition of a route win, as a learner expects when re-running a cell.

This is course plumbing, not FastAPI's behaviour. Starlette tries routes in the order they were
added and FastAPI appends a route each time a decorator runs, so after a learner edits
`@app.get("/hello")` and re-runs the cell, the app holds two `/hello` routes and keeps answering
with the first, old one. Likewise, a notebook that starts from a checkpoint's app and defines
`@app.get("/items/")` again would keep answering from the checkpoint's router. `keep_latest_routes`
drops every route that a later one with the same path and methods replaces: in place within a
router, and, for a route of an included router that the app's own routes replace, in a copy of
that router, so that the checkpoint's router, which other apps share, is never changed.
"""

from __future__ import annotations

import copy
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
    included = getattr(route, "original_router", None)
    if included is not None:  # FastAPI's record of an include_router call
        context = getattr(route, "include_context", None)
        return ("include", id(included), getattr(context, "prefix", ""))
    return None


def _routers(router: Any) -> list[Any]:
    """`router` and every router it includes, each once."""
    found, todo = [], [router]
    while todo:
        current = todo.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        todo.extend(r.original_router for r in current.routes if getattr(r, "original_router", None) is not None)
    return found


def route_count(app: Any) -> int:
    """How many routes the app and its included routers hold: it grows when a cell adds one."""
    return sum(len(router.routes) for router in _routers(app.router))


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


def _mark_changed(router: Any) -> None:
    if hasattr(router, "_mark_routes_changed"):  # FastAPI caches included routes by version
        router._mark_routes_changed()


def _prefixed_key(route: BaseRoute, prefix: str) -> tuple[Any, ...] | None:
    key = route_key(route)
    if key is None or key[0] == "include" or not prefix:
        return key
    return (key[0], prefix + key[1], *key[2:])


def _drop_shadowed_included_routes(router: Any) -> int:
    """Drop the routes of included routers that a later route of `router` itself replaces.

    The included router is not changed: its include record gets a copy without those routes.
    """
    removed = 0
    later: set[tuple[Any, ...]] = set()
    for index in reversed(range(len(router.routes))):
        route = router.routes[index]
        included = getattr(route, "original_router", None)
        if included is None:
            if (key := route_key(route)) is not None:
                later.add(key)
            continue
        prefix = getattr(getattr(route, "include_context", None), "prefix", "") or ""
        shadowed = [r for r in included.routes if _prefixed_key(r, prefix) in later]
        if shadowed:
            trimmed = copy.copy(included)
            trimmed.routes = [r for r in included.routes if all(r is not s for s in shadowed)]
            router.routes[index] = type(route)(original_router=trimmed, include_context=route.include_context)
            removed += len(shadowed)
        later.update(k for r in included.routes if (k := _prefixed_key(r, prefix)) is not None)
    if removed:
        _mark_changed(router)
    return removed


def keep_latest_routes(app: Any) -> int:
    """Remove the routes of `app` that a later definition replaces; return how many went.

    It also forgets the cached OpenAPI schema, so `/openapi.json` and `/docs` show the new code.
    """
    removed = 0
    for router in _routers(app.router):
        routes = router.routes
        kept = latest_routes(routes)
        if len(kept) < len(routes):
            removed += len(routes) - len(kept)
            routes[:] = kept
            _mark_changed(router)
    removed += _drop_shadowed_included_routes(app.router)
    if removed and hasattr(app, "openapi_schema"):
        app.openapi_schema = None
    return removed


class LatestRoutes:
    """An ASGI wrapper that applies `keep_latest_routes` whenever the app's routes change."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._count = -1

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if route_count(self.app) != self._count:
            keep_latest_routes(self.app)
            if hasattr(self.app, "openapi_schema"):
                self.app.openapi_schema = None
            self._count = route_count(self.app)
        await self.app(scope, receive, send)
