"""The dependencies the routers use, as `Annotated` aliases, in one place.

A route names what it needs (`session: SessionDep`, `user: CurrentUser`); the function behind each
alias lives with its subject (database.py, security.py, settings.py). A test replaces one with
`app.dependency_overrides[get_session] = ...`.
"""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from item_store.database import get_session
from item_store.events import ItemEvents
from item_store.security import UserInDB, get_current_user
from item_store.settings import Settings, get_settings

RATE_WINDOW = 60.0


def get_item_events(request: Request) -> ItemEvents:
    return request.app.state.item_events


def client_address(request: Request) -> str:
    """The client's address, as the server saw it (behind a trusted proxy: the forwarded one)."""
    return request.client.host if request.client else ""


SessionDep = Annotated[Session, Depends(get_session)]
CurrentUser = Annotated[UserInDB, Depends(get_current_user)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ItemEventsDep = Annotated[ItemEvents, Depends(get_item_events)]


async def limit_listing(request: Request, settings: SettingsDep) -> None:
    """ITEMS_PER_MINUTE listings per client address in any minute; raises RateLimited past it."""
    request.app.state.rate_limiter.hit(client_address(request), settings.items_per_minute, RATE_WINDOW)
