"""The object-store contract every backend fulfils."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from records.errors import ExitCode, SohoaError
from records.text import has_invisible as has_invisible  # storage.layout imports it here


class StorageError(SohoaError):
    """Base of the errors a store raises."""

    summary = "Lỗi kho lưu trữ"


class ObjectNotFound(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"object not found: {key}")
        self.key = key


class ObjectExists(StorageError):
    """Raised when writing a key that already holds different bytes: stored objects are
    immutable, so a correction must go to a new key (a new record version)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"object already exists with other content: {key}")
        self.key = key


class IntegrityError(StorageError):
    """The bytes read (or just written) do not match the SHA-256 stored with them."""

    summary = "Dữ liệu trong kho lưu trữ bị hỏng"

    def __init__(self, key: str, expected: str, actual: str) -> None:
        super().__init__(f"checksum mismatch for {key}: expected {expected}, got {actual}")
        self.key = key
        self.expected = expected
        self.actual = actual

    def user_message(self) -> str:
        return (f"{self.summary}: {self.key} (không khớp mã kiểm tra). Chạy sohoa fixity "
                "và khôi phục đối tượng này từ bản sao lưu.")

    def __reduce__(self) -> tuple[type, tuple[str, ...]]:
        # Raised in worker processes too: must survive pickling back to the driver.
        return (type(self), (self.key, self.expected, self.actual))


class DamagedRecord(IntegrityError):
    """A record version whose JSON cannot be read back as a record (not UTF-8, not
    JSON, not a record's shape). Damaged like an object failing its checksum, and
    answered alike: whoever catches ``IntegrityError`` catches this too."""

    def __init__(self, key: str, why: str) -> None:
        StorageError.__init__(self, f"record JSON unreadable at {key}: {why}")
        self.key = key
        self.why = why
        self.expected = self.actual = ""

    def __reduce__(self) -> tuple[type, tuple[str, ...]]:
        return (type(self), (self.key, self.why))

    def user_message(self) -> str:
        return (f"{self.summary}: bản ghi {self.key} không đọc được. Chạy sohoa fixity "
                "và khôi phục bản ghi này từ bản sao lưu.")


class StorageUnavailable(StorageError):
    """The backend could not be reached within the configured retry budget. Nothing was
    written by the failed call (an S3 PUT is all-or-nothing)."""

    exit_code = ExitCode.UNAVAILABLE
    summary = "Kho lưu trữ không trả lời (thử lại sau hoặc báo quản trị)"

    def __init__(self, operation: str, key: str, attempts: int, waited: float, cause: str) -> None:
        super().__init__(
            f"storage unavailable: {operation} {key!r} failed after {attempts} attempts "
            f"over {waited:.1f}s: {cause}"
        )
        self.operation = operation
        self.key = key
        self.attempts = attempts


class InvalidKey(StorageError, ValueError):
    """A key that is not a relative ``/``-separated path of safe segments."""

    def __init__(self, key: str, why: str) -> None:
        super().__init__(f"invalid object key {key!r}: {why}")
        self.key = key


_RESERVED_FIRST_SEGMENT = ".sohoa"
_METADATA_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


# Keys hold no control, format (bidi overrides, zero-width spaces) or separator
# character (``records.text.has_invisible``): invisible or reordering in a listing, they
# make keys and agency names that look alike but differ (a lookalike agency), and some
# tools cut names at them.


