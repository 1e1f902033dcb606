"""What the archive holds after a fault: records in storage, entries in the index,
files left staged, checked against what was sent."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from application.settings import Settings


@dataclass
class Census:
    stored: dict[str, str]  # record id -> source SHA-256
    indexed: dict[str, int]  # record id -> version
    stored_versions: dict[str, int]
    unreadable: list[str] = field(default_factory=list)

    def lost(self, sent: list[Path], failed: set[str]) -> list[str]:
        """Files sent and accepted that are neither a record nor reported failed."""
        have = set(self.stored.values())
        return [p.name for p in sent
                if hashlib.sha256(p.read_bytes()).hexdigest() not in have
                and p.name not in failed]

    def duplicated(self) -> list[str]:
        """Contents stored as more than one record."""
        return [sha for sha, n in Counter(self.stored.values()).items() if n > 1]

    @property
    def index_matches_storage(self) -> bool:
        return self.indexed == self.stored_versions


def take_census(settings: Settings) -> Census:
    from application import Runtime
    from storage import iter_latest_records

    runtime = Runtime.open(settings)  # the store as configured (S3 keys included)
    unreadable: list[str] = []
    stored, versions = {}, {}
    try:
        for record in iter_latest_records(runtime.store, None,
                                          on_error=lambda key, exc: unreadable.append(key)):
            stored[record.id] = record.source.sha256
            versions[record.id] = record.version
        indexed = dict(runtime.index.versions())
    finally:
        runtime.close()
    return Census(stored, indexed, versions, unreadable)


def staged_left(settings: Settings) -> list[Path]:
    """Files left in the upload staging folder."""
    uploads = settings.data_dir / "uploads"
    return sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.is_dir() else []
