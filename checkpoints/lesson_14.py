"""The Item store as lesson 14 leaves it: the package `item_store/`, the course's service laid out
as a project of its own (README: item_store/README.md).

Lesson 14 moves the app out of the notebooks. Its API is lesson 13's plus `GET /health`; its
modules, migrations, tests and Docker image live in the package, which imports nothing from the
course. This module only builds the package's app, so that the notebook's checkpoint cell proves
that the lesson's app is the package's, and so that `uvicorn checkpoints.lesson_14:app` runs it
the way the earlier checkpoints run, with nothing to set up:

- the settings are the environment's (and a `.env` file's), as `item_store.settings` reads them;
- with no JWT_SECRET_KEY there, a random key per process, as lessons 08 to 13 do (the package
  itself would draw one too, and log a warning);
- with no DATABASE_URL there, a throwaway SQLite file in a temporary folder, which the lifespan
  migrates to the newest revision at start-up before the package's own lifespan opens it. That
  convenience is the checkpoint's only: the package never changes a schema at start-up, and a
  real deploy runs `alembic -c item_store/alembic.ini upgrade head` once, before the workers start.

Run it:
    uvicorn checkpoints.lesson_14:app
or the package's own way (from the repository's root; `make item-store` does both):
    alembic -c item_store/alembic.ini upgrade head
    uvicorn item_store.main:app --timeout-graceful-shutdown 5
(with --workers 2, set JWT_SECRET_KEY first: each worker would draw a key of its own).
"""

import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr

from item_store import app as package
from item_store.migrate import upgrade
from item_store.settings import Settings


@asynccontextmanager
async def throwaway_database(app: FastAPI) -> AsyncIterator[None]:
    """A new SQLite file, migrated to head, for the package's lifespan to open; gone at shutdown."""
    with tempfile.TemporaryDirectory(prefix="item-store-") as folder:
        url = f"sqlite:///{Path(folder) / 'items.db'}"
        upgrade(url)
        app.state.settings = app.state.settings.model_copy(update={"database_url": SecretStr(url)})
        async with package.lifespan(app):
            yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """The package's app, built with `settings`, else with the environment's (see above)."""
    if settings is None:
        settings = Settings()
        if settings.jwt_secret_key is None:
            settings = settings.model_copy(update={"jwt_secret_key": SecretStr(secrets.token_urlsafe(32))})
        if "database_url" not in settings.model_fields_set:
            app = package.create_app(settings)
            app.router.lifespan_context = throwaway_database
            return app
    return package.create_app(settings)


app = create_app()
