"""The S3 backend (MinIO in production, any S3-compatible server) through ``minio``.

Integrity: every object carries ``x-amz-meta-sha256``; the PUT also sends
``x-amz-checksum-sha256`` so the server checks the bytes it received and echoes the
checksum back; the payload is also signed with the same SHA-256 (servers that check
SigV4 payload hashes, as AWS and MinIO do, verify it too; SeaweedFS 4.48 does not, so
the checksum header is what protects uploads there). A GET is verified against the
metadata returned with it.

Immutability: a PUT is sent with ``If-None-Match: *``, so two racing writers cannot
overwrite each other; when the server refuses it the key is looked at (identical bytes:
no-op, other bytes: ``ObjectExists``). On servers that ignore conditional writes
(probed once at open) the key is looked at before every PUT instead.
"""

from __future__ import annotations

import base64
import builtins
import functools
import hashlib
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import GOVERNANCE
from minio.credentials import Credentials
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.helpers import DictType, ObjectWriteResult, genheaders
from minio.objectlockconfig import DAYS, ObjectLockConfig

from storage.base import (
    IntegrityError,
    LockStatus,
    ObjectInfo,
    ObjectNotFound,
    StorageError,
    check_key,
    check_metadata,
    check_repair,
    same_or_conflict,
    sha256_hex,
)
from storage.retry import RetryPolicy, call_with_retry

log = logging.getLogger(__name__)

T = TypeVar("T")

_META_PREFIX = "x-amz-meta-"
_TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "InternalError",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "OperationAborted",
        "ConditionalRequestConflict",
        "XMinioServerNotInitialized",
        "XMinioStorageFull",
    }
)
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchObject", "ResponseNotFound", "NoSuchVersion"})
_UNSUPPORTED_CODES = frozenset(
    {
        "NotImplemented",
        "InvalidRequest",
        "ObjectLockConfigurationNotFoundError",
        "InvalidBucketState",
    }
)
# Metadata values travel as HTTP headers (ASCII only): anything else is %-escaped,
# and '%' itself too, so decoding is exact.
_SAFE_META = " !#$&'()*+,-./:;=?@[]^_`{|}~"


def is_transient(exc: BaseException) -> bool:
    """Connection failures, 5xx answers and throttling are worth retrying."""
    if isinstance(exc, S3Error):
        status = getattr(exc.response, "status", 0) or 0
        return exc.code in _TRANSIENT_CODES or status >= 500
    if isinstance(exc, ServerError):
        return exc.status_code >= 500
    if isinstance(exc, InvalidResponseError):
        return "Response code: 5" in str(exc)
    return isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError)


