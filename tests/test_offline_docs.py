"""offline_docs.py: /docs and /redoc of any served app load their assets from the server itself."""

import gzip
import re

import httpx
import pytest
from fastapi import FastAPI, Request, Response, WebSocket
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, StreamingResponse

from lessons_support.offline_docs import ASSETS, PREFIX, REPLACEMENTS, offline_page
from lessons_support.server import serve, stop_all

ASSET_URL = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture(autouse=True)
def no_servers_left():
    yield
    stop_all()


def asset_urls(html: str) -> list[str]:
    return ASSET_URL.findall(html)


def test_docs_and_redoc_point_only_at_assets_the_server_sends():
    server = serve(FastAPI(title="Shop"))
    for page in ("/docs", "/redoc"):
        response = httpx.get(server.url + page)
        urls = asset_urls(response.text)
        assert urls and all(url.startswith(PREFIX) for url in urls), urls
        assert "googleapis" not in response.text and "cdn." not in response.text
        assert int(response.headers["content-length"]) == len(response.content)
        for url in urls:
            asset = httpx.get(server.url + url)
            assert asset.status_code == 200 and asset.content == (ASSETS / url.removeprefix(PREFIX)).read_bytes()
    assert "<title>Shop - Swagger UI</title>" in httpx.get(server.url + "/docs").text


def test_every_cdn_address_fastapi_uses_has_a_local_copy():
    assert sorted(REPLACEMENTS.values()) == sorted(["swagger-ui-bundle.js", "swagger-ui.css", "favicon.png", "redoc.standalone.js"])
    assert all(url.startswith("https://") for url in REPLACEMENTS)
    assert all((ASSETS / name).stat().st_size > 1000 for name in REPLACEMENTS.values())


def test_a_custom_docs_route_with_fastapi_defaults_is_made_offline_too():
    app = FastAPI(docs_url=None)

    @app.get("/manual", include_in_schema=False)
    def manual():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Manual")

    server = serve(app)
    assert all(url.startswith(PREFIX) for url in asset_urls(httpx.get(server.url + "/manual").text))
    assert httpx.get(server.url + "/docs").status_code == 404


def test_the_apps_middleware_status_and_headers_are_kept():
    app = FastAPI()

    @app.middleware("http")
    async def stamp(request: Request, call_next):
        response = await call_next(request)
        response.headers["X-Stamp"] = "kept"
        return response

    @app.get("/teapot", response_class=HTMLResponse, status_code=418)
    def teapot():
        return '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>'

    server = serve(app)
    docs = httpx.get(server.url + "/docs")
    assert docs.headers["x-stamp"] == "kept"
    teapot = httpx.get(server.url + "/teapot")
    assert teapot.status_code == 418 and teapot.headers["x-stamp"] == "kept"
    assert "cdn.jsdelivr.net" in teapot.text  # only a 200 page is rewritten


def test_json_and_compressed_responses_pass_unchanged_and_a_streamed_page_is_rewritten_whole():
    cdn = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"
    app = FastAPI()

    @app.get("/json")
    def as_json():
        return {"css": cdn}

    @app.get("/gzipped")
    def gzipped():
        body = gzip.compress(f"<link href='{cdn}'>".encode())
        return Response(body, media_type="text/html", headers={"Content-Encoding": "gzip"})

    @app.get("/stream", response_class=StreamingResponse)
    def stream():
        return StreamingResponse(iter([b"<p>", cdn.encode(), b"</p>"]), media_type="text/html")

    server = serve(app)
    assert httpx.get(server.url + "/json").json() == {"css": cdn}
    assert cdn in httpx.get(server.url + "/gzipped").text
    streamed = httpx.get(server.url + "/stream")
    assert streamed.text == f"<p>{PREFIX}swagger-ui.css</p>"


def test_head_304_and_206_keep_their_headers_and_bodies(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>')
    app = FastAPI()

    @app.get("/page")
    def get_page():
        return FileResponse(page)

    @app.get("/cached", response_class=HTMLResponse)
    def cached():
        return HTMLResponse(status_code=304)

    server = serve(app)
    head = httpx.head(server.url + "/docs")
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(httpx.get(server.url + "/docs").content)
    not_modified = httpx.get(server.url + "/cached")
    assert not_modified.status_code == 304 and not_modified.content == b""
    partial = httpx.get(server.url + "/page", headers={"Range": "bytes=0-7"})
    assert partial.status_code == 206 and partial.content == b"<script " and partial.headers["content-range"].startswith("bytes 0-7/")
    assert PREFIX in httpx.get(server.url + "/page").text


def test_a_websocket_passes_through():
    app = FastAPI()

    @app.websocket("/ws")
    async def echo(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())
        await websocket.close()

    server = serve(app)
    from websockets.sync.client import connect

    with connect(server.url.replace("http", "ws") + "/ws") as socket:
        socket.send("hello")
        assert socket.recv() == "hello"


def test_only_the_known_asset_files_are_served():
    server = serve(FastAPI())
    for name in ("nope.js", "..%2Fserver.py", "static/favicon.png", ""):
        assert httpx.get(server.url + PREFIX + name).status_code == 404


def test_behind_a_root_path_every_address_starts_with_it():
    server = serve(FastAPI(), root_path="/user/alice/proxy/8123")
    html = httpx.get(server.url + "/docs").text
    assert all(url.startswith("/user/alice/proxy/8123" + PREFIX) for url in asset_urls(html))
    assert "url: '/user/alice/proxy/8123/openapi.json'" in html
    assert httpx.get(server.url + PREFIX + "swagger-ui.css").status_code == 200


def test_offline_page_rewrites_bytes_without_touching_the_rest():
    page = b'<head><link href="https://fonts.googleapis.com/css?family=Montserrat" rel="stylesheet"></head><p>same</p>'
    assert offline_page(page, "") == b"<head></head><p>same</p>"
