"""The Item store as lesson 04 leaves it: path and query parameters.

Lesson 04's items router has the guide's `GET /items/{item_id}?category=...` (in place of lesson
01's `read_item`), a search route, `GET /items/`, whose query parameters are converted and
checked, and lesson 01's `POST /items/` as it was. Both new routes echo what they received;
lesson 05 gives them real items.

Run it:  uvicorn checkpoints.lesson_04:app --reload
"""

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query

from checkpoints import lesson_01, lesson_02, lesson_03

items_router = APIRouter()


@items_router.get("/items/{item_id}")
def read_item(item_id: int, category: str = "default"):
    return {"item_id": item_id, "category": category}


@items_router.get("/items/")
def search_items(
    q: Annotated[str | None, Query(min_length=2, max_length=50)] = None,
    tag: Annotated[list[str], Query()] = [],
    in_stock: bool | None = None,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
):
    return {"q": q, "tag": tag, "in_stock": in_stock, "skip": skip, "limit": limit}


items_router.add_api_route("/items/", lesson_01.create_item, methods=["POST"])


def create_app() -> FastAPI:
    app = FastAPI(**lesson_03.METADATA)
    app.include_router(lesson_01.home_router)
    app.include_router(items_router)
    app.include_router(lesson_01.db_router)
    app.include_router(lesson_02.quotes_router)
    return app


app = create_app()
