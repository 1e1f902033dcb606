"""Building the FastAPI application from Settings.

``create_app(settings)`` is what ``sohoa serve`` runs; ``app_from_env()`` is the
factory for ``uvicorn --factory api.app:app_from_env`` (several workers).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from api import routes_api, routes_keying, routes_stats, web
from api.batches import (
    BatchJournal,
    BatchRunner,
    BatchTracker,
    CeleryRunner,
    LedgerBatches,
    MemoryBatches,
    Runner,
)
from api.errors import BodyLimitMiddleware, install_handlers
from api.headers import SecurityHeadersMiddleware
from api.inputs import HeaderLimitMiddleware
from api.metrics import Metrics, MetricsMiddleware
from api.sessions import Sessions
from api.state import AppState, Limits
from api.tokens import TokenCache
from application.runtime import Runtime
from application.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"


def build_state(settings: Settings, limits: Limits | None = None) -> AppState:

    runtime = Runtime.open(settings)
    metrics = Metrics()
    upload_dir = settings.data_dir / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    batches: BatchTracker
    runner: Runner
    if settings.broker_url:
        # Workers digitize; every replica reads progress from the Redis ledger.
        batches = ledger = LedgerBatches(settings.broker_url, runtime.store)
        runner = CeleryRunner(runtime, ledger)
    else:
        batches = memory = MemoryBatches()
        embedded = BatchRunner(
            settings, memory, journal=BatchJournal(upload_dir),
            on_file=metrics.file_done,
            on_batch=lambda b: metrics.batches.labels(b.status).inc(),
        )
        # One embedded server owns its data dir: what a killed one left is its own.
        embedded.resume(runtime.store)
        runner = embedded
    audit = runtime.audit()
    metrics.audit_pending.set_function(audit.pending)
    metrics.watch_stats(runtime.stats())
    tokens = TokenCache(runtime.store)
    return AppState(
        settings=settings,
        limits=limits or Limits.from_settings(settings),
        runtime=runtime,
        tokens=tokens,
        sessions=Sessions(runtime.store, tokens),
        audit=audit,
        batches=batches,
        runner=runner,
        metrics=metrics,
        upload_dir=upload_dir,
        page_cache_dir=settings.data_dir / "cache" / "pages",
        trust_roots=runtime.trust_roots(),
    )


def create_app(settings: Settings, limits: Limits | None = None) -> FastAPI:
    state = build_state(settings, limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            state.runner.shutdown()
            state.runtime.close()

    app = FastAPI(
        title="sohoa",
        version="1",
        description="Digitized results of Vietnamese administrative procedures: upload, "
        "search, records, reuse lookup for the citizen portal, signature verification.",
        lifespan=lifespan,
    )
    app.state.sohoa = state
    install_handlers(app, html=web.error_page)
    app.add_middleware(BodyLimitMiddleware, limit=state.limits.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    app.add_middleware(SecurityHeadersMiddleware)  # errors included
    app.add_middleware(HeaderLimitMiddleware)  # outermost: refused before anything runs

    @app.get("/healthz", tags=["ops"])
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/metrics", tags=["ops"], response_class=Response)
    def metrics() -> Response:
        return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")

    app.include_router(routes_api.router)
    app.include_router(routes_stats.api_router)
    app.include_router(routes_keying.api_router)
    app.include_router(web.router)
    app.include_router(routes_stats.web_router)
    app.include_router(routes_keying.web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def app_from_env() -> FastAPI:

    supervisor = multiprocessing.parent_process()
    if supervisor is not None and supervisor.pid is not None:
        # A worker of ``uvicorn --workers N`` (``sohoa serve --workers N``): it ends with
        # the supervisor, or a killed supervisor leaves workers holding the port. Its pid
        # as recorded when it spawned us, not os.getppid(): a supervisor killed while
        # this worker was still importing has already handed it to an adoptive parent,
        # which the worker would then take for its driver and outlive nobody.
        from ingest.lifeline import die_with_parent

        die_with_parent(supervisor.pid, deathsig=False)
    return create_app(Settings.from_env())