def check_key(key: str) -> str:
    """Return ``key`` if it is a valid object key, else raise ``InvalidKey``.

    The same rules hold on every backend so that a key valid on the filesystem is valid
    on S3 and an archive moves between them: no leading or trailing ``/``, no empty,
    ``.`` or ``..`` segment, no backslash, control or invisible format character
    (``has_invisible``), valid UTF-8, at most 250 bytes per segment (the filesystem adds
    a suffix to sidecar names) and 1024 in all (the S3 limit), and ``.sohoa`` is
    reserved at the top (the filesystem backend keeps its bookkeeping there).
    """
    if not key:
        raise InvalidKey(key, "empty")
    try:
        encoded = key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKey(key, "not valid UTF-8") from None
    if len(encoded) > 1024:
        raise InvalidKey(key, "longer than 1024 bytes")
    if has_invisible(key) or "\\" in key:
        raise InvalidKey(key, "control, invisible or format character, or backslash")
    segments = key.split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            raise InvalidKey(key, "empty, '.' or '..' segment")
        if len(segment.encode("utf-8")) > 250:
            raise InvalidKey(key, "segment longer than 250 bytes")
    if segments[0] == _RESERVED_FIRST_SEGMENT:
        raise InvalidKey(key, f"{_RESERVED_FIRST_SEGMENT!r} is reserved")
    return key


def check_metadata(metadata: dict[str, str] | None) -> dict[str, str]:
    """User metadata names are lowercase tokens (they become ``x-amz-meta-*`` headers);
    ``sha256`` is reserved for the checksum the store sets itself."""
    out: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not _METADATA_NAME.match(name) or name == "sha256":
            raise ValueError(f"invalid metadata name {name!r}")
        out[name] = str(value)
    return out


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str | None
    content_type: str = "application/octet-stream"
    metadata: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Store(Protocol):
    """An object store holding sohoa's system of record.

    Keys are ``/``-separated paths without a leading slash. Writes are all-or-nothing:
    a reader never sees a half-written object. Every object carries its SHA-256, which
    ``put`` verifies after writing and ``get`` verifies on reading.
    """

    url: str

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> ObjectInfo:
        """Store ``data`` at ``key``. Writing identical bytes again is a no-op (idempotent
        retries); writing different bytes to an existing key raises ``ObjectExists``."""
        ...

    def get(self, key: str) -> bytes:
        """Read and verify an object; ``ObjectNotFound`` or ``IntegrityError``."""
        ...

    def head(self, key: str) -> ObjectInfo | None:
        """The object's info, or ``None`` when absent."""
        ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects under ``prefix``, streamed (never all in memory), in key order.

        "Key order" is S3's byte order on the filesystem, AWS and MinIO; SeaweedFS lists
        each ``/``-separated level as a block (the order of ``key.split("/")``). What
        callers may rely on holds for both: sibling names come in order, and all keys
        sharing a prefix that ends in ``/`` come out together (so a record's objects
        are consecutive). ``sha256`` may be ``None`` in listed infos (use ``head``)."""
        ...

    def delete(self, key: str) -> None:
        """Remove an object (absent: nothing to do). A record's objects are removed only
        by the audited admin deletion; tokens and screen sessions by their modules."""
        ...

    def repair(self, key: str, data: bytes, sha256: str) -> bool:
        """Put back the bytes of a damaged object: the one write to an existing key.

        Write-once still holds: ``data`` must hash to ``sha256`` (else
        ``IntegrityError``) and ``sha256`` must be the checksum recorded with the
        object (``ObjectNotFound`` when absent, ``ObjectExists`` when it records other
        bytes), so a repair can only restore what was stored. An object whose bytes
        still match their checksum is left untouched (``False``); a damaged one is
        replaced (``True``)."""
        ...


def same_or_conflict(existing: ObjectInfo, key: str, sha256: str) -> ObjectInfo:
    """Idempotent put: identical bytes return the stored object, other bytes refuse."""
    if existing.sha256 == sha256:
        return existing
    raise ObjectExists(key)


def check_repair(existing: ObjectInfo | None, key: str, data: bytes, sha256: str) -> ObjectInfo:
    """The conditions of ``Store.repair`` before it looks at the stored bytes."""
    actual = sha256_hex(data)
    if actual != sha256:
        raise IntegrityError(key, sha256, actual)
    if existing is None:
        raise ObjectNotFound(key)
    if existing.sha256 != sha256:
        raise ObjectExists(key)
    return existing


@dataclass(frozen=True)
class LockStatus:
    """Whether write-once retention (S3 Object Lock) protects new objects."""

    requested_days: int | None
    active: bool
    detail: str
