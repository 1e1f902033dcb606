"""Fixtures for the audit tests: a real filesystem store."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit import AuditLog
from storage import open_store
from storage.base import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store((tmp_path / "objects").as_uri())


@pytest.fixture
def log(store: Store) -> AuditLog:
    return AuditLog(store)
