"""Where the learner's browser reaches a server that runs in the kernel.

On a laptop, the browser and the kernel share a machine: `http://127.0.0.1:<port>/` works. On
JupyterHub (The Littlest JupyterHub, Zero to JupyterHub) or Binder, which runs a JupyterHub, the
kernel runs in the learner's container and the browser cannot reach its 127.0.0.1. There,
jupyter-server-proxy, an extension of the learner's Jupyter server, forwards
`<prefix>proxy/<port>/...` to `localhost:<port>/...`, with the prefix taken off (https://jupyter-server-proxy.readthedocs.io/en/latest/arbitrary-ports-hosts.html). The
app must then know that prefix as its root path, or `/docs` asks the browser for `/openapi.json`
at the wrong address. The proxy says it in an `X-Forwarded-Prefix` header; `ProxyPrefix` gives
that prefix to the app as its root path, for the proxy's requests only, so the kernel's own
requests to `server.url` behave exactly as on a laptop.

JupyterHub tells every server it starts its prefix in JUPYTERHUB_SERVICE_PREFIX, for example
`/user/alice/` (https://jupyterhub.readthedocs.io/en/stable/reference/spawners.html); Binder also
sets BINDER_LAUNCH_HOST. JUPYTERHUB_PUBLIC_URL is the server's full public address, such as
`https://hub.example.org/user/alice/`, when the hub knows it (JupyterHub's spawner.py); otherwise a
link is an absolute path, which the browser resolves against the page it shows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote


# What a hub or Binder sets that this module, the setup check and the suite read: the suite
# removes them all, to run as on a laptop (conftest.py).
VARIABLES = ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_PUBLIC_URL", "BINDER_LAUNCH_HOST")


def where(environ: Mapping[str, str] = os.environ) -> str:
    """"Binder", "JupyterHub", or "" when the kernel runs on the learner's own machine."""
    if not environ.get("JUPYTERHUB_SERVICE_PREFIX"):
        return ""
    return "Binder" if environ.get("BINDER_LAUNCH_HOST") else "JupyterHub"


def prefix(environ: Mapping[str, str] = os.environ) -> str:
    """The hub's prefix for this learner's server, always ending with "/"; "" off a hub."""
    value = environ.get("JUPYTERHUB_SERVICE_PREFIX", "")
    return value if not value or value.endswith("/") else value + "/"


def proxy_root_path(port: int, environ: Mapping[str, str] = os.environ) -> str:
    """The root path an app served on `port` has behind the proxy: `/user/alice/proxy/8123`."""
    return f"{prefix(environ)}proxy/{port}" if where(environ) else ""


def browser_url(port: int, path: str = "/", environ: Mapping[str, str] = os.environ) -> str:
    """The address a browser opens to reach `path` on the server at 127.0.0.1:`port`.

    Behind the proxy the address of the server itself ends with "/": jupyter-server-proxy needs it.
    """
    if not where(environ):
        return f"http://127.0.0.1:{port}{path}"
    server = environ.get("JUPYTERHUB_PUBLIC_URL") or prefix(environ)
    return f"{server.rstrip('/')}/proxy/{port}{path}"


class ProxyPrefix:
    """ASGI wrapper: a request that jupyter-server-proxy forwards gets its prefix as root path.

    Only on a hub, and only the prefix this server has there (`<hub prefix>proxy/<its port>`):
    a header naming another path changes nothing. Like uvicorn's `--root-path`, the path then
    starts with the root path, as the ASGI specification says.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("server") and where() and not scope.get("root_path"):
            expected = proxy_root_path(scope["server"][1]).encode()
            if (b"x-forwarded-prefix", expected) in [(k.lower(), v) for k, v in scope.get("headers", [])]:
                root = expected.decode()
                raw = scope.get("raw_path") or quote(scope["path"]).encode()
                scope = {**scope, "root_path": root, "path": root + scope["path"], "raw_path": expected + raw}
        await self.app(scope, receive, send)
