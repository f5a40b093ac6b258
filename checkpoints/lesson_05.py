"""The Item store as lesson 05 leaves it: a real in-memory store behind request and response models.

API (lessons 06 to 10 build on exactly this):
    GET    /items/            200  list[ItemOut]
    POST   /items/            201  ItemOut                   body: Item
    GET    /items/{item_id}   200  ItemOut, or 404 {"detail": "Item not found"}
    PUT    /items/{item_id}   200  ItemOut, or 404           body: Item
    DELETE /items/{item_id}   204  no body, or 404

The routes sit in `items_router`; the store is an `ItemStore` kept on `app.state.store` and
reached through the `get_store` dependency (`StoreDep`). Every 404 is in the OpenAPI document.

Hostile input gets a 422, never a 500 or a stored value that cannot be read back: a price is a
finite number up to lesson_02.MAX_PRICE (JSON has no NaN or Infinity, but Python's parser accepts them), a
name holds no NUL character (PostgreSQL cannot store one), an id fits the database's integer
column, and the 422 itself can always be sent (`validation_error_handler`). Bodies over
MAX_BODY_SIZE bytes get a 413. Lessons 06 to 10 build their apps with the same settings.

Run it:  uvicorn checkpoints.lesson_05:app --reload
"""

import math
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from checkpoints import lesson_01, lesson_02, lesson_03

MAX_ITEM_ID = 2**31 - 1  # the largest INTEGER in PostgreSQL, the id column's type
MAX_BODY_SIZE = 1024 * 1024

ItemId = Annotated[int, Path(ge=1, le=MAX_ITEM_ID)]


# An item as a client sends it: no id, and no field the model does not declare. (No docstrings
# on the models: a docstring becomes the schema's description, and the notebook's models have none.)
class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=lesson_02.NO_NUL)
    price: float = Field(gt=0, le=lesson_02.MAX_PRICE, allow_inf_nan=False)
    in_stock: bool = True


# An item as the API returns it: with its id; anything it does not declare is dropped.
class ItemOut(Item):
    model_config = ConfigDict(extra="ignore")

    id: int


Message = lesson_02.Message
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Message, "description": "No item has this id"}}


def json_safe(value: Any) -> Any:
    """`value` with what JSON cannot carry turned into text: NaN and the infinities, strings that
    are not valid Unicode (a lone surrogate such as "\\ud800"), and raw bytes (the body of a
    request that is not JSON at all), which may not be UTF-8."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


async def validation_error_handler(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's own 422, except that the input it echoes is made safe to send first: without this,
    a price of NaN, or a body of bytes that are not UTF-8, gets a 500, because the 422 that repeats
    it cannot be written as JSON."""
    return JSONResponse(status_code=422, content={"detail": jsonable_encoder(json_safe(error.errors()))})


EXCEPTION_HANDLERS = {RequestValidationError: validation_error_handler}


class ItemStore:
    """The items, in memory, by id. Ids count up from 1 and are never reused."""

    def __init__(self) -> None:
        self._items: dict[int, ItemOut] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def list(self) -> list[ItemOut]:
        with self._lock:
            return list(self._items.values())

    def get(self, item_id: int) -> ItemOut | None:
        with self._lock:
            return self._items.get(item_id)

    def add(self, item: Item) -> ItemOut:
        with self._lock:
            stored = ItemOut(id=self._next_id, **item.model_dump())
            self._items[stored.id] = stored
            self._next_id += 1
            return stored

    def replace(self, item_id: int, item: Item) -> ItemOut | None:
        with self._lock:
            if item_id not in self._items:
                return None
            stored = ItemOut(id=item_id, **item.model_dump())
            self._items[item_id] = stored
            return stored

    def delete(self, item_id: int) -> bool:
        with self._lock:
            return self._items.pop(item_id, None) is not None


def get_store(request: Request) -> ItemStore:
    """The app's item store: `app.state.store`."""
    return request.app.state.store


StoreDep = Annotated[ItemStore, Depends(get_store)]


items_router = APIRouter()


@items_router.get("/items/")
def list_items(store: StoreDep) -> list[ItemOut]:
    return store.list()


@items_router.post("/items/", status_code=status.HTTP_201_CREATED, responses=lesson_02.UNPARSABLE_BODY)
def create_item(item: Item, store: StoreDep) -> ItemOut:
    return store.add(item)


@items_router.get("/items/{item_id}", responses=NOT_FOUND)
def read_item(item_id: ItemId, store: StoreDep) -> ItemOut:
    item = store.get(item_id)
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return item


@items_router.put("/items/{item_id}", responses={**lesson_02.UNPARSABLE_BODY, **NOT_FOUND})
def replace_item(item_id: ItemId, item: Item, store: StoreDep) -> ItemOut:
    replaced = store.replace(item_id, item)
    if replaced is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return replaced


@items_router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_item(item_id: ItemId, store: StoreDep) -> None:
    if not store.delete(item_id):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")


def create_app() -> FastAPI:
    app = FastAPI(**lesson_03.METADATA, exception_handlers=EXCEPTION_HANDLERS, max_body_size=MAX_BODY_SIZE)
    app.state.store = ItemStore()
    app.include_router(lesson_01.home_router)
    app.include_router(items_router)
    app.include_router(lesson_01.db_router)
    app.include_router(lesson_02.quotes_router)
    return app


app = create_app()
