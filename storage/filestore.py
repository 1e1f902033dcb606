"""The filesystem backend: the embedded default.

Layout under the root directory::

    <key>                       the object's bytes, at its key's path
    .sohoa/meta/<key>.json      sidecar: sha256, size, content type, user metadata
    .sohoa/tmp/                 writes in progress (same filesystem, so rename is atomic)
    .sohoa/locks/NN.lock        striped commit locks (flock)

The checksum lives in a JSON sidecar rather than an extended attribute: xattrs are lost
by ``cp``, ``tar``, ``rsync`` without ``-X`` and many backup tools, are missing or size
limited on some filesystems (NFS, older tmpfs), and are invisible to an operator; a
sidecar survives any copy, holds the content type and metadata too, and can be read
with ``cat``.

A write goes to a temporary file that is fsynced and read back, then the sidecar is
renamed into place, then the data; the data file's existence is the commit point, so
a crash leaves either nothing visible or a complete, checksummed object. A crash can
leave a temporary file (ignored: ``.sohoa`` is never listed, cleaned by
``clean_temp``) or a sidecar without data (invisible, replaced by the next write).
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import fcntl
import heapq
import json
import logging
import os
import secrets
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from records.errors import disk_full_as_storage_full
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

log = logging.getLogger(__name__)

_INTERNAL = ".sohoa"
_LOCK_STRIPES = 64
_DEFAULT_TEMP_AGE = 3600.0
_SORT_BATCH = 16384


class FileStore:
    """Objects as files under ``root`` (see the module docstring for the layout).

    ``fsync=False`` skips the flushes to disk: only for seeding benchmarks and
    throwaway data, never for the system of record.
    """

    def __init__(
        self,
        root: Path,
        *,
        fsync: bool = True,
        clean_temp_older_than: float = _DEFAULT_TEMP_AGE,
        object_lock_days: int | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.url = self.root.as_uri()
        self._fsync = fsync
        self.object_lock = LockStatus(
            object_lock_days,
            False,
            "the filesystem store cannot enforce object lock"
            if object_lock_days
            else "object lock not requested",
        )
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.root / _INTERNAL).mkdir(mode=0o700, exist_ok=True)
        for sub in ("meta", "tmp", "locks"):
            (self.root / _INTERNAL / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        self.clean_temp(older_than=clean_temp_older_than)

    def __repr__(self) -> str:
        return f"FileStore({self.url!r})"

    # -- paths ---------------------------------------------------------------------

    def _data_path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _meta_path(self, key: str) -> Path:
        return self.root / _INTERNAL / "meta" / f"{key}.json"

    @property
    def _tmp_dir(self) -> Path:
        return self.root / _INTERNAL / "tmp"

    # -- protocol --------------------------------------------------------------------

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> ObjectInfo:
        path = self._data_path(key)
        meta = check_metadata(metadata)
        digest = sha256_hex(data)
        existing = self.head(key)
        if existing is not None:
            return same_or_conflict(existing, key, digest)
        sidecar = {
            "sha256": digest,
            "size": len(data),
            "content_type": content_type,
            "metadata": meta,
        }
        tmp_data: Path | None = None
        tmp_meta: Path | None = None
        try:
            # A full disk leaves nothing committed: the temporary files go below.
            with disk_full_as_storage_full(f"object store {self.root}"):
                tmp_data = self._write_temp(data, verify_sha256=digest)
                tmp_meta = self._write_temp(_encode_sidecar(sidecar))
                with self._lock(key):
                    existing = self.head(key)
                    if existing is not None:  # another writer committed while we wrote
                        return same_or_conflict(existing, key, digest)
                    self._commit(tmp_meta, self._meta_path(key))
                    self._commit(tmp_data, path)
        finally:
            for tmp in (tmp_data, tmp_meta):
                if tmp is not None:
                    with contextlib.suppress(FileNotFoundError):
                        tmp.unlink()
        return ObjectInfo(key, len(data), digest, content_type, meta)

    def get(self, key: str) -> bytes:
        path = self._data_path(key)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(key) from None
        actual = sha256_hex(data)
        expected = self._read_sidecar(key).get("sha256")
        if expected != actual:
            raise IntegrityError(key, str(expected or "(no checksum)"), actual)
        return data

    def head(self, key: str) -> ObjectInfo | None:
        path = self._data_path(key)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        side = self._read_sidecar(key)
        return ObjectInfo(
            key=key,
            size=st.st_size,
            sha256=side.get("sha256"),
            content_type=side.get("content_type") or "application/octet-stream",
            metadata=dict(side.get("metadata") or {}),
        )

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        directory, _, start = prefix.rpartition("/")
        base = self.root / directory if directory else self.root
        key_prefix = f"{directory}/" if directory else ""
        if directory and (directory.startswith(_INTERNAL) or ".." in directory.split("/")):
            return
        yield from self._walk(str(base), key_prefix, start, top=not directory)

    def delete(self, key: str) -> None:
        path = self._data_path(key)
        with self._lock(key):
            # Data first: its absence is what makes the object gone; a crash before the
            # sidecar goes leaves only an invisible stale sidecar.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                self._sync_dir(path.parent)
            with contextlib.suppress(FileNotFoundError):
                self._meta_path(key).unlink()
        self._prune_empty_dirs(path.parent, self.root)
        self._prune_empty_dirs(self._meta_path(key).parent, self.root / _INTERNAL / "meta")

    def repair(self, key: str, data: bytes, sha256: str) -> bool:
        path = self._data_path(key)
        # All under the key's lock (repairs are rare): nothing can delete or rewrite
        # the object between finding it damaged and replacing it.
        with self._lock(key):
            check_repair(self.head(key), key, data, sha256)
            if self._intact(key):
                return False
            with disk_full_as_storage_full(f"object store {self.root}"):
                tmp = self._write_temp(data, verify_sha256=sha256)
            try:
                # The sidecar already records these bytes: only the data is put back.
                self._commit(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        log.warning("repaired damaged object %s", key)
        return True

    # -- maintenance -----------------------------------------------------------------

    def clean_temp(self, older_than: float = _DEFAULT_TEMP_AGE) -> builtins.list[str]:
        """Remove temporary files left by crashed writers, older than ``older_than``
        seconds (younger ones may belong to a write in progress). Returns their names."""
        removed: builtins.list[str] = []
        cutoff = time.time() - older_than
        with os.scandir(self._tmp_dir) as entries:
            for entry in entries:
                try:
                    if entry.stat(follow_symlinks=False).st_mtime <= cutoff:
                        os.unlink(entry.path)
                        removed.append(entry.name)
                except FileNotFoundError:
                    continue
        if removed:
            log.info("removed %d stale temporary file(s) from %s", len(removed), self._tmp_dir)
        return removed

    # -- internals -------------------------------------------------------------------

    def _walk(
        self, directory: str, key_prefix: str, start: str, *, top: bool
    ) -> Iterator[ObjectInfo]:
        # Plain strings, not Path: this runs once per stored object during a reindex.
        for name in _sorted_names(directory, start, skip=_INTERNAL if top else None):
            if name.endswith("/"):
                child = os.path.join(directory, name[:-1])
                yield from self._walk(child, key_prefix + name, "", top=False)
                continue
            try:
                size = os.stat(os.path.join(directory, name)).st_size
            except FileNotFoundError:  # deleted while listing
                continue
            yield ObjectInfo(key=key_prefix + name, size=size, sha256=None)

    def _intact(self, key: str) -> bool:
        try:
            self.get(key)
        except IntegrityError:
            return False
        return True

    def _read_sidecar(self, key: str) -> dict[str, Any]:
        try:
            value = json.loads(self._meta_path(key).read_bytes())
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def _write_temp(self, data: bytes, *, verify_sha256: str | None = None) -> Path:
        path = self._tmp_dir / f"{os.getpid()}-{secrets.token_hex(8)}.tmp"
        # Citizens' papers: the service's account only, whatever the umask.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if self._fsync:
                os.fsync(fd)
            if verify_sha256 is not None:
                # Read back what the filesystem holds before committing it.
                actual = sha256_hex(os.pread(fd, len(data) + 1, 0))
                if actual != verify_sha256:
                    raise IntegrityError(str(path), verify_sha256, actual)
        except BaseException:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        os.close(fd)
        return path

    def _commit(self, tmp: Path, dest: Path) -> None:
        for _ in range(3):
            self._make_dirs(dest.parent)
            try:
                os.replace(tmp, dest)
            except FileNotFoundError:
                # A concurrent delete pruned the now-empty parent: recreate and retry.
                if not tmp.exists():
                    raise
                continue
            except (IsADirectoryError, NotADirectoryError) as exc:
                raise StorageError(
                    f"key conflicts with an existing prefix on disk: {dest}"
                ) from exc
            self._sync_dir(dest.parent)
            return
        raise StorageError(f"could not commit {dest}: its directory keeps disappearing")

    def _make_dirs(self, directory: Path) -> None:
        missing: list[Path] = []
        current = directory
        while not current.is_dir():
            missing.append(current)
            current = current.parent
        for path in reversed(missing):
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                if not path.is_dir():
                    raise StorageError(
                        f"key conflicts with an existing object on disk: {path}"
                    ) from None
            self._sync_dir(path.parent)

    def _sync_dir(self, directory: Path) -> None:
        if not self._fsync:
            return
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        stripe = zlib.crc32(key.encode("utf-8")) % _LOCK_STRIPES
        path = self.root / _INTERNAL / "locks" / f"{stripe:02d}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    @staticmethod
    def _prune_empty_dirs(directory: Path, stop: Path) -> None:
        while directory != stop and stop in directory.parents:
            try:
                directory.rmdir()
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
                    return
                raise
            directory = directory.parent


def _encode_sidecar(sidecar: dict[str, Any]) -> bytes:
    return json.dumps(sidecar, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _sorted_names(directory: str, start: str, skip: str | None) -> Iterator[str]:
    """A directory's entries in key order, ``name/`` for subdirectories (so that the
    depth-first walk yields keys in S3's byte order), in bounded memory.

    A records directory holds one entry per record; sorting it whole would make memory
    grow with the archive. Each pass scans the directory and keeps only the next
    ``_SORT_BATCH`` names after the last one handed out: one pass for ordinary
    directories, a few cheap ``scandir`` passes for huge ones.
    """
    after: str | None = None
    while True:
        try:
            scan = os.scandir(directory)
        except (FileNotFoundError, NotADirectoryError):
            return
        names: builtins.list[str] = []
        remaining = 0  # names after ``after``, including those pruned below
        with scan:
            for entry in scan:
                if not entry.name.startswith(start) or entry.name == skip:
                    continue
                name = entry.name + "/" if entry.is_dir(follow_symlinks=False) else entry.name
                if after is not None and name <= after:
                    continue
                names.append(name)
                remaining += 1
                if len(names) >= 2 * _SORT_BATCH:
                    names = heapq.nsmallest(_SORT_BATCH, names)
        names.sort()
        yield from names[:_SORT_BATCH]
        if remaining <= _SORT_BATCH:
            return
        after = names[_SORT_BATCH - 1]
