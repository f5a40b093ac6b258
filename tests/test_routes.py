"""keep_latest_routes: the last definition of a path and method wins."""

from fastapi import APIRouter, FastAPI

from lessons_support.routes import keep_latest_routes


def paths(app: FastAPI) -> list[str]:
    return [f"{sorted(r.methods or [''])[0]} {r.path}" for r in app.routes if hasattr(r, "path") and "openapi" not in r.path and "docs" not in r.path and "redoc" not in r.path]


def test_a_redefined_route_replaces_the_earlier_one_in_place_of_the_last():
    app = FastAPI()
    app.get("/a")(lambda: 1)
    app.get("/b")(lambda: 2)
    app.get("/a")(lambda: 3)
    assert keep_latest_routes(app) == 1
    assert paths(app) == ["GET /b", "GET /a"]
    assert app.routes[-1].endpoint() == 3


def test_other_methods_on_the_same_path_are_kept():
    app = FastAPI()
    app.get("/items")(lambda: 1)
    app.post("/items")(lambda: 2)
    assert keep_latest_routes(app) == 0
    assert paths(app) == ["GET /items", "POST /items"]


def test_a_re_included_router_does_not_duplicate_its_routes():
    app, router = FastAPI(), APIRouter()
    router.get("/r")(lambda: 1)
    app.include_router(router)
    app.include_router(router)
    assert keep_latest_routes(app) == 1
    assert len([r for r in app.routes if getattr(r, "original_router", None) is router]) == 1
    assert list(app.openapi()["paths"]) == ["/r"]


def test_the_cached_openapi_schema_is_forgotten_when_routes_change():
    app = FastAPI()
    app.get("/a")(lambda: 1)
    app.openapi()
    app.get("/a")(lambda: 2)
    keep_latest_routes(app)
    assert app.openapi_schema is None


def test_a_route_redefined_inside_an_included_router_is_replaced():
    app, router = FastAPI(), APIRouter()
    router.get("/r")(lambda: 1)
    app.include_router(router)
    router.get("/r")(lambda: 2)
    assert keep_latest_routes(app) == 1
    assert [route.endpoint() for route in router.routes] == [2]
