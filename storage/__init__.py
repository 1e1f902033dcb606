"""sohoa storage: the system of record, on the filesystem or S3, losing nothing.

Offers:
- ``open_store(url, *, access_key, secret_key, secure, object_lock_days, retry)``:
  a ``Store`` for ``file:///path`` or ``s3://host:port/bucket``;
- the ``Store`` protocol, ``ObjectInfo``, the errors (``StorageError``,
  ``ObjectNotFound``, ``ObjectExists``, ``IntegrityError`` and its ``DamagedRecord``,
  ``StorageUnavailable``, ``InvalidKey``), ``RetryPolicy`` and ``lock_status``;
- the layout: ``original_key``, ``archival_key``, ``text_key``, ``record_key``,
  ``record_prefix``, ``parse_key``, and ``normalize_agency`` (an agency's one form);
- record JSON: ``save_record``, ``load_record``, ``record_versions``,
  ``record_exists``, ``iter_latest_records``.

Submodules with their own entry points: ``storage.fixity`` (``check``, ``run``),
``storage.bagit`` (``export_archive``, ``import_archive``), ``storage.admin``
(``plan_deletion``, ``carry_out``: a ``RecordDeletion``). Backends: ``storage.filestore.FileStore``,
``storage.s3store.S3Store``.
"""

from storage.base import (
    DamagedRecord,
    IntegrityError,
    InvalidKey,
    LockStatus,
    ObjectExists,
    ObjectInfo,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    Store,
)
from storage.factory import lock_status, open_store
from storage.layout import (
    ParsedKey,
    archival_key,
    normalize_agency,
    original_key,
    parse_key,
    record_key,
    record_prefix,
    text_key,
)
from storage.records import (
    iter_latest_records,
    load_record,
    record_exists,
    record_versions,
    save_record,
)
from storage.retry import RetryPolicy

__all__ = [
    "DamagedRecord",
    "IntegrityError",
    "InvalidKey",
    "LockStatus",
    "ObjectExists",
    "ObjectInfo",
    "ObjectNotFound",
    "ParsedKey",
    "RetryPolicy",
    "StorageError",
    "StorageUnavailable",
    "Store",
    "archival_key",
    "iter_latest_records",
    "load_record",
    "lock_status",
    "normalize_agency",
    "open_store",
    "original_key",
    "parse_key",
    "record_exists",
    "record_key",
    "record_prefix",
    "record_versions",
    "save_record",
    "text_key",
]