class S3Store:
    """One bucket on an S3 server. Credentials stay inside the ``minio`` client and are
    never part of ``url``, ``repr`` or any message."""

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        *,
        access_key: str,
        secret_key: str,
        secure: bool = True,
        object_lock_days: int | None = None,
        retry: RetryPolicy | None = None,
        ca_file: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
    ) -> None:
        self.endpoint = endpoint
        self.bucket = bucket
        self.url = f"s3://{endpoint}/{bucket}"
        self.retry = retry or RetryPolicy()
        # Our own retry loop decides; urllib3's would hide attempts and ignore the budget.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            retries=False,
            maxsize=16,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_file or certifi.where(),
        )
        self._client = _Client(
            endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http
        )
        self.conditional_writes = False
        self.object_lock = self._ensure_bucket(object_lock_days)

    def __repr__(self) -> str:
        return f"S3Store({self.url!r})"

    @property
    def client(self) -> Minio:
        """The underlying client, for admin tooling (never logged)."""
        return self._client

    # -- protocol --------------------------------------------------------------------

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> ObjectInfo:
        check_key(key)
        meta = check_metadata(metadata)
        digest, headers = put_headers(data, content_type, meta)
        info = ObjectInfo(key, len(data), digest, content_type, meta)

        def attempt() -> ObjectInfo:
            if not self.conditional_writes:
                existing = self._stat(key)
                if existing is not None:
                    return same_or_conflict(existing, key, digest)
            try:
                result = _conditional_put(self._client, self.bucket, key, data, headers)
            except S3Error as exc:
                if exc.code != "PreconditionFailed":
                    raise
                existing = self._stat(key)
                if existing is None:  # deleted between the two calls: try again
                    raise
                return same_or_conflict(existing, key, digest)
            _check_echo(result, key, headers)
            return info

        return self._retry("put", key, attempt)

    def get(self, key: str) -> bytes:
        check_key(key)

        def attempt() -> bytes:
            try:
                response = self._client.get_object(self.bucket, key)
            except S3Error as exc:
                if exc.code in _NOT_FOUND_CODES:
                    raise ObjectNotFound(key) from None
                raise
            try:
                # One read then one hash: measured faster here than hashing while
                # streaming, whose per-chunk overhead in urllib3 costs more than it hides.
                data = response.read(decode_content=True)
                expected = response.headers.get(_META_PREFIX + "sha256")
            finally:
                response.close()
                response.release_conn()
            actual = sha256_hex(data)
            if expected != actual:
                raise IntegrityError(key, expected or "(no checksum)", actual)
            return data

        return self._retry("get", key, attempt)

    def head(self, key: str) -> ObjectInfo | None:
        check_key(key)
        return self._retry("head", key, lambda: self._stat(key))

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        last: str | None = None
        while True:
            page = self._retry("list", prefix, functools.partial(self._list_page, prefix, last))
            for info in page:
                yield info
                last = info.key
            if len(page) < _LIST_PAGE:
                return

    def delete(self, key: str) -> None:
        check_key(key)
        self._retry("delete", key, lambda: self._client.remove_object(self.bucket, key))

    def repair(self, key: str, data: bytes, sha256: str) -> bool:
        check_key(key)
        existing = check_repair(self.head(key), key, data, sha256)
        try:
            self.get(key)
            return False
        except IntegrityError:
            pass
        _, headers = put_headers(data, existing.content_type, existing.metadata)

        def attempt() -> None:
            # Unconditional, unlike put: the key exists. A racing repair can only write
            # these same bytes; on a versioned (object-lock) bucket this adds a version
            # and the damaged one stays under its retention.
            result = self._client._put_object(self.bucket, key, data, headers)
            _check_echo(result, key, headers)

        self._retry("repair", key, attempt)
        log.warning("repaired damaged object %s", key)
        return True

    # -- internals -------------------------------------------------------------------

    def _retry(self, operation: str, key: str, fn: Callable[[], T]) -> T:
        try:
            return self._retry_raw(operation, key, fn)
        except MinioException as exc:
            # Callers handle StorageError; minio's own types stay an implementation detail.
            raise StorageError(f"S3 {operation} {key!r} on {self.url} failed: {exc}") from exc

    def _retry_raw(self, operation: str, key: str, fn: Callable[[], T]) -> T:
        return call_with_retry(
            fn, policy=self.retry, is_transient=is_transient, operation=operation, key=key
        )

    def _stat(self, key: str) -> ObjectInfo | None:
        try:
            obj = self._client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _NOT_FOUND_CODES:
                return None
            raise
        meta = _user_metadata(obj.metadata or {})
        digest = meta.pop("sha256", None)
        return ObjectInfo(
            key=key,
            size=int(obj.size or 0),
            sha256=digest,
            content_type=obj.content_type or "application/octet-stream",
            metadata=meta,
        )

    def _list_page(self, prefix: str, after: str | None) -> builtins.list[ObjectInfo]:
        """Up to one page of keys after ``after``: a failed page is retried from the last
        key handed out, so an outage mid-listing neither repeats nor skips keys."""
        page: builtins.list[ObjectInfo] = []
        objects = self._client.list_objects(
            self.bucket, prefix=prefix or None, recursive=True, start_after=after or None
        )
        for obj in objects:
            name = obj.object_name or ""
            if not name or name.endswith("/") or obj.is_dir or name.startswith(".sohoa/"):
                continue
            page.append(ObjectInfo(key=name, size=int(obj.size or 0), sha256=None))
            if len(page) == _LIST_PAGE:
                break
        return page

    def _ensure_bucket(self, lock_days: int | None) -> LockStatus:
        try:
            return self._prepare_bucket(lock_days)
        except MinioException as exc:
            raise StorageError(f"S3 bucket {self.bucket!r} on {self.endpoint}: {exc}") from exc

    def _prepare_bucket(self, lock_days: int | None) -> LockStatus:
        exists = self._retry_raw(
            "bucket_exists", self.bucket, lambda: self._client.bucket_exists(self.bucket)
        )
        if not exists:
            self._make_bucket(lock_days)
        self.conditional_writes = self._probe_conditional_writes()
        if not lock_days:
            return LockStatus(None, False, "object lock not requested")
        return self._apply_lock(lock_days)

    def _make_bucket(self, lock_days: int | None) -> None:
        if lock_days:
            try:
                self._retry_raw(
                    "make_bucket",
                    self.bucket,
                    lambda: self._client.make_bucket(self.bucket, object_lock=True),
                )
                return
            except S3Error as exc:
                if exc.code in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    return
                log.warning(
                    "bucket %s: object lock refused at creation (%s); creating without",
                    self.bucket,
                    exc.code,
                )
        try:
            self._retry_raw(
                "make_bucket", self.bucket, lambda: self._client.make_bucket(self.bucket)
            )
        except S3Error as exc:
            if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def _probe_conditional_writes(self) -> bool:
        """Whether the server refuses a create-only PUT on an existing key. When it does,
        ``put`` skips the HEAD before writing (one round trip less) and concurrent
        writers cannot overwrite each other. The probe object stays (under the reserved
        ``.sohoa/`` prefix, never listed) so later opens need one request."""
        for _ in range(2):
            try:
                self._retry_raw(
                    "probe",
                    _PROBE_KEY,
                    lambda: _conditional_put(self._client, self.bucket, _PROBE_KEY, b"1", {}),
                )
            except S3Error as exc:
                if exc.code == "PreconditionFailed":
                    return True
                raise
        log.warning(
            "bucket %s: server ignores If-None-Match; writes check first, so two writers "
            "racing on one key could overwrite each other",
            self.bucket,
        )
        return False

    def _apply_lock(self, days: int) -> LockStatus:
        wanted = ObjectLockConfig(GOVERNANCE, days, DAYS)
        try:
            current = self._retry_raw(
                "get_object_lock_config",
                self.bucket,
                lambda: self._client.get_object_lock_config(self.bucket),
            )
            if (current.mode, current.duration) != (wanted.mode, wanted.duration):
                self._retry_raw(
                    "set_object_lock_config",
                    self.bucket,
                    lambda: self._client.set_object_lock_config(self.bucket, wanted),
                )
        except S3Error as exc:
            if exc.code not in _UNSUPPORTED_CODES and not str(exc.code).startswith("ObjectLock"):
                raise
            detail = f"object lock unsupported or not enabled on bucket {self.bucket}: {exc.code}"
            log.warning("%s; objects are NOT write-once protected", detail)
            return LockStatus(days, False, detail)
        return LockStatus(
            days, True, f"GOVERNANCE retention, {days} days, default on bucket {self.bucket}"
        )


