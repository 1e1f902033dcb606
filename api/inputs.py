"""What the HTTP service refuses or cleans before any work, in one place.

- JSON text fields (``PlainText``): no control, format or surrogate character
  (``records.text``), refused as 422 ``invalid_request``; lengths stay beside each
  field (``Field(max_length=…)``), corrected values' limits in
  ``extract.review.MAX_VALUE_CHARS``.
- Upload file names (``visible_filename``): invisible characters removed, so a bidi
  override cannot make ``evil\\u202egnp.exe`` show as "evilexe.png".
- Request headers (``HeaderLimitMiddleware``): at most ``MAX_HEADERS`` fields and
  ``MAX_HEADER_BYTES`` in all, else 431 ``headers_too_large``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import ApiError, error_response
from records.text import has_invisible, strip_invisible

# Browsers send 1-3 KiB of headers (cookies included); nginx's default buffers take
# 4 x 8 KiB. Past these a request is an attack or a bug, and each header held costs
# memory while the request lives.
MAX_HEADERS = 100
MAX_HEADER_BYTES = 32 * 1024


def _plain(value: str) -> str:
    if has_invisible(value):
        raise ValueError("control, invisible or format character (NUL, bidi override, "
                         "lone surrogate…)")
    return value


PlainText = Annotated[str, AfterValidator(_plain)]


def visible_filename(name: str | None) -> str | None:
    """The client's file name without invisible characters (controls, bidi overrides,
    zero-width spaces, lone surrogates): what is shown is what is stored."""
    return None if name is None else strip_invisible(name)


class HeaderLimitMiddleware:
    """431 for a request with too many or too large headers, before any route runs.

    uvicorn's httptools parser (the default) has no header limit of its own; its
    ``h11_max_incomplete_event_size`` only applies to the h11 parser. The parser has
    buffered the headers by the time this runs, but the request goes no further and
    its memory is freed with it; a reverse proxy in front (nginx
    ``large_client_header_buffers``) stops them at the socket (docs/api.md)."""

    def __init__(self, app: ASGIApp, max_headers: int = MAX_HEADERS,
                 max_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_headers = max_headers
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope["headers"]
            size = sum(len(name) + len(value) + 4 for name, value in headers)
            if len(headers) > self.max_headers or size > self.max_bytes:
                response = error_response(ApiError(
                    431, "headers_too_large",
                    f"At most {self.max_headers} request headers, {self.max_bytes} bytes "
                    "in all.",
                    "Yêu cầu có quá nhiều hoặc quá dài các trường tiêu đề (header).",
                    headers={"Connection": "close"},
                ))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
