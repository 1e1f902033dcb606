"""The object-store contract every backend fulfils."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


class StorageError(Exception):
    """Base of the errors a store raises."""


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

    def __init__(self, key: str, expected: str, actual: str) -> None:
        super().__init__(f"checksum mismatch for {key}: expected {expected}, got {actual}")
        self.key = key
        self.expected = expected
        self.actual = actual


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
        """Objects under ``prefix`` in key order, streamed (never all in memory)."""
        ...

    def delete(self, key: str) -> None:
        """Remove an object. Only the audited admin deletion calls this."""
        ...
