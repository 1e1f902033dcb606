"""The one error shape of the API, and the handlers that guarantee it.

Every failure answers ``{"error": {"code": "...", "message": "..."}}`` with a stable
English ``code`` for scripts and an English ``message``; ``message_vi`` carries the
sentence the screens show. Nothing raised inside a handler reaches the client as a
stack trace: the catch-all logs it and answers a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from audit import AuditError
from records.text import shown
from storage.base import IntegrityError

log = logging.getLogger("sohoa.api")


class ApiError(Exception):
    """A failure the client can act on: an HTTP status, a code, and two messages."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_vi: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.message_vi = message_vi or message
        self.details = details
        self.headers = headers

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "message_vi": self.message_vi,
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "A valid bearer token is required.",
        "Cần đăng nhập bằng mã truy cập hợp lệ.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def forbidden(action: str) -> ApiError:
    return ApiError(
        403,
        "forbidden",
        f"This token's role may not {action}.",
        "Vai trò của mã truy cập này không được phép thực hiện thao tác này.",
    )


def not_found(what: str = "record") -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.", "Không tìm thấy.")


def archive_damaged(exc: IntegrityError) -> ApiError:
    """409 for a stored object that fails its checksum or a record JSON that does not
    read: the request was fine, the archive is not. Logged for the operator (the key
    says which object to restore); the client learns only that the record is damaged."""
    log.error("damaged stored object: %s", exc)
    return ApiError(
        409, "archive_damaged",
        "A stored object of this record is damaged (it fails its checksum); nothing was "
        "returned. An administrator must restore it from a backup.",
        "Dữ liệu lưu trữ của hồ sơ này bị hỏng (không khớp mã kiểm tra) nên không thể "
        "cung cấp. Xin báo quản trị để khôi phục từ bản sao lưu.",
    )


def bad_request(code: str, message: str, message_vi: str) -> ApiError:
    return ApiError(400, code, message, message_vi)


_STATUS_CODES = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthorized", "Cần đăng nhập."),
    403: ("forbidden", "Không được phép."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    406: ("not_acceptable", "Không thể trả về định dạng được yêu cầu."),
    413: ("request_too_large", "Yêu cầu vượt quá dung lượng cho phép."),
    415: ("unsupported_media_type", "Định dạng yêu cầu không được hỗ trợ."),
    431: ("headers_too_large", "Yêu cầu có quá nhiều hoặc quá dài các trường tiêu đề (header)."),
}


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    problems = []
    for err in exc.errors():
        # Echoed through ``shown``: a field name may be anything the client sent (a
        # lone surrogate would make the answer itself unencodable, a 500).
        where = ".".join(shown(str(p)) for p in err.get("loc", ()) if p != "body") or "request"
        problems.append({"field": where, "problem": shown(str(err.get("msg", "invalid")), 200)})
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
    return summary or "invalid request", problems


HtmlRenderer = Callable[[Request, ApiError], Response]


def wants_html(request: Request) -> bool:
    """Screens get HTML errors; everything under /api, /metrics and /healthz gets JSON."""
    path = request.url.path
    return not path.startswith(("/api/", "/metrics", "/healthz", "/openapi", "/docs"))


def install_handlers(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """Map every exception to the error shape; never leak internals."""

    def respond(request: Request, exc: ApiError) -> Response:
        if html is not None and wants_html(request):
            return html(request, exc)
        return error_response(exc)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        message, problems = _validation_message(exc)
        return respond(
            request,
            ApiError(
                422,
                "invalid_request",
                message,
                "Dữ liệu gửi lên không hợp lệ.",
                details={"problems": problems},
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, vi = _STATUS_CODES.get(exc.status_code, ("http_error", "Yêu cầu không thành công."))
        message = exc.detail if isinstance(exc.detail, str) else code
        headers = getattr(exc, "headers", None)
        return respond(request, ApiError(exc.status_code, code, message, vi, headers=headers))

    @app.exception_handler(AuditError)
    async def _audit(request: Request, exc: AuditError) -> Response:
        # Fail closed: an answer that cannot be audited is not given.
        log.error("audit unavailable on %s %s: %s", request.method, request.url.path, exc)
        return respond(request, ApiError(
            503, "audit_unavailable",
            "The access could not be recorded in the audit log; nothing was returned. "
            "Retry later.",
            "Không ghi được nhật ký kiểm toán nên chưa thể trả kết quả; xin thử lại sau.",
            headers={"Retry-After": "5"},
        ))

    @app.exception_handler(IntegrityError)
    async def _damaged(request: Request, exc: IntegrityError) -> Response:
        return respond(request, archive_damaged(exc))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(
            request,
            ApiError(500, "internal_error", "Internal server error.", "Lỗi hệ thống, xin thử lại."),
        )


class RequestTooLarge(StarletteHTTPException):
    """Raised while the body streams in: FastAPI lets HTTP exceptions through unchanged."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body exceeds {limit} bytes.")


class BodyLimitMiddleware:
    """Refuses request bodies over ``limit`` bytes, before or while they stream in, with
    the API's JSON error (Starlette's own limiter answers plain text)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            response = error_response(ApiError(
                413, "request_too_large", f"The request body exceeds {self.limit} bytes.",
                "Yêu cầu vượt quá dung lượng cho phép.",
            ))
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise RequestTooLarge(self.limit)
            return message

        await self.app(scope, counting_receive, send)
