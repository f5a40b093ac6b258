"""The complete Item store service: lesson 09's app plus a WebSocket echo route.

Everything the course built (the items API, its validation, dependencies, middleware, OAuth2
with JWT, the SQL database) comes from lesson 09; lesson 10 adds `/ws/echo`, the WebSocket
endpoint its interview answer demonstrates. It echoes text frames; a binary frame closes the
connection with code 1003 ("unsupported data") rather than crashing the handler.

The signing key and the database come from the environment, as in lessons 08 and 09, unless
`create_app` is given them.

Run it:
    export JWT_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    uvicorn checkpoints.lesson_10:app
"""

import logging

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect, status

from checkpoints import lesson_09

logger = logging.getLogger("app")


ws_router = APIRouter()


@ws_router.websocket("/ws/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", status.WS_1000_NORMAL_CLOSURE))
            if message.get("text") is None:
                await websocket.close(status.WS_1003_UNSUPPORTED_DATA, "text frames only")
                return
            await websocket.send_text(f"echo: {message['text']}")
    except WebSocketDisconnect as disconnect:
        logger.info("echo client left with code %s", disconnect.code)


def create_app(database_url: str | None = None, secret_key: str | None = None) -> FastAPI:
    app = lesson_09.create_app(database_url=database_url, secret_key=secret_key)
    app.include_router(ws_router)
    return app


app = create_app()
