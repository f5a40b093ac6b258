"""The Item store as lesson 01 leaves it: one route per key feature of FastAPI.

Run it:  uvicorn checkpoints.lesson_01:app --reload
"""

from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel


class Item(BaseModel):
    name: str
    price: float
    in_stock: bool = True


def get_db():
    return {"db": "Connected"}


def create_app() -> FastAPI:
    app = FastAPI(title="Item store")

    @app.get("/")
    def home():
        return {"message": "Hello, FastAPI!"}

    @app.get("/items/{item_id}")
    def read_item(item_id: int):
        return {"item_id": item_id}

    @app.post("/items/")
    def create_item(item: Item):
        return {"message": "Item created", "item": item}

    @app.get("/db")
    def read_db(db: Annotated[dict, Depends(get_db)]):
        return db

    return app


app = create_app()
