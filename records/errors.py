"""The root of every error sohoa raises on purpose, and what each means for a command.

Modelled on OCRmyPDF's ``ExitCode`` and ``ExitCodeException``: an error class says
which exit code it stands for, and the command line maps errors to exit codes in one
place (``cli.main.main``). ``str(error)`` is English, for logs; ``user_message()`` is
what a person reads, in Vietnamese.

This lives in ``records`` because every package imports ``records`` and nothing below
it: the exception root must be importable from the lowest layer.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """The ``sohoa`` command's exit codes (README, ``docs/architecture.md``)."""

    OK = 0
    # Something the command checked is wrong: a failed file, an invalid signature, a
    # fixity problem, a record not found.
    FAILED = 1
    # The command cannot run as asked: bad arguments or configuration (including a
    # signing key that cannot sign). Nothing was done.
    USAGE = 2
    # A program or data file sohoa needs is not installed (tesseract, a language).
    MISSING_DEPENDENCY = 3
    # A service sohoa needs does not answer (object store, index, broker): try later.
    UNAVAILABLE = 4
    # A bug: an error nobody foresaw. The log has the details.
    INTERNAL = 15
    INTERRUPTED = 130


class SohoaError(Exception):
    """Base of sohoa's own errors. Subclasses set ``exit_code`` and ``summary``."""

    exit_code: ClassVar[ExitCode] = ExitCode.FAILED
    # What went wrong, in Vietnamese, for the person; the English detail follows it.
    summary: ClassVar[str] = "Lỗi"

    def user_message(self) -> str:
        return f"{self.summary}: {self}"


class UsageError(SohoaError):
    """The command was asked for something it cannot do as given."""

    exit_code = ExitCode.USAGE
    summary = "Sai cách dùng"

    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)

    def user_message(self) -> str:
        return str(self)


class DependencyError(SohoaError):
    """Something sohoa needs is missing or unreachable, found before any work was done.

    ``detail`` is English (logs); ``message_vi`` tells the person what to do.
    """

    def __init__(self, detail: str, message_vi: str) -> None:
        super().__init__(detail)
        self.message_vi = message_vi

    def user_message(self) -> str:
        return self.message_vi

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (str(self), self.message_vi))


class MissingDependency(DependencyError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class ServiceUnavailable(DependencyError):
    exit_code = ExitCode.UNAVAILABLE


class CodedError(SohoaError):
    """A per-file failure with a stable English ``code`` (for scripts and the API) and a
    Vietnamese ``message`` (shown to officers). It fails one file, never a batch."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def user_message(self) -> str:
        return str(self)

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Raised in worker processes: must survive pickling back to the driver, or the
        # process pool breaks and takes the whole batch with it.
        return (type(self), (self.code, self.message))


class ConfigError(SohoaError):
    """The configuration (``SOHOA_*``) cannot be used as it is. Nothing was done."""

    exit_code = ExitCode.USAGE
    summary = "Cấu hình không hợp lệ"


# errno values of a full disk or an exhausted quota; SQLite's SQLITE_FULL.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_SQLITE_FULL = 13


class StorageFull(SohoaError):
    """A disk sohoa writes to is full (the store, the index, the upload staging).

    Whatever was being written is not committed (the store writes a temporary file and
    renames it; SQLite rolls back), so nothing is half-stored: free space, then retry.
    The API answers 507 ``storage_full`` (503 where only a session was being written);
    ``sohoa ingest`` stops the batch, since every following file would fail the same way.
    """

    exit_code = ExitCode.UNAVAILABLE
    code = "storage_full"
    message_vi = ("Ổ đĩa lưu trữ đã đầy nên chưa lưu được; "
                  "báo quản trị giải phóng dung lượng rồi thử lại.")

    def __init__(self, where: str) -> None:
        super().__init__(f"no space left on the disk: {where}")
        self.where = where

    def user_message(self) -> str:
        return self.message_vi

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (type(self), (self.where,))


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a full disk: ENOSPC/EDQUOT, SQLITE_FULL."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, StorageFull):
            return True
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@contextmanager
def disk_full_as_storage_full(where: str) -> Iterator[None]:
    """Turn a full disk met while writing ``where`` into ``StorageFull``."""
    try:
        yield
    except StorageFull:
        raise
    except Exception as exc:
        if is_disk_full(exc):
            raise StorageFull(where) from exc
        raise
