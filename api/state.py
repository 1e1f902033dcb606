"""What every request handler shares: built once per process by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request

from api.batches import BatchTracker, Runner
from api.metrics import Metrics
from api.sessions import Sessions
from api.tokens import TokenCache
from application.audited import AuditTrail
from application.settings import Settings
from search import Index
from storage import Store


@dataclass(frozen=True)
class Limits:
    """Input limits. ``max_file_bytes`` is per uploaded file, the others per request."""

    max_file_bytes: int
    max_request_bytes: int
    max_files: int = 100
    max_json_bytes: int = 256 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        # A request may carry a few files at the per-file limit, plus multipart overhead.
        per_file = settings.max_upload_bytes
        return cls(max_file_bytes=per_file, max_request_bytes=4 * per_file + 64 * 1024)


@dataclass
class AppState:
    settings: Settings
    limits: Limits
    runtime: Any  # application.Runtime: store, index, trust roots
    tokens: TokenCache
    sessions: Sessions
    audit: Any  # audit.AuditJournal: read here (entries, verify); written through ``trail``
    batches: BatchTracker
    runner: Runner
    metrics: Metrics
    upload_dir: Path
    page_cache_dir: Path
    trust_roots: list[Path]

    @property
    def store(self) -> Store:
        store: Store = self.runtime.store
        return store

    @property
    def index(self) -> Index:
        index: Index = self.runtime.index
        return index

    @property
    def trail(self) -> AuditTrail:
        """Where the routes' audit entries are written (``application.audited``)."""
        trail: AuditTrail = self.runtime.trail()
        return trail


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.sohoa
    return state


async def state_dependency(request: Request) -> AppState:
    """``app_state`` as a FastAPI dependency: async, so FastAPI runs it on the event
    loop instead of handing it to the thread pool (a hop per request otherwise)."""
    return app_state(request)
