"""The Item store as lesson 06 leaves it: `/db` gets its connection from a dependency with `yield`.

Its `db_router` takes the place of lesson 01's; everything else is lesson 05's: the items routes
receive the `ItemStore` through `get_store`, which tests replace with
`app.dependency_overrides[get_store] = ...`.

Run it:  uvicorn checkpoints.lesson_06:app --reload
"""

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI

from checkpoints import lesson_01, lesson_02, lesson_03, lesson_05

log = logging.getLogger("app")


class Connection:
    """Stands in for a database connection until lesson 09 brings a real database."""

    def __init__(self) -> None:
        self.is_open = True
        log.info("db: connection opened")

    def close(self) -> None:
        self.is_open = False
        log.info("db: connection closed")


def get_db() -> Iterator[Connection]:
    """Open a connection for one request and close it once the request is done."""
    connection = Connection()
    try:
        yield connection
    finally:
        connection.close()


ConnectionDep = Annotated[Connection, Depends(get_db)]


db_router = APIRouter()


@db_router.get("/db")
def read_db(db: ConnectionDep) -> dict[str, str]:
    return {"db": "Connected" if db.is_open else "Closed"}


def create_app() -> FastAPI:
    app = FastAPI(**lesson_03.METADATA, exception_handlers=lesson_05.EXCEPTION_HANDLERS, max_body_size=lesson_05.MAX_BODY_SIZE)
    app.state.store = lesson_05.ItemStore()
    app.include_router(lesson_01.home_router)
    app.include_router(lesson_05.items_router)
    app.include_router(db_router)
    app.include_router(lesson_02.quotes_router)
    return app


app = create_app()
