"""Prometheus metrics: requests by route template, batches and pages digitized.

Each app has its own registry (tests build several apps in one process). Several
uvicorn workers each expose their own counters; scrape them behind one address only
with prometheus-client's multiprocess mode, which we do not configure here.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.outcome import FileOutcome, OutcomeStatus

_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "sohoa_http_requests",
            "HTTP requests by route template, method and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sohoa_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batches = Counter(
            "sohoa_batches", "Upload batches finished, by final status", ["status"],
            registry=self.registry,
        )
        self.files = Counter(
            "sohoa_batch_files", "Uploaded files by outcome", ["status"], registry=self.registry
        )
        self.pages = Counter(
            "sohoa_pages", "Pages digitized through the API", registry=self.registry
        )
        # Set to the journal's count by build_state; growing means shipping is failing.
        self.audit_pending = Gauge(
            "sohoa_audit_journal_pending",
            "Audit entries durable in this process's journal, not yet in the hash chain",
            registry=self.registry,
        )

    def file_done(self, outcome: FileOutcome) -> None:
        self.files.labels(outcome.status.value).inc()
        if outcome.status is OutcomeStatus.INGESTED:
            self.pages.inc(outcome.pages)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts every HTTP request under its route template (never the raw path, whose
    ids would make one time series per record)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)
