"""A generated history with known counts: two agencies, 14 months of records, reviews,
portal lookups and releases. Every expected figure is counted here from the plan
itself, independently of the statistics store."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from audit import AuditDraft
from records import Record, Source, StageEvent, Status
from records.procedures import load_procedures

AGENCIES = ("ubnd-a", "ubnd-b")
MONTHS = [f"{2025 + (i // 12)}-{i % 12 + 1:02d}" for i in range(14)]  # 2025-01 … 2026-02
MARITAL = "1.000894"  # three required components; only the marital status paper reusable
REUSABLE = "XN_TTHN"
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
TYPES = ("birth_certificate", "marital_status_certificate", "death_extract")


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class Planned:
    record: Record
    started: datetime
    ready_seconds: int | None
    needed_review: bool
    approved: datetime | None


@dataclass
class History:
    records: list[Planned] = field(default_factory=list)
    events: list[AuditDraft] = field(default_factory=list)
    issued: list[tuple[str, str, int]] = field(default_factory=list)

    def expected(self, agencies: tuple[str, ...], month: str) -> dict[str, Any]:
        """Every figure of ``month`` for ``agencies``, counted from the plan."""
        mine = [p for p in self.records
                if p.record.agency in agencies and _vn_month(p.started) == month]
        ready = [p for p in mine if p.record.status is Status.READY]
        times = [p.ready_seconds for p in ready if p.ready_seconds is not None]
        end = _month_end(month)
        waiting = [
            p for p in self.records
            if p.record.agency in agencies and p.needed_review
            and _vn_date(p.started) <= end
            and (p.approved is None or _vn_date(p.approved) > end)
        ]
        lookups = [e for e in self.events if e.action == "reuse.lookup"
                   and _agency(e.actor) in agencies and _vn_month(_at(e)) == month]
        required = len(load_procedures()[MARITAL].components)
        by_type: dict[str, int] = {}
        for p in mine:
            by_type[p.record.doc_type or ""] = by_type.get(p.record.doc_type or "", 0) + 1
        issued = [n for a, m, n in self.issued if a in agencies and m == month]
        return {
            "digitized": len(mine),
            "signed": sum(1 for p in mine if p.record.signature.level),
            "pages": sum(p.record.source.pages or 0 for p in mine),
            "by_type": by_type,
            "issued": sum(issued) if issued else None,
            "ready": len(ready),
            "ready_without_review": sum(1 for p in ready if not p.needed_review),
            "backlog_end": len(waiting),
            "median_ready_seconds": float(statistics.median(times)) if times else None,
            "lookups": len(lookups),
            "lookups_served": sum(1 for e in lookups if e.details["offered"][REUSABLE]),
            "required_total": required * len(lookups),
            "required_served": sum(1 for e in lookups if e.details["offered"][REUSABLE]),
            "requested_again": sum(
                1 for e in lookups
                if not e.details["offered"][REUSABLE] and e.details["withheld"]
            ),
            "releases": sum(1 for e in self.events if e.action == "reuse.release"
                            and _agency(e.actor) in agencies and _vn_month(_at(e)) == month),
        }


def _at(draft: AuditDraft) -> datetime:
    return datetime.fromisoformat(draft.at)


def _agency(actor: str) -> str:
    return actor.split(":")[1]


def _vn(moment: datetime) -> datetime:
    return moment.astimezone(UTC) + timedelta(hours=7)


def _vn_month(moment: datetime) -> str:
    return _vn(moment).strftime("%Y-%m")


def _vn_date(moment: datetime) -> date:
    return _vn(moment).date()


def _month_end(month: str) -> date:
    first = date.fromisoformat(f"{month}-01")
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _record(agency: str, n: int, started: datetime, seconds: int, status: Status,
            doc_type: str, pages: int, approved: datetime | None) -> Record:
    record = Record(
        id=f"{agency}-{n:05d}", agency=agency, status=status, doc_type=doc_type,
        source=Source(filename=f"{n}.pdf", sha256=f"{n:064d}", media_type="application/pdf",
                      size=1000, pages=pages),
        created_at=_iso(started),
    )
    record.stages = [StageEvent("receive", _iso(started)),
                     StageEvent("store", _iso(started + timedelta(seconds=seconds)))]
    if status is not Status.NEEDS_REVIEW or approved is not None:
        record.signature.level = "B-LT"
    if approved is not None:
        record.review.approved_at = _iso(approved)
        record.review.approved_by = "archivist"
    return record


def generate() -> History:
    """Per agency and month ``i``: ready records straight from the pipeline, some
    reviewed and approved a few days later (some across the month's end), some still
    waiting; lookups (some served, some where a paper was withheld) and releases.
    Some times fall on another day (and month) in Vietnam than in UTC."""
    history = History()
    n = 0
    for a, agency in enumerate(AGENCIES):
        actor = f"portal:{agency}:tok{a}"
        for i, month in enumerate(MONTHS):
            first = datetime.fromisoformat(f"{month}-01T03:00:00+00:00")
            straight = 3 + i + 2 * a
            for k in range(straight):
                n += 1
                # 17:30 UTC is already the next day in Vietnam; the first record of
                # each month is received on its last evening (UTC), the next month there.
                started = first + timedelta(days=k % 20, hours=14 * (k % 2), minutes=30 * (k % 2))
                if k == 0:
                    started = datetime.combine(_month_end(month), datetime.min.time(),
                                               UTC) + timedelta(hours=18)
                history.records.append(Planned(
                    _record(agency, n, started, 60 * (k + 1) + 7 * i, Status.READY,
                            TYPES[k % 3], 1 + k % 4, None),
                    started, 60 * (k + 1) + 7 * i, False, None))
            for k in range(1 + i % 2):  # reviewed, approved 10 or 25 days later
                n += 1
                started = first + timedelta(days=12 + k, hours=2)
                approved = started + timedelta(days=10 + 15 * k, minutes=k)
                seconds = round((approved - started).total_seconds())
                history.records.append(Planned(
                    _record(agency, n, started, 90, Status.READY, TYPES[(k + 1) % 3], 2,
                            approved),
                    started, seconds, True, approved))
            for k in range(i % 3):  # still waiting for review
                n += 1
                started = first + timedelta(days=20 + k)
                history.records.append(Planned(
                    _record(agency, n, started, 120, Status.NEEDS_REVIEW, TYPES[2], 3, None),
                    started, None, True, None))
            history.issued.append((agency, month, 10 + i + a))
            for k in range(2 + i + a):
                at = first + timedelta(days=k % 25, hours=5)
                served = k % 3 == 0
                withheld = [] if served or k % 3 == 2 else [
                    {"record_id": "x", "reason": "namesake", "components": [REUSABLE]}
                ]
                history.events.append(AuditDraft(
                    "reuse.lookup", actor,
                    {"procedure_code": MARITAL, "offered": {
                        "TK_KH": [], REUSABLE: ["r1"] if served else [], "GT_NT": []},
                     "withheld": withheld, "satisfied": int(served), "total": 3},
                    _iso(at), f"n{a}{i}{k}"))
            for k in range(i % 4 + a):
                history.events.append(AuditDraft(
                    "reuse.release", actor, {"record_id": "r1"},
                    _iso(first + timedelta(days=k, hours=6)), f"r{a}{i}{k}"))
            # Noise the counters must ignore.
            history.events.append(AuditDraft("record.read", actor, {}, _iso(first), f"x{a}{i}"))
    return history
