"""Finding the caller: a bearer token in ``Authorization``, or the screens' session
cookie (``api.sessions``: the cookie holds a session, never the token itself).

The cookie is HttpOnly (scripts cannot read it) and SameSite=Strict (another site
cannot make the browser send it). A request that changes something on the strength of
the cookie, and the sign-in and sign-out forms (which need no cookie, so SameSite does
not guard them), must also come from this site's own pages: ``require_same_origin``
checks the browser's ``Origin`` / ``Sec-Fetch-Site`` headers, the check OWASP
recommends when forms carry no token of their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.access import Action, require
from api.errors import ApiError, unauthorized
from api.state import app_state
from api.tokens import Principal

COOKIE_NAME = "sohoa_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(auto_error=False, description="A token from `sohoa token create`.")


def principal_of(request: Request, token: str | None) -> Principal | None:
    """The owner of a bearer token (as typed at sign-in, or sent by a client)."""
    if not token:
        return None
    return app_state(request).tokens.lookup(token)


def session_principal(request: Request) -> Principal | None:
    """The owner of the request's session cookie, if it names a live session."""
    return app_state(request).sessions.lookup(request.cookies.get(COOKIE_NAME))


async def principal_async(
    request: Request, credentials: HTTPAuthorizationCredentials | None = None
) -> Principal | None:
    """The caller by bearer token, else by session cookie, for the event loop: a cached
    answer costs no thread hop; only a cache miss reads the store, on the thread pool."""
    state = app_state(request)
    if credentials is not None and credentials.credentials:
        token = credentials.credentials
        known, principal = state.tokens.cached(token)
        if known:
            return principal
        return await run_in_threadpool(state.tokens.lookup, token)
    session = request.cookies.get(COOKIE_NAME)
    if not session:
        return None
    known, principal = state.sessions.cached(session)
    if known:
        return principal
    return await run_in_threadpool(state.sessions.lookup, session)


def require_same_origin(request: Request) -> None:
    """403 for a state-changing request a browser sent from another site's page.

    Clients that are not browsers send neither header and are let through: they cannot
    be made to act by a page the user visits, and they authenticate with a bearer
    token, which no other site can attach.
    """
    if request.method in SAFE_METHODS:
        return
    # Behind a reverse proxy the Host header must be the public one (nginx:
    # ``proxy_set_header Host $host``), or every form post is refused here.
    origin = request.headers.get("origin")
    if origin is not None:
        # Scheme too: http://host is another origin than https://host (a page served
        # over plain HTTP, e.g. by an attacker on the path, must not post to the site).
        # Behind a TLS proxy the scheme comes from X-Forwarded-Proto (uvicorn
        # --proxy-headers with FORWARDED_ALLOW_IPS), as the Host header does.
        seen = urlsplit(origin)
        if (origin != "null" and seen.netloc == request.headers.get("host")
                and seen.scheme == request.url.scheme):
            return
    elif request.headers.get("sec-fetch-site") in (None, "same-origin", "none"):
        return
    raise ApiError(
        403, "cross_site_request", "A request from another site's page was refused.",
        "Yêu cầu gửi từ trang của một trang web khác đã bị từ chối.",
    )


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    principal = await principal_async(request, credentials)
    if principal is None:
        raise unauthorized()
    if credentials is None or not credentials.credentials:
        require_same_origin(request)  # the cookie alone authenticated it
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
