"""Every figure of the statistics, exact against a generated history (tests/stats/history.py),
and scoped to the agencies asked for."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stats import CountingIndex, Period, StatsInputError, StatsStore, read_issued_csv, rebuild
from stats.model import parse_day
from tests.stats.history import AGENCIES, MONTHS, NOW, History, _vn_date, generate

FIGURES = (
    "digitized", "signed", "pages", "by_type", "issued", "ready", "ready_without_review",
    "backlog_end", "median_ready_seconds", "lookups", "lookups_served", "required_total",
    "required_served", "requested_again", "releases",
)


@pytest.fixture(scope="module")
def history() -> History:
    return generate()


@pytest.fixture
def store(tmp_path: Path, history: History) -> StatsStore:
    store = StatsStore(tmp_path / "stats.sqlite3")
    # Indexed twice, as a reindex or a repeated commit does: counters must not double.
    store.put_records(p.record for p in history.records)
    store.put_records(p.record for p in history.records)
    store.add_events(history.events)
    store.set_issued(history.issued)
    return store


WHOLE = Period(date(2025, 1, 1), date(2026, 2, 28))


def test_history_is_not_trivial(history: History) -> None:
    expected = history.expected(AGENCIES, "2025-06")
    assert expected["digitized"] > 10 and expected["backlog_end"] > 0
    assert 0 < expected["lookups_served"] < expected["lookups"]
    assert expected["requested_again"] > 0 and expected["releases"] > 0


@pytest.mark.parametrize("agencies", [("ubnd-a",), ("ubnd-b",), None])
def test_every_monthly_figure_is_exact(
    store: StatsStore, history: History, agencies: tuple[str, ...] | None
) -> None:
    report = store.report(WHOLE, agencies, now=NOW)
    assert [m.month for m in report.months] == MONTHS
    for figures in report.months:
        expected = history.expected(agencies or AGENCIES, figures.month)
        got = {name: getattr(figures, name) for name in FIGURES}
        assert got == expected, figures.month


def test_totals_and_shares(store: StatsStore, history: History) -> None:
    report = store.report(WHOLE, ["ubnd-a"], now=NOW)
    months = [history.expected(("ubnd-a",), m) for m in MONTHS]
    total = report.total
    assert total.digitized == sum(m["digitized"] for m in months)
    assert total.lookups == sum(m["lookups"] for m in months)
    assert total.releases == sum(m["releases"] for m in months)
    assert total.issued == sum(m["issued"] for m in months)
    assert total.issued is not None
    assert total.share_issued == total.digitized / total.issued
    assert total.share_required_served == total.required_served / total.required_total
    assert total.backlog_end == months[-1]["backlog_end"]
    assert total.median_ready_seconds is None  # not a median of months
    june = report.months[5]
    assert june.share_lookups_served == june.lookups_served / june.lookups
    assert june.share_without_review == june.ready_without_review / june.digitized


def test_a_partial_month_counts_its_days_and_has_no_issued_share(
    store: StatsStore, history: History
) -> None:
    report = store.report(Period(date(2025, 3, 1), date(2025, 3, 10)), ["ubnd-a"], now=NOW)
    march = report.months[0]
    days = [p for p in history.records if p.record.agency == "ubnd-a"
            and date(2025, 3, 1) <= _vn_date(p.started) <= date(2025, 3, 10)]
    assert march.digitized == len(days) > 0
    assert march.pages == sum(p.record.source.pages or 0 for p in days)
    assert march.issued is None and march.share_issued is None
    assert report.total.median_ready_seconds == march.median_ready_seconds


def test_backlog_now_and_recent_batches(store: StatsStore, history: History) -> None:
    report = store.report(WHOLE, ["ubnd-b"], now=NOW)
    waiting = sorted(p.started for p in history.records
                     if p.record.agency == "ubnd-b" and p.approved is None and p.needed_review)
    assert report.backlog.count == len(waiting)
    assert report.backlog.oldest_days == pytest.approx((NOW - waiting[0]).total_seconds() / 86400)
    assert report.batches and all(b.agency == "ubnd-b" for b in report.batches)
    assert all(b.pages_per_minute > 0 for b in report.batches)
    assert report.pages_per_minute is not None


def test_an_agency_sees_nothing_of_another(store: StatsStore) -> None:
    a = store.report(WHOLE, ["ubnd-a"], now=NOW)
    b = store.report(WHOLE, ["ubnd-b"], now=NOW)
    both = store.report(WHOLE, None, now=NOW)
    assert a.total.digitized + b.total.digitized == both.total.digitized
    assert a.total.lookups + b.total.lookups == both.total.lookups
    assert store.report(WHOLE, ["ubnd-c"], now=NOW).total.digitized == 0


def test_the_index_wrapper_keeps_facts_in_step(tmp_path: Path, history: History) -> None:
    from search import open_index

    stats = StatsStore(tmp_path / "stats.sqlite3")
    index = CountingIndex(open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}"), stats)
    waiting = next(p.record for p in history.records if p.approved is None and p.needed_review)
    month = Period(date.fromisoformat(f"{waiting.created_at[:7]}-01"),
                   date.fromisoformat(f"{waiting.created_at[:7]}-28"))
    index.upsert(waiting)
    before = stats.report(month, None, now=NOW).months[0]
    assert (before.digitized, before.ready, before.backlog_end) == (1, 0, 1)
    waiting.status = waiting.status.READY
    waiting.review.approved_at = waiting.created_at
    index.upsert(waiting)
    after = stats.report(month, None, now=NOW).months[0]
    assert (after.digitized, after.ready, after.backlog_end) == (1, 1, 0)
    index.delete(waiting.id)
    assert stats.report(month, None, now=NOW).months[0].digitized == 0
    index.close()


def test_rebuild_gives_the_same_figures(tmp_path: Path, store: StatsStore,
                                        history: History) -> None:
    before = store.report(WHOLE, None, now=NOW).to_dict()
    assert rebuild(store, (p.record for p in history.records), history.events) == (
        len(history.records), sum(1 for e in history.events if e.action.startswith("reuse."))
    )
    assert store.report(WHOLE, None, now=NOW).to_dict() == before


def test_issued_csv() -> None:
    text = "\ufeffagency;month;issued\nubnd-a;03/2025;412\nubnd-b;2025-04;7\n"
    assert read_issued_csv(text) == [("ubnd-a", "2025-03", 412), ("ubnd-b", "2025-04", 7)]
    with pytest.raises(StatsInputError, match="Dòng 3"):
        read_issued_csv("agency,month,issued\nubnd-a,03/2025,1\nubnd-a,13/2025,2\n")
    with pytest.raises(StatsInputError, match="tiêu đề"):
        read_issued_csv("a,b\n1,2\n")


def test_dates_typed_either_way() -> None:
    assert parse_day("15/03/2025") == parse_day("2025-03-15") == date(2025, 3, 15)
    with pytest.raises(StatsInputError):
        parse_day("2025/03/15")


def test_batch_runs_are_split_at_pauses_and_the_latest_kept(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from records import Record, Source, StageEvent
    from stats.store import RECENT_BATCHES

    def received(agency: str, n: int, at: datetime, pages: int) -> Record:
        record = Record(id=f"{agency}-{n}", agency=agency,
                        source=Source(f"{n}.pdf", f"{n:064d}", "application/pdf", 1, pages))
        record.stages = [StageEvent("receive", at.isoformat()),
                         StageEvent("store", (at + timedelta(seconds=60)).isoformat())]
        return record

    start = datetime(2026, 2, 2, 1, 0, tzinfo=UTC)
    records = []
    # ubnd-a: 12 runs a day apart, each of 3 records 5 minutes apart (2 pages each);
    # ubnd-b: one record in between, which must not join ubnd-a's runs.
    for day in range(12):
        for k in range(3):
            records.append(received("ubnd-a", day * 10 + k,
                                    start + timedelta(days=day, minutes=5 * k), 2))
        records.append(received("ubnd-b", day, start + timedelta(days=day, minutes=7), 5))
    store = StatsStore(tmp_path / "stats.sqlite3")
    store.put_records(records)
    report = store.report(Period(date(2026, 2, 1), date(2026, 2, 28)), ["ubnd-a"])
    assert len(report.batches) == RECENT_BATCHES == 10
    latest = report.batches[0]
    assert latest.started_at == (start + timedelta(days=11)).isoformat()
    assert (latest.records, latest.pages, latest.minutes) == (3, 6, 11.0)
    assert [b.started_at for b in report.batches] == [
        (start + timedelta(days=d)).isoformat() for d in range(11, 1, -1)
    ]
    assert report.pages_per_minute == pytest.approx(6 / 11)
    both = store.report(Period(date(2026, 2, 1), date(2026, 2, 28)), None)
    assert [b.agency for b in both.batches[:2]] == ["ubnd-b", "ubnd-a"]


def test_the_default_period_is_twelve_whole_months_to_today() -> None:
    period = Period.parse(None, None, date(2026, 12, 4))
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 12, 4))
    assert len(period.months()) == 12
    assert Period.parse(None, "15/03/2026", date(2026, 12, 4)).start == date(2025, 4, 1)
    with pytest.raises(StatsInputError):
        Period.parse("2026-03-02", "01/03/2026", date(2026, 12, 4))
