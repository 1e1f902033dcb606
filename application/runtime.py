"""The composition root: the objects a pipeline run needs, built from Settings.

Everything that talks to the outside (store, index, signer) is created here once and
passed down; stages never reach for configuration themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from application.audited import AuditTrail
from application.audited_reuse import AuditedReuse
from application.locks import file_lock, redis_lock
from application.preflight import index_unavailable, store_unavailable
from application.settings import Settings
from audit import AuditJournal, AuditLog
from records.errors import ConfigError, SohoaError
from records.procedures import Procedure, load_procedures
from records.result_types import cached_result_types
from reuse import IntactArchive, ReuseService
from search import open_index
from search.base import Index
from signing import DevIdentity, Signer, ensure_dev_identity, load_signer, verify_pdf
from stats import CountingIndex, StatsStore
from storage import RetryPolicy, StorageError, StorageUnavailable, open_store
from storage.base import Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    index: Index
    _signer: Signer | None = field(default=None, repr=False)
    _dev_identity: DevIdentity | None = field(default=None, repr=False)
    _procedures: dict[str, Procedure] | None = field(default=None, repr=False)
    _audit: AuditJournal | None = field(default=None, repr=False)
    _redis: Any = field(default=None, repr=False)
    _stats: StatsStore | None = field(default=None, repr=False)
    _reuse: AuditedReuse | None = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        # Everything below names citizens or holds keys: the service's account only.
        try:
            settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"SOHOA_DATA={settings.data_dir}: {exc}") from exc
        try:
            store = open_store(
                settings.storage_url,
                access_key=settings.s3_access_key,
                secret_key=settings.s3_secret_key,
                secure=settings.s3_secure,
                object_lock_days=settings.s3_object_lock_days,
                # An S3 outage pauses the batch this long (with backoff) before files fail.
                retry=RetryPolicy(max_wait=settings.storage_retry_seconds),
            )
        except StorageUnavailable as exc:
            raise store_unavailable(settings.storage_url, exc) from exc
        except (StorageError, ValueError, OSError) as exc:
            raise ConfigError(f"SOHOA_STORAGE_URL={settings.storage_url}: {exc}") from exc
        try:
            index = open_index(settings.index_url)
        except SohoaError:
            raise
        except ValueError as exc:
            raise ConfigError(f"SOHOA_INDEX_URL={settings.index_url}: {exc}") from exc
        except Exception as exc:  # each backend's client has its own connection errors
            raise index_unavailable(settings.index_url, exc) from exc

        # Every record write goes through the index: the statistics follow it there.
        runtime = cls(settings=settings, store=store, index=index)
        runtime._stats = StatsStore(
            settings.data_dir / "stats.sqlite3", procedures=_LazyProcedures(runtime),
            default_agency=settings.agency,
        )
        runtime.index = CountingIndex(index, runtime._stats)
        return runtime

    def stats(self) -> StatsStore:
        """The statistics store (``stats``): record facts and reuse counters."""
        assert self._stats is not None, "Runtime.open builds the statistics store"
        return self._stats

    @property
    def uses_dev_identity(self) -> bool:
        return self.settings.signing.uses_dev_identity

    def dev_identity(self) -> DevIdentity:
        if self._dev_identity is None:
            self._dev_identity = ensure_dev_identity(
                self.settings.data_dir / "signing", self.settings.agency
            )
        return self._dev_identity

    def signer(self) -> Signer:
        """The batch's one signer (and timestamper), created on first use."""
        if self._signer is None:
            self._signer = load_signer(
                self.settings.signing,
                self.dev_identity() if self.uses_dev_identity else None,
            )
        return self._signer

    def procedures(self) -> dict[str, Procedure]:
        """The procedure catalog (shipped, extended by ``SOHOA_PROCEDURES``), read once;
        its components may name this deployment's own result types."""
        if self._procedures is None:
            self._procedures = load_procedures(
                self.settings.procedures_path,
                result_types=cached_result_types(self.settings.result_types_path),
            )
        return self._procedures

    def trust_roots(self) -> list[Path]:
        """Configured roots; in embedded mode the development CA is trusted too."""
        roots = list(self.settings.trust_roots)
        if self.uses_dev_identity:
            roots.append(self.dev_identity().ca_cert_path)
        return roots

    def record_lock(self, record_id: str) -> AbstractContextManager[None]:
        """Held while committing ``record_id`` (see ``application.locks``): on the broker when
        there is one, which every machine shares, else on this machine's data dir."""

        if not self.settings.broker_url:
            return file_lock(self.settings.data_dir / "locks", record_id)
        if self._redis is None:
            import redis  # only with a broker: a deployment without one never loads it

            self._redis = redis.Redis.from_url(self.settings.broker_url)
        return redis_lock(self._redis, record_id, self.settings.broker_visibility_timeout)

    def audit(self) -> AuditJournal:
        """The audit log, through this host's journal: entries are durable once
        journaled and reach the hash chain in storage shortly after (or at ``close``)."""
        if self._audit is None:
            self._audit = AuditJournal(
                AuditLog(self.store), self.settings.audit_journal_dir,
                on_written=self.stats().add_events,
            )
        return self._audit

    def trail(self) -> AuditTrail:
        """Where every audit entry is written (``application.audited``): this host's
        journal. Reading the log (``entries``, ``verify``, ``flush``) goes to ``audit``."""
        return AuditTrail(self.audit())

    def reuse(self) -> AuditedReuse:
        """The reuse lookup and release over this archive, built once: audited on this
        host's journal (``application.audited_reuse``); offering only papers whose
        archival PDF reads back intact (one ``IntactArchive`` per process, so what it
        remembers is shared); a released PDF's signature checked against
        ``trust_roots``; papers signed with a development identity counted only by a
        deployment that signs with one itself."""
        if self._reuse is None:
            roots = self.trust_roots()
            service = ReuseService(
                index=self.index,
                store=self.store,
                procedures=self.procedures(),
                verify=IntactArchive(self.store),
                # The bytes handed over must verify, not only the metadata say so.
                verify_signature=lambda data: verify_pdf(data, trust_roots=roots).valid,
                accept_development_signatures=self.uses_dev_identity,
            )
            self._reuse = AuditedReuse(service, self.trail())
        return self._reuse

    def close(self) -> None:
        self._reuse = None
        if self._redis is not None:
            self._redis.close()
            self._redis = None
        if self._audit is not None:
            self._audit.close()
            self._audit = None
        if self._signer is not None:
            self._signer.close()
            self._signer = None
        self.index.close()


class _LazyProcedures(Mapping[str, "Procedure"]):
    """The runtime's procedure catalog, loaded on first use: most runs never count a
    reuse lookup, and loading it checks the result-type catalog too."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def __getitem__(self, code: str) -> Procedure:
        return self.runtime.procedures()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self.runtime.procedures())

    def __len__(self) -> int:
        return len(self.runtime.procedures())
