"""The complete Item store service: lesson 09's app plus a WebSocket echo route.

Everything the course built (the items API, its validation, dependencies, middleware, OAuth2
with JWT, the SQL database) comes from lesson 09; lesson 10 adds `/ws/echo`, the WebSocket
endpoint its interview answer demonstrates.

The signing key and the database come from the environment, as in lessons 08 and 09, unless
`create_app` is given them.

Run it:
    export JWT_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    uvicorn checkpoints.lesson_10:app
"""

import logging

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from checkpoints import lesson_09

logger = logging.getLogger("app")


def create_app(database_url: str | None = None, secret_key: str | None = None) -> FastAPI:
    app = lesson_09.create_app(database_url=database_url, secret_key=secret_key)

    @app.websocket("/ws/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                text = await websocket.receive_text()
                await websocket.send_text(f"echo: {text}")
        except WebSocketDisconnect as disconnect:
            logger.info("echo client left with code %s", disconnect.code)

    return app


app = create_app()
