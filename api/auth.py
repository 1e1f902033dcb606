"""Finding the caller: a bearer token in ``Authorization``, or the screens' cookie.

The cookie holds the same token the user typed at sign-in; it is HttpOnly (scripts
cannot read it) and SameSite=Strict (no other site can make the browser send it, which
is what keeps form posts safe from cross-site forgery).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.access import Action, require
from api.errors import unauthorized
from api.state import app_state
from api.tokens import Principal

COOKIE_NAME = "sohoa_session"

bearer_scheme = HTTPBearer(auto_error=False, description="A token from `sohoa token create`.")


def token_from(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if credentials is not None and credentials.credentials:
        return credentials.credentials
    return request.cookies.get(COOKIE_NAME) or None


def principal_of(request: Request, token: str | None) -> Principal | None:
    if not token:
        return None
    return app_state(request).tokens.lookup(token)


async def principal_async(request: Request, token: str | None) -> Principal | None:
    """``principal_of`` for the event loop: a cached token costs no thread hop; only a
    cache miss reads the store, on the thread pool."""
    if not token:
        return None
    tokens = app_state(request).tokens
    known, principal = tokens.cached(token)
    if known:
        return principal
    found: Principal | None = await run_in_threadpool(tokens.lookup, token)
    return found


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    principal = await principal_async(request, token_from(request, credentials))
    if principal is None:
        raise unauthorized()
    return principal


def allowed_to(action: Action) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller, who must hold ``action`` (401 without token, else 403)."""

    async def dependency(
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> Principal:
        require(principal, action)
        return principal

    dependency.__name__ = f"allowed_to_{action}"
    return dependency
