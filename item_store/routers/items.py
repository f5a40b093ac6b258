"""The items: a paginated, rate-limited list and a name filter; reads are public, writes need a
bearer token and announce what they changed to live listeners (events.py) once the response is
sent. PUT and DELETE are each one statement that says whether the row was there, so two requests
racing for one item never both delete it, and the loser gets a 404, not an error.
"""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Path, Query, status
from sqlalchemy import delete, select, update

from item_store.dependencies import CurrentUser, ItemEventsDep, SessionDep, limit_listing
from item_store.events import announce
from item_store.models import ItemRow
from item_store.schemas import (
    MAX_ITEM_ID,
    MAX_NAME_LENGTH,
    NO_NUL,
    NOT_FOUND,
    RATE_LIMITED,
    UNAUTHORIZED,
    UNPARSABLE_BODY,
    Item,
    ItemOut,
)

MAX_PAGE_SIZE = 100
# Bounded: an unbounded offset reached the database driver as a number it cannot hold (a 500).
MAX_OFFSET = MAX_ITEM_ID

ItemId = Annotated[int, Path(ge=1, le=MAX_ITEM_ID)]
NameFilter = Annotated[
    str | None,
    Query(max_length=MAX_NAME_LENGTH, pattern=NO_NUL, description="Only items whose name contains this text, in any case."),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="At most this many items.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many items first.")]

router = APIRouter()


def to_item_out(row: ItemRow) -> ItemOut:
    return ItemOut.model_validate(row, from_attributes=True)


def not_found() -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")


@router.get("/items/", responses=RATE_LIMITED, dependencies=[Depends(limit_listing)])
def list_items(session: SessionDep, name: NameFilter = None, limit: Limit = 20, offset: Offset = 0) -> list[ItemOut]:
    query = select(ItemRow).order_by(ItemRow.id).offset(offset).limit(limit)
    if name is not None:
        query = query.where(ItemRow.name.icontains(name, autoescape=True))
    return [to_item_out(row) for row in session.scalars(query)]


@router.get("/items/{item_id}", responses=NOT_FOUND)
def read_item(item_id: ItemId, session: SessionDep) -> ItemOut:
    row = session.get(ItemRow, item_id)
    if row is None:
        raise not_found()
    return to_item_out(row)


@router.post("/items/", status_code=status.HTTP_201_CREATED, responses={**UNPARSABLE_BODY, **UNAUTHORIZED})
def create_item(item: Item, session: SessionDep, user: CurrentUser, events: ItemEventsDep, background: BackgroundTasks) -> ItemOut:
    row = ItemRow(**item.model_dump())
    session.add(row)
    session.commit()
    created = to_item_out(row)
    background.add_task(announce, events, {"event": "created", "item": created.model_dump()})
    return created


@router.put("/items/{item_id}", responses={**UNPARSABLE_BODY, **UNAUTHORIZED, **NOT_FOUND})
def replace_item(
    item_id: ItemId, item: Item, session: SessionDep, user: CurrentUser, events: ItemEventsDep, background: BackgroundTasks
) -> ItemOut:
    row = session.scalars(update(ItemRow).where(ItemRow.id == item_id).values(**item.model_dump()).returning(ItemRow)).first()
    if row is None:
        raise not_found()
    session.commit()
    replaced = to_item_out(row)
    background.add_task(announce, events, {"event": "replaced", "item": replaced.model_dump()})
    return replaced


@router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses={**UNAUTHORIZED, **NOT_FOUND})
def delete_item(item_id: ItemId, session: SessionDep, user: CurrentUser, events: ItemEventsDep, background: BackgroundTasks) -> None:
    deleted = session.execute(delete(ItemRow).where(ItemRow.id == item_id)).rowcount
    session.commit()
    if deleted == 0:
        raise not_found()
    background.add_task(announce, events, {"event": "deleted", "id": item_id})
