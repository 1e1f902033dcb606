"""uvicorn's httptools protocol with a bound on what a request's head may make it hold.

uvicorn's default parser (httptools) buffers request headers without limit, and
``h11_max_incomplete_event_size`` only bounds the h11 parser: 200 headers of 1 MiB each
were read into memory before any application code could refuse them.
``BoundedHttpToolsProtocol`` counts the bytes received while a request's head is still
being read and, once they pass ``api.inputs.MAX_HEADER_BYTES``, answers 431
``headers_too_large`` (the API's JSON error) and closes the connection: a connection
holds at most that plus one network read of headers. The count of header fields, and
the total of a head that fits, are checked after parsing by
``api.inputs.HeaderLimitMiddleware``, with the same answer.

``sohoa serve`` runs uvicorn with it; by hand: ``uvicorn --http
api.protocol:BoundedHttpToolsProtocol --factory api.app:app_from_env``.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import ApiError
from api.inputs import MAX_HEADER_BYTES

PROTOCOL = "api.protocol:BoundedHttpToolsProtocol"


def _refusal() -> bytes:
    body = json.dumps(ApiError(
        431, "headers_too_large", f"The request headers exceed {MAX_HEADER_BYTES} bytes.",
        "Yêu cầu có quá nhiều hoặc quá dài các trường tiêu đề (header).",
    ).body(), ensure_ascii=False).encode("utf-8")
    return (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode("ascii") + b"\r\n"
        b"connection: close\r\n\r\n" + body
    )


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that stops reading a request head past ``MAX_HEADER_BYTES``."""

    max_head_bytes = MAX_HEADER_BYTES
    _head_bytes = 0
    _in_head = True
    _refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head:
            # What came before this read is all head: past the limit, refuse without
            # handing the parser more (the body of a request that fits can share a
            # read with its head, so this read itself is not counted yet).
            if self._head_bytes > self.max_head_bytes:
                self._refuse()
                return
            self._head_bytes += len(data)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head, self._head_bytes = True, 0
        super().on_message_complete()

    def _refuse(self) -> None:
        self._refused = True
        self.logger.warning("request head over %d bytes from %s: refused",
                            self.max_head_bytes, self.client)
        self.transport.write(_refusal())
        self.transport.close()
