"""The Item store as lesson 05 leaves it: a real in-memory store behind request and response models.

API (lessons 06 to 10 build on exactly this):
    GET    /items/            200  list[ItemOut]
    POST   /items/            201  ItemOut                   body: Item
    GET    /items/{item_id}   200  ItemOut, or 404 {"detail": "Item not found"}
    PUT    /items/{item_id}   200  ItemOut, or 404           body: Item
    DELETE /items/{item_id}   204  no body, or 404

The routes sit in `items_router`; the store is an `ItemStore` kept on `app.state.store` and
reached through the `get_store` dependency (`StoreDep`).

Run it:  uvicorn checkpoints.lesson_05:app --reload
"""

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from checkpoints import lesson_01, lesson_02, lesson_03


# An item as a client sends it: no id, and no field the model does not declare. (No docstrings
# on the models: a docstring becomes the schema's description, and the notebook's models have none.)
class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    in_stock: bool = True


# An item as the API returns it: with its id; anything it does not declare is dropped.
class ItemOut(Item):
    model_config = ConfigDict(extra="ignore")

    id: int


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


@items_router.post("/items/", status_code=status.HTTP_201_CREATED)
def create_item(item: Item, store: StoreDep) -> ItemOut:
    return store.add(item)


@items_router.get("/items/{item_id}")
def read_item(item_id: int, store: StoreDep) -> ItemOut:
    item = store.get(item_id)
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return item


@items_router.put("/items/{item_id}")
def replace_item(item_id: int, item: Item, store: StoreDep) -> ItemOut:
    replaced = store.replace(item_id, item)
    if replaced is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return replaced


@items_router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int, store: StoreDep) -> None:
    if not store.delete(item_id):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")


def create_app() -> FastAPI:
    app = FastAPI(**lesson_03.METADATA)
    app.state.store = ItemStore()
    app.include_router(lesson_01.home_router)
    app.include_router(items_router)
    app.include_router(lesson_01.db_router)
    app.include_router(lesson_02.quotes_router)
    return app


app = create_app()
