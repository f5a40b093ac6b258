"""The database: the engine, a session per request, and the check that its schema is current.

The engine is made in the app's lifespan and disposed of at shutdown. The tables are made by
Alembic (`alembic -c item_store/alembic.ini upgrade head`), never at start-up: with several
workers, each would race to create them, and a table that changes needs a migration anyway. So
start-up only checks that the database is at the migrations' newest revision, and refuses to
start with a message that says what to run, rather than answering 500 on the first request.
"""

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from item_store.migrate import current_revision, head_revision


class DatabaseNotMigrated(RuntimeError):
    pass


def make_engine(url: str) -> Engine:
    """An engine for `url`. `pool_pre_ping` tests a pooled connection before lending it, so a
    database restart costs one reconnect instead of an error; SQLite needs no pool checks."""
    options: dict[str, Any] = {}
    if not url.startswith("sqlite"):
        options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    return create_engine(url, **options)


def check_schema(engine: Engine) -> None:
    """Raise DatabaseNotMigrated unless the database is at the migrations' head revision."""
    with engine.connect() as connection:
        current = current_revision(connection)
    if current != head_revision():
        raise DatabaseNotMigrated(
            f"the database is at revision {current or 'none (empty)'}, the code needs {head_revision()}: "
            "run  alembic -c item_store/alembic.ini upgrade head"
        )


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, closed (and any unfinished transaction rolled back) after it."""
    with request.app.state.sessions() as session:
        yield session


def ping(session: Session) -> None:
    """Ask the database to answer; raises SQLAlchemyError if it cannot."""
    session.execute(text("SELECT 1"))
