"""The Item store as lesson 09 leaves it: items kept in a SQL database with SQLAlchemy 2.x.

Items live in the table `items`, declared as the typed class `ItemRow`. The app's `lifespan`,
passed to `FastAPI(lifespan=...)`, opens the database at start-up and closes it at shutdown. Each
request gets its own `Session` from the `get_session` dependency, which closes it when the
request is done. The HTTP API
is lesson 08's: reads are public, writes need a bearer token, and the status codes are 200, 201,
204 and 404 as before. `GET /items/?name=...` filters by name, with the text sent as a bound
parameter, never spliced into the SQL. PUT and DELETE are each one UPDATE or DELETE statement
that says whether the row was there, so two requests racing for one item never both delete it
and the loser gets a 404, not an error. `GET /db`, lesson 06's stand-in, now asks the database.
The new `items_router` and `db_router` take the place of lesson 08's and lesson 06's.

The database is the one `create_app(database_url=...)` names, else the one the environment
variable `DATABASE_URL` names (for PostgreSQL: postgresql+psycopg://user:password@host/dbname),
else a SQLite file in a temporary folder that is deleted at shutdown. Tables are created at
start-up when missing; changing an existing table is a migration's job (Alembic).

Run it:
    export JWT_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    export DATABASE_URL="sqlite:///items.db"    # optional: keep the items between runs
    uvicorn checkpoints.lesson_09:app
"""

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, status
from sqlalchemy import String, create_engine, delete, select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from checkpoints import lesson_01, lesson_02, lesson_03, lesson_05, lesson_07, lesson_08
from checkpoints.lesson_05 import NOT_FOUND, Item, ItemId, ItemOut
from checkpoints.lesson_08 import UNAUTHORIZED, CurrentUser


class Base(DeclarativeBase):
    pass


class ItemRow(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[float]
    in_stock: Mapped[bool] = mapped_column(default=True)


@contextmanager
def open_database(database_url: str | None = None) -> Iterator[sessionmaker[Session]]:
    """A session factory for the database, its tables created; the engine is closed on exit."""
    with ExitStack() as stack:
        url = database_url or os.environ.get("DATABASE_URL")
        if not url:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="item-store-"))
            url = f"sqlite:///{Path(folder) / 'items.db'}"
        engine = create_engine(url)
        stack.callback(engine.dispose)
        Base.metadata.create_all(engine)
        yield sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, open the database that `app.state.database_url` names; at shutdown, close it."""
    with open_database(app.state.database_url) as sessions:
        app.state.sessions = sessions
        yield


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, closed (and any unfinished transaction rolled back) after it."""
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def to_item_out(row: ItemRow) -> ItemOut:
    return ItemOut.model_validate(row, from_attributes=True)


items_router = APIRouter()


@items_router.get("/items/")
def list_items(
    session: SessionDep,
    name: Annotated[
        str | None,
        Query(max_length=100, pattern=lesson_02.NO_NUL, description="Only items whose name contains this text, in any case."),
    ] = None,
) -> list[ItemOut]:
    query = select(ItemRow).order_by(ItemRow.id)
    if name is not None:
        query = query.where(ItemRow.name.icontains(name, autoescape=True))
    return [to_item_out(row) for row in session.scalars(query)]


@items_router.get("/items/{item_id}", responses=NOT_FOUND)
def read_item(item_id: ItemId, session: SessionDep) -> ItemOut:
    row = session.get(ItemRow, item_id)
    if row is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return to_item_out(row)


@items_router.post("/items/", status_code=status.HTTP_201_CREATED, responses={**lesson_02.UNPARSABLE_BODY, **UNAUTHORIZED})
def create_item(item: Item, session: SessionDep, user: CurrentUser) -> ItemOut:
    row = ItemRow(**item.model_dump())
    session.add(row)
    session.commit()
    return to_item_out(row)


@items_router.put("/items/{item_id}", responses={**lesson_02.UNPARSABLE_BODY, **UNAUTHORIZED, **NOT_FOUND})
def replace_item(item_id: ItemId, item: Item, session: SessionDep, user: CurrentUser) -> ItemOut:
    row = session.scalars(update(ItemRow).where(ItemRow.id == item_id).values(**item.model_dump()).returning(ItemRow)).first()
    if row is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    session.commit()
    return to_item_out(row)


@items_router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses={**UNAUTHORIZED, **NOT_FOUND})
def delete_item(item_id: ItemId, session: SessionDep, user: CurrentUser) -> None:
    deleted = session.execute(delete(ItemRow).where(ItemRow.id == item_id)).rowcount
    session.commit()
    if deleted == 0:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")


db_router = APIRouter()


@db_router.get("/db")
def read_db(session: SessionDep) -> dict[str, str]:
    session.execute(text("SELECT 1"))
    return {"db": "Connected"}


def create_app(database_url: str | None = None, secret_key: str | None = None) -> FastAPI:
    app = FastAPI(
        **lesson_03.METADATA,
        lifespan=lifespan,
        exception_handlers=lesson_05.EXCEPTION_HANDLERS,
        max_body_size=lesson_05.MAX_BODY_SIZE,
    )
    app.state.database_url = database_url
    lesson_08.set_up_auth(app, secret_key)
    app.include_router(lesson_01.home_router)
    app.include_router(items_router)
    app.include_router(db_router)
    app.include_router(lesson_02.quotes_router)
    app.include_router(lesson_08.auth_router)
    lesson_07.install_middleware(app)
    return app


app = create_app()
