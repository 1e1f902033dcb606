"""The protective headers on every answer (OWASP Secure Headers), set in one place.

- ``Content-Security-Policy``: the screens need only this site's own script
  (``static/upload.js``), stylesheet, images (page 1) and frames (the archival PDF);
  they have no inline script or style, so none is allowed. ``frame-ancestors 'none'``
  keeps every page out of other sites' frames (clickjacking); ``form-action 'self'``
  and ``base-uri 'none'`` stop an injected form or ``<base>`` from sending anything
  elsewhere. A route that sets its own policy keeps it (stored files:
  ``api.routes_api``).
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``
  everywhere: record ids in URLs never leave for another site in a ``Referer``.
  Not ``no-referrer``: under it browsers send ``Origin: null`` with the screens' own
  form posts, which the same-origin check (``api.auth``) must then refuse.
- ``Cache-Control: no-store`` on screens and JSON, which carry citizens' data, unless
  the route chose its own (page 1: a minute in the browser's private cache); static
  files stay cacheable.

The interactive API docs (``/docs``, ``/redoc``) load FastAPI's Swagger UI from a CDN
with an inline script, and carry no citizen's data: they get no policy.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCREEN_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
_NO_POLICY = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        static = path.startswith("/static/")
        policy = not path.startswith(_NO_POLICY)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if policy:
                    headers.setdefault("Content-Security-Policy", SCREEN_POLICY)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
