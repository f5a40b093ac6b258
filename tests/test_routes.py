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


def test_an_app_route_replaces_the_same_route_of_an_included_router_without_changing_that_router():
    shared = APIRouter()
    shared.get("/items/")(lambda: "checkpoint")
    shared.get("/other")(lambda: "kept")
    app, other_app = FastAPI(), FastAPI()
    app.include_router(shared)
    other_app.include_router(shared)
    app.get("/items/")(lambda: "notebook")
    assert keep_latest_routes(app) == 1
    assert [route.endpoint() for route in shared.routes] == ["checkpoint", "kept"]
    assert list(app.openapi()["paths"]) == ["/other", "/items/"]
    assert list(other_app.openapi()["paths"]) == ["/items/", "/other"]


def test_a_served_app_answers_with_its_own_route_not_the_included_one():
    import httpx

    from lessons_support.server import serve

    shared = APIRouter()
    shared.get("/items/")(lambda: "checkpoint")
    app = FastAPI()
    app.include_router(shared)
    with serve(app, name="routes-test") as server:
        assert httpx.get(server.url + "/items/").json() == "checkpoint"
        app.get("/items/")(lambda: "notebook")
        assert httpx.get(server.url + "/items/").json() == "notebook"
    assert [route.endpoint() for route in shared.routes] == ["checkpoint"]


def test_prefixes_are_respected_when_an_app_route_replaces_an_included_one():
    shared = APIRouter()
    shared.get("/a")(lambda: 1)
    app = FastAPI()
    app.include_router(shared, prefix="/v1")
    app.get("/a")(lambda: 2)
    assert keep_latest_routes(app) == 0
    app.get("/v1/a")(lambda: 3)
    assert keep_latest_routes(app) == 1
    assert list(app.openapi()["paths"]) == ["/a", "/v1/a"]
