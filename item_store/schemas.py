"""What the API reads and writes: Pydantic models, kept apart from the table models (models.py).

The bounds are the hostile-input rules: a price is a finite number up to MAX_PRICE (Python's JSON
parser accepts NaN and Infinity, JSON cannot carry them back), text holds no NUL character
(PostgreSQL cannot store one), and an id fits the database's INTEGER column. The models carry no
docstrings on purpose: a docstring becomes the schema's description in /openapi.json.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_ITEM_ID = 2**31 - 1  # the largest INTEGER in PostgreSQL, the id column's type
MAX_PRICE = 1_000_000
MAX_QUANTITY = 10_000
MAX_NAME_LENGTH = 100
NO_NUL = r"^[^\x00]*$"


# An item as a client sends it: no id, and no field the model does not declare.
class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=NO_NUL)
    price: float = Field(gt=0, le=MAX_PRICE, allow_inf_nan=False)
    in_stock: bool = True


# An item as the API returns it: with its id; anything it does not declare is dropped.
class ItemOut(Item):
    model_config = ConfigDict(extra="ignore")

    id: int


class Message(BaseModel):
    detail: str


class QuoteRequest(BaseModel):
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=NO_NUL)
    price: float = Field(gt=0, le=MAX_PRICE, allow_inf_nan=False)
    quantity: int = Field(gt=0, le=MAX_QUANTITY)


class Quote(BaseModel):
    name: str
    quantity: int
    subtotal: float
    discount: float
    total: float


class Token(BaseModel):
    access_token: str
    token_type: str


class User(BaseModel):
    username: str
    full_name: str | None = None


class Health(BaseModel):
    status: Literal["ok", "unavailable"]


# The statuses a route answers besides its success, for its `responses=`: each one a client can
# get is in the OpenAPI document.
Responses = dict[int | str, dict[str, Any]]
UNPARSABLE_BODY: Responses = {400: {"model": Message, "description": "The body could not be parsed"}}
NOT_FOUND: Responses = {404: {"model": Message, "description": "No item has this id"}}
UNAUTHORIZED: Responses = {401: {"model": Message, "description": "Missing or invalid credentials"}}
LOGIN_RESPONSES: Responses = {
    401: {"model": Message, "description": "Incorrect username or password"},
    429: {"model": Message, "description": "Too many failed logins: try again after Retry-After seconds"},
}
RATE_LIMITED: Responses = {429: {"model": Message, "description": "Too many requests: try again after Retry-After seconds"}}
UNHEALTHY: Responses = {503: {"model": Health, "description": "The database did not answer"}}
