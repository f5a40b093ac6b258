"""The Item store as lesson 04 leaves it: path and query parameters.

Lesson 04 adds the guide's `GET /items/{item_id}?category=...` (in place of lesson 01's
`read_item`) and a search route, `GET /items/`, whose query parameters are converted and
checked. Both routes echo what they received; lesson 05 gives them real items.

Run it:  uvicorn checkpoints.lesson_04:app --reload
"""

from typing import Annotated

from fastapi import FastAPI, Query

from checkpoints import lesson_03
from lessons_support.routes import keep_latest_routes


def create_app() -> FastAPI:
    app = lesson_03.create_app()

    @app.get("/items/{item_id}")
    def read_item(item_id: int, category: str = "default"):
        return {"item_id": item_id, "category": category}

    @app.get("/items/")
    def search_items(
        q: Annotated[str | None, Query(min_length=2, max_length=50)] = None,
        tag: Annotated[list[str], Query()] = [],
        in_stock: bool | None = None,
        skip: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ):
        return {"q": q, "tag": tag, "in_stock": in_stock, "skip": skip, "limit": limit}

    keep_latest_routes(app)
    return app


app = create_app()