_LIST_PAGE = 1000
_PROBE_KEY = ".sohoa/conditional-write-probe"
_PAYLOAD_SHA256 = "x-amz-content-sha256"


class _Client(Minio):
    """``Minio`` that signs a PUT with the payload SHA-256 the caller already computed.

    minio hashes every body again to sign it (SHA-256 on HTTP) or computes an MD5 (on
    HTTPS, where it signs ``UNSIGNED-PAYLOAD``): a second pass over each object, about
    as costly as the rest of the client work on loopback. With the digest given, the
    payload is signed on HTTP and HTTPS alike, so every SigV4 server verifies the body
    against it too."""

    def _build_headers(
        self,
        host: str,
        headers: DictType | None = None,
        body: bytes | None = None,
        creds: Credentials | None = None,
    ) -> tuple[DictType, datetime]:
        digest = (headers or {}).get(_PAYLOAD_SHA256)
        if not isinstance(digest, str) or body is None or creds is None:
            return super()._build_headers(host, headers, body, creds)
        # Without a body minio neither hashes nor sets a length: both come from us.
        built, date = super()._build_headers(host, headers, None, creds)
        built["Content-Length"] = str(len(body))
        built[_PAYLOAD_SHA256] = digest
        return built, date


def put_headers(data: bytes, content_type: str, meta: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The SHA-256 (hex) of ``data`` and the headers of its PUT. One hash pass serves as
    the stored metadata, as ``x-amz-checksum-sha256`` (which the server verifies: a body
    damaged on the way is refused with ``BadDigest``) and as the signed payload hash."""
    raw_digest = hashlib.sha256(data).digest()
    digest = raw_digest.hex()
    headers = genheaders(
        {
            **{k: quote(v, safe=_SAFE_META) for k, v in meta.items()},
            "sha256": digest,
            "x-amz-checksum-sha256": base64.b64encode(raw_digest).decode(),
        },
        None,
        None,
        None,
        False,
    )
    headers["Content-Type"] = content_type
    headers[_PAYLOAD_SHA256] = digest
    return digest, headers


def _check_echo(result: ObjectWriteResult, key: str, headers: dict[str, Any]) -> None:
    """The server echoes the checksum it computed over the body it stored."""
    echoed = result.http_headers.get("x-amz-checksum-sha256")
    if echoed is not None and echoed != headers["x-amz-checksum-sha256"]:
        raise IntegrityError(key, headers[_PAYLOAD_SHA256], base64.b64decode(echoed).hex())


def _conditional_put(
    client: Minio, bucket: str, key: str, data: bytes, headers: dict[str, Any]
) -> ObjectWriteResult:
    """A single-request PUT with ``If-None-Match: *`` (create only). minio's public
    ``put_object`` cannot send that header; ``_put_object`` is the plain PUT it uses
    itself for one-part uploads."""
    return client._put_object(bucket, key, data, {**headers, "If-None-Match": "*"})


def _user_metadata(headers: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        lower = str(name).lower()
        if lower.startswith(_META_PREFIX):
            out[lower[len(_META_PREFIX) :]] = unquote(str(value))
    return out


def retention_of(store: S3Store, key: str) -> tuple[str | None, datetime | None]:
    """The object's retention (mode, retain-until), for checks and reports."""
    try:
        retention = store.client.get_object_retention(store.bucket, key)
    except S3Error as exc:
        if exc.code in _UNSUPPORTED_CODES or str(exc.code).startswith("NoSuchObjectLock"):
            return None, None
        raise
    if retention is None:
        return None, None
    until = retention.retain_until_date
    return retention.mode, until.astimezone(UTC) if until else None
