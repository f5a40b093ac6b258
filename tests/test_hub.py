"""hub.py and the server's links: off a hub, on JupyterHub and on Binder."""

import httpx
import pytest
from fastapi import FastAPI, Request

from lessons_support import hub
from lessons_support.server import serve, stop_all

ALICE = {"JUPYTERHUB_SERVICE_PREFIX": "/user/alice/"}


@pytest.fixture(autouse=True)
def no_servers_left():
    yield
    stop_all()


def test_where_tells_a_laptop_a_hub_and_binder_apart():
    assert hub.where({}) == ""
    assert hub.where(ALICE) == "JupyterHub"
    assert hub.where({**ALICE, "BINDER_LAUNCH_HOST": "https://mybinder.org/"}) == "Binder"


def test_the_prefix_always_ends_with_a_slash():
    assert hub.prefix({"JUPYTERHUB_SERVICE_PREFIX": "/user/bob"}) == "/user/bob/"
    assert hub.prefix({}) == ""


def test_root_path_and_browser_url_off_and_on_a_hub():
    assert hub.proxy_root_path(8123, {}) == ""
    assert hub.browser_url(8123, "/docs", {}) == "http://127.0.0.1:8123/docs"
    assert hub.proxy_root_path(8123, ALICE) == "/user/alice/proxy/8123"
    assert hub.browser_url(8123, "/", ALICE) == "/user/alice/proxy/8123/"
    public = {**ALICE, "JUPYTERHUB_PUBLIC_URL": "https://hub.example.org/user/alice/"}
    assert hub.browser_url(8123, "/docs", public) == "https://hub.example.org/user/alice/proxy/8123/docs"


def test_off_a_hub_the_server_shows_plain_links():
    server = serve(FastAPI())
    assert server.link() == server.url + "/"
    assert server.docs_link == server.url + "/docs"
    assert repr(server) == f"<LiveServer 'app' running: {server.url}/ · docs: {server.url}/docs>"
    assert f'<a href="{server.url}/docs" target="_blank">' in server._repr_html_()


def where_am_i_app() -> FastAPI:
    app = FastAPI(docs_url="/manual")

    @app.get("/where")
    def where(request: Request):
        return {"root_path": request.scope["root_path"], "url": str(request.url_for("where"))}

    return app


def test_on_a_hub_the_proxys_requests_get_its_root_path_and_the_links_use_it(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    server = serve(where_am_i_app())
    root = f"/user/alice/proxy/{server.port}"
    assert server.link() == root + "/"
    assert server.docs_link == root + "/manual"
    proxied = {"X-Forwarded-Prefix": root}  # as jupyter-server-proxy sends it
    html = httpx.get(server.url + "/manual", headers=proxied).text
    assert f"url: '{root}/openapi.json'" in html and f"{root}/_offline_docs/swagger-ui-bundle.js" in html
    assert httpx.get(server.url + "/openapi.json", headers=proxied).json()["servers"] == [{"url": root}]
    assert httpx.get(server.url + "/where", headers=proxied).json() == {"root_path": root, "url": f"{server.url}{root}/where"}


def test_on_a_hub_the_kernels_own_requests_are_as_on_a_laptop(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    server = serve(where_am_i_app())
    assert httpx.get(server.url + "/where").json() == {"root_path": "", "url": f"{server.url}/where"}
    assert "servers" not in httpx.get(server.url + "/openapi.json").json()


def test_a_prefix_header_is_ignored_off_a_hub_or_when_it_names_another_path(monkeypatch):
    server = serve(where_am_i_app())
    root = f"/user/alice/proxy/{server.port}"
    assert httpx.get(server.url + "/where", headers={"X-Forwarded-Prefix": root}).json()["root_path"] == ""
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    for other in ("/user/mallory/proxy/1", root + "/x", "/"):
        assert httpx.get(server.url + "/where", headers={"X-Forwarded-Prefix": other}).json()["root_path"] == ""


def test_a_root_path_given_by_the_learner_wins(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    server = serve(where_am_i_app(), root_path="/shop")
    assert server.docs_link == server.url + "/manual"
    proxied = {"X-Forwarded-Prefix": f"/user/alice/proxy/{server.port}"}
    assert httpx.get(server.url + "/where", headers=proxied).json()["root_path"] == "/shop"


def test_a_stopped_server_says_so_without_links():
    server = serve(FastAPI())
    server.stop()
    assert repr(server) == "<LiveServer 'app' stopped>"
    assert server._repr_html_() == "&lt;LiveServer &#x27;app&#x27; stopped&gt;"


def test_an_app_without_docs_shows_no_docs_link():
    server = serve(FastAPI(docs_url=None))
    assert server.docs_link == ""
    assert repr(server) == f"<LiveServer 'app' running: {server.url}/>"
    assert serve(FastAPI(openapi_url=None), name="none").docs_link == ""
