"""Prometheus metrics: requests by route template, batches and pages digitized, and the
statistics per agency (``stats``, read from its store at each scrape).

Each app has its own registry (tests build several apps in one process). Several
uvicorn workers each expose their own counters; scrape them behind one address only
with prometheus-client's multiprocess mode, which we do not configure here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
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

    def watch_stats(self, stats: Any) -> None:
        """Expose the statistics (``stats.StatsStore``) per agency, read at each scrape."""
        self.registry.register(StatsCollector(stats))

    def render(self) -> bytes:
        return generate_latest(self.registry)


# The statistics' all-time counters per agency, as gauges: a deletion or a reindex may
# lower them, which a Prometheus counter must never do.
STATS_GAUGES = (
    ("records", "sohoa_stats_results_digitized", "Results digitized and kept"),
    ("signed", "sohoa_stats_results_signed", "Results digitized and signed"),
    ("pages", "sohoa_stats_pages_digitized", "Pages of the results digitized"),
    ("ready", "sohoa_stats_results_ready", "Results ready for reuse"),
    ("ready_unreviewed", "sohoa_stats_results_ready_without_review",
     "Results ready without an officer's review"),
    ("backlog", "sohoa_stats_review_backlog", "Results waiting for review now"),
    ("lookups", "sohoa_stats_reuse_lookups", "Portal reuse lookups"),
    ("lookups_served", "sohoa_stats_reuse_lookups_served",
     "Lookups where at least one required paper was offered"),
    ("required_total", "sohoa_stats_reuse_required_papers", "Required papers asked for"),
    ("required_served", "sohoa_stats_reuse_required_papers_served",
     "Required papers offered from the archive"),
    ("requested_again", "sohoa_stats_reuse_requested_again",
     "Required papers not offered although the archive held one"),
    ("releases", "sohoa_stats_reuse_releases", "Archived papers released to a dossier"),
)


class StatsCollector(Collector):
    """The statistics store's per-agency totals, one labelled gauge each."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    def collect(self) -> Iterator[Metric]:
        totals = self.stats.totals_by_agency()
        for key, name, text in STATS_GAUGES:
            family = GaugeMetricFamily(name, text, labels=["agency"])
            for agency, values in sorted(totals.items()):
                if key in values:
                    family.add_metric([agency], values[key] or 0)
            yield family


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
