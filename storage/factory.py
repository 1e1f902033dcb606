"""Open a store from its URL: ``file:///path`` or ``s3://HOST:PORT/BUCKET``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from storage.base import LockStatus, StorageError, Store
from storage.filestore import FileStore
from storage.retry import RetryPolicy

if TYPE_CHECKING:
    from storage.s3store import S3Store

log = logging.getLogger(__name__)


def open_store(
    url: str,
    *,
    access_key: str | None = None,
    secret_key: str | None = None,
    secure: bool = True,
    object_lock_days: int | None = None,
    retry: RetryPolicy | None = None,
    ca_file: str | None = None,
) -> Store:
    """The store at ``url``. Credentials are passed in (the settings read them from
    ``SOHOA_S3_*``), never embedded in the URL, so the URL is always safe to log.

    ``object_lock_days`` asks for S3 Object Lock retention on new objects; when the
    server or bucket cannot do it, the store still opens and ``lock_status(store)``
    says why (the filesystem never can).
    """
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise StorageError(f"file URL must be local (file:///path): {url}")
        if not parts.path.startswith("/"):
            raise StorageError(f"file URL needs an absolute path (file:///path): {url}")
        store = FileStore(Path(url2pathname(parts.path)), object_lock_days=object_lock_days)
        if object_lock_days:
            log.warning("%s: %s", store.url, store.object_lock.detail)
        return store
    if parts.scheme == "s3":
        return _open_s3(url, access_key, secret_key, secure, object_lock_days, retry, ca_file)
    raise StorageError(
        f"unsupported storage URL (use file:///path or s3://host:port/bucket): {url}"
    )


def _open_s3(
    url: str,
    access_key: str | None,
    secret_key: str | None,
    secure: bool,
    object_lock_days: int | None,
    retry: RetryPolicy | None,
    ca_file: str | None,
) -> S3Store:
    parts = urlsplit(url)
    # Reading .username would be fine, but echoing the URL back would leak a password.
    if "@" in parts.netloc:
        raise StorageError(
            "S3 credentials do not belong in the storage URL; "
            "set SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY"
        )
    bucket = unquote(parts.path.strip("/"))
    if not parts.hostname or not bucket or "/" in bucket:
        raise StorageError(f"S3 URL must be s3://host:port/bucket: {url}")
    if not access_key or not secret_key:
        raise StorageError("S3 storage needs SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY")
    # Only here: the S3 client (minio, with its crypto and HTTP stack) is a third of a
    # second of imports that every ``sohoa`` command on a filesystem store, and each
    # batch's worker server, would otherwise pay.
    from storage.s3store import S3Store

    return S3Store(
        parts.netloc,
        bucket,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        object_lock_days=object_lock_days,
        retry=retry,
        ca_file=ca_file,
    )


def lock_status(store: Store) -> LockStatus:
    """Whether new objects in ``store`` are protected by write-once retention."""
    status = getattr(store, "object_lock", None)
    if isinstance(status, LockStatus):
        return status
    return LockStatus(None, False, f"{type(store).__name__} has no object lock")
