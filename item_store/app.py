"""The app factory: `create_app(settings)` builds the Item store from its routers, middleware,
exception handlers and lifespan. main.py, the entry point, calls it; tests call it with settings
of their own. It has no side effect on the process: logging is configured by the entry point.
"""

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from item_store import __version__
from item_store.database import check_schema, make_engine, make_sessions
from item_store.errors import EXCEPTION_HANDLERS
from item_store.events import ItemEvents
from item_store.middleware import install_middleware
from item_store.ratelimit import RateLimiter
from item_store.routers import auth, events, health, items, quotes
from item_store.security import LoginThrottle, demo_users
from item_store.settings import Settings, load_settings

MAX_BODY_SIZE = 1024 * 1024
METADATA = {
    "title": "Item store",
    "description": (
        "An online shop's item store, built one lesson at a time in the FastAPI course. "
        "Every route below has a **Try it out** button."
    ),
    "version": __version__,
}

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database at start-up (refusing one the migrations have not brought up to date)
    and close it at shutdown."""
    engine = make_engine(app.state.settings.database_url.get_secret_value())
    try:
        check_schema(engine)
        app.state.sessions = make_sessions(engine)
        yield
    finally:
        engine.dispose()


def signing_key(settings: Settings) -> str:
    if settings.jwt_secret_key is not None:
        return settings.jwt_secret_key.get_secret_value()
    logger.warning("JWT_SECRET_KEY is not set: tokens are signed with a random key that dies with this process")
    return secrets.token_urlsafe(32)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    if settings.environment == "production" and settings.demo_user:
        logger.warning("DEMO_USER is on in production: anyone can log in as alice with the course's published password")
    app = FastAPI(**METADATA, lifespan=lifespan, exception_handlers=EXCEPTION_HANDLERS, max_body_size=MAX_BODY_SIZE)
    app.state.settings = settings
    app.state.secret_key = signing_key(settings)
    app.state.users = demo_users() if settings.demo_user else {}
    app.state.login_throttle = LoginThrottle()
    app.state.rate_limiter = RateLimiter()
    app.state.item_events = ItemEvents()
    app.include_router(health.router)
    app.include_router(events.router)  # before items: /items/{item_id} would take /items/events
    app.include_router(items.router)
    app.include_router(quotes.router)
    app.include_router(auth.router)
    install_middleware(app, settings)
    return app
