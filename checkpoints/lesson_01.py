"""The Item store as lesson 01 leaves it: one route per key feature of FastAPI.

The routes sit in three routers, one per part of the API (the home page, the items, the database
check), so that later lessons can keep a part as it is and swap another for a new version.

Run it:  uvicorn checkpoints.lesson_01:app --reload
"""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel


class Item(BaseModel):
    name: str
    price: float
    in_stock: bool = True


def get_db():
    return {"db": "Connected"}


home_router = APIRouter()
items_router = APIRouter()
db_router = APIRouter()


@home_router.get("/")
def home():
    return {"message": "Hello, FastAPI!"}


@items_router.get("/items/{item_id}")
def read_item(item_id: int):
    return {"item_id": item_id}


@items_router.post("/items/")
def create_item(item: Item):
    return {"message": "Item created", "item": item}


@db_router.get("/db")
def read_db(db: Annotated[dict, Depends(get_db)]):
    return db


def create_app() -> FastAPI:
    app = FastAPI(title="Item store")
    app.include_router(home_router)
    app.include_router(items_router)
    app.include_router(db_router)
    return app


app = create_app()
