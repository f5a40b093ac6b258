"""The Item store as lesson 02 leaves it: a price quote that follows FastAPI's architecture.

    Client → Router → Business logic → Response model → JSON

`POST /quotes/` shows each layer in its place: the route only translates HTTP (FastAPI has
validated the body into a `QuoteRequest` before it runs), `price_quote` holds the business rule
and knows nothing of HTTP, and `Quote`, the response model, is the contract the client gets as
JSON.

Run it:  uvicorn checkpoints.lesson_02:app --reload
"""

from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from checkpoints import lesson_01

BULK_QUANTITY = 10
BULK_DISCOUNT = 0.10


MAX_PRICE = 1_000_000
MAX_QUANTITY = 10_000
NO_NUL = r"^[^\x00]*$"  # text without the NUL character, which PostgreSQL cannot store


# Bounded, so that every quote is a finite number: Python's JSON parser accepts NaN and Infinity,
# and 1e308 times 10 overflows to Infinity, which a JSON response cannot carry.
class QuoteRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    price: float = Field(gt=0, le=MAX_PRICE, allow_inf_nan=False)
    quantity: int = Field(gt=0, le=MAX_QUANTITY)


class Message(BaseModel):
    detail: str


# FastAPI answers 400 when a body is not even text it can parse (not UTF-8, for example).
UNPARSABLE_BODY: dict[int | str, dict[str, Any]] = {400: {"model": Message, "description": "The body could not be parsed"}}


class Quote(BaseModel):
    name: str
    quantity: int
    subtotal: float
    discount: float
    total: float


def price_quote(name: str, price: float, quantity: int) -> dict[str, Any]:
    """The business rule: 10 % off from 10 units on. Plain data in, plain data out."""
    subtotal = round(price * quantity, 2)
    discount = round(subtotal * BULK_DISCOUNT, 2) if quantity >= BULK_QUANTITY else 0.0
    return {
        "name": name,
        "quantity": quantity,
        "subtotal": subtotal,
        "discount": discount,
        "total": round(subtotal - discount, 2),
    }


quotes_router = APIRouter()


@quotes_router.post("/quotes/", response_model=Quote, responses=UNPARSABLE_BODY)
def create_quote(body: QuoteRequest) -> dict[str, Any]:
    return price_quote(body.name, body.price, body.quantity)


def create_app() -> FastAPI:
    app = lesson_01.create_app()
    app.include_router(quotes_router)
    return app


app = create_app()
