"""Fixtures for the reuse tests: a real SQLite index, a real filesystem store, a real
audit log, and the shipped procedure catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from audit import AuditLog
from records.procedures import Procedure, load_procedures
from search import open_index
from storage import open_store
from tests.support.reuse import Archive


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    index = open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    store = open_store((tmp_path / "objects").as_uri())
    yield Archive(index=index, store=store)
    index.close()


@pytest.fixture
def audit_log(archive: Archive) -> AuditLog:
    return AuditLog(archive.store)


@pytest.fixture(scope="session")
def procedures() -> dict[str, Procedure]:
    return load_procedures()
