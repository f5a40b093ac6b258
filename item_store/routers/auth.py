"""`POST /token` (the OAuth2 password flow: a username and password as form data, for a JWT) and
`GET /users/me`. After five failed (or still running) logins for one username from one address
within a minute, `/token` answers 429 with Retry-After (security.LoginThrottle)."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from item_store.dependencies import CurrentUser, client_address
from item_store.schemas import LOGIN_RESPONSES, UNAUTHORIZED, Token, User
from item_store.security import authenticate_user, create_access_token, password_checks

router = APIRouter()


@router.post("/token", responses=LOGIN_RESPONSES)
async def login_for_access_token(request: Request, form_data: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    throttle = request.app.state.login_throttle
    who = throttle.key(client_address(request), form_data.username)
    if (wait := throttle.retry_after(who)) is not None:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Too many failed logins: try again later",
            headers={"Retry-After": str(wait)},
        )
    throttle.started(who)
    verifying = password_checks.submit(authenticate_user, request.app.state.users, form_data.username, form_data.password)
    user = await asyncio.wrap_future(verifying)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    throttle.succeeded(who)
    return Token(access_token=create_access_token(user.username, request.app.state.secret_key), token_type="bearer")


@router.get("/users/me", responses=UNAUTHORIZED)
def read_users_me(current_user: CurrentUser) -> User:
    return current_user
