"""The statistics over HTTP and on the "Thống kê" screen in real headless Chromium:
scoped to the caller's agency, charts with one mark per month of data, a print layout,
and the Excel download. Screenshots go to ``bench/out/screen-stats*.png``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from api.tokens import Role
from records.vntime import vietnam_today
from stats import Period, StatsStore
from tests.api.live import LiveServer
from tests.stats.history import MONTHS, NOW, generate

PERIOD = Period(date(2025, 1, 1), date(2026, 2, 28))
QUERY = "from=01/01/2025&to=2026-02-28"


@pytest.fixture(scope="module")
def stats(live: LiveServer) -> StatsStore:
    """The generated history in the server's own statistics store."""
    store = StatsStore(live.settings.data_dir / "stats.sqlite3")
    history = generate()
    store.put_records(p.record for p in history.records)
    store.add_events(history.events)
    # ubnd-a reported its issued counts for the first ten months only.
    store.set_issued([row for row in history.issued if row[0] == "ubnd-a"][:10])
    return store


def test_figures_are_scoped_to_the_callers_agency(live: LiveServer, stats: StatsStore) -> None:
    expected_a = stats.report(PERIOD, ["ubnd-a"], now=NOW).to_dict()
    with live.client(Role.OFFICER, "ubnd-a") as officer:
        # Asking for another agency still gives one's own.
        body = officer.get(f"/api/v1/stats?{QUERY}&agency=ubnd-b").json()
    assert body["agencies"] == ["ubnd-a"]
    assert body["months"] == expected_a["months"]
    with live.client(Role.ADMIN) as admin:
        b = admin.get(f"/api/v1/stats?{QUERY}&agency=ubnd-b").json()
        everyone = admin.get(f"/api/v1/stats?{QUERY}").json()
        bad = admin.get("/api/v1/stats?from=31/02/2025")
    assert b["agencies"] == ["ubnd-b"]
    assert b["months"] == stats.report(PERIOD, ["ubnd-b"], now=NOW).to_dict()["months"]
    assert everyone["agencies"] is None
    assert everyone["total"]["digitized"] == (
        expected_a["total"]["digitized"] + b["total"]["digitized"]
    )
    assert bad.status_code == 400 and "không hợp lệ" in bad.json()["error"]["message_vi"]
    with live.client(Role.PORTAL, "ubnd-a") as portal:
        assert portal.get("/api/v1/stats").status_code == 403


def test_an_office_reports_its_own_issued_count_only(live: LiveServer, stats: StatsStore) -> None:
    with live.client(Role.OFFICER, "ubnd-b") as officer:
        ok = officer.put("/api/v1/stats/issued", json={"month": "12/2025", "issued": 77})
        other = officer.put("/api/v1/stats/issued",
                            json={"agency": "ubnd-a", "month": "12/2025", "issued": 1})
        wrong = officer.put("/api/v1/stats/issued", json={"month": "13/2025", "issued": 1})
    assert ok.status_code == 200 and ok.json() == {"agency": "ubnd-b", "month": "2025-12",
                                                   "issued": 77}
    assert other.status_code == 403 and wrong.status_code == 400
    december = stats.report(Period(date(2025, 12, 1), date(2025, 12, 31)), ["ubnd-b"])
    assert december.months[0].issued == 77


@pytest.mark.skipif(
    __import__("tests.support.browser", fromlist=["chromium_path"]).chromium_path() is None,
    reason="chromium not installed",
)
def test_the_screen_draws_a_mark_per_month(live: LiveServer, stats: StatsStore,
                                           out_dir: Path) -> None:
    from openpyxl import load_workbook

    from tests.support.browser import browser_page

    report = stats.report(PERIOD, ["ubnd-a"], now=NOW)
    with browser_page(live.base_url) as page:
        page.goto("/login")
        page.fill("#token", live.token(Role.OFFICER, "ubnd-a"))
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"/stats?{QUERY}")
        assert page.locator("h1").inner_text() == "Thống kê"
        bars = page.locator("#chart-digitized rect.bar")
        assert bars.count() == len(MONTHS)
        assert [float(v) for v in bars.evaluate_all("els => els.map(e => e.dataset.value)")] == [
            m.digitized for m in report.months
        ]
        # The target line only over the months whose issued count the office reported.
        targets = page.locator("#chart-digitized line.target")
        assert targets.count() == 10 == sum(1 for m in report.months if m.issued is not None)
        points = page.locator("#chart-reuse circle.point")
        with_rate = [m.share_required_served for m in report.months
                     if m.share_required_served is not None]
        assert points.count() == len(with_rate) > 0
        assert [round(float(v), 4) for v in
                points.evaluate_all("els => els.map(e => e.dataset.value)")] == [
            round(r, 4) for r in with_rate
        ]
        assert page.locator("#chart-reuse line.target").count() == 1
        backlog = page.locator("#chart-backlog rect.bar")
        assert [float(v) for v in backlog.evaluate_all(
            "els => els.map(e => e.dataset.value)")] == [m.backlog_end for m in report.months]
        # The bars are really drawn: the tallest month has the tallest bar.
        heights = bars.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
        tallest = max(range(len(MONTHS)), key=lambda i: report.months[i].digitized)
        assert heights[tallest] == max(heights) > 0
        page.screenshot(path=str(out_dir / "screen-stats.png"), full_page=True)

        page.emulate_media(media="print")
        assert not page.locator("header.top").is_visible()
        assert not page.locator("form.stats-filter").is_visible()
        assert page.locator("#chart-digitized svg").is_visible()
        page.screenshot(path=str(out_dir / "screen-stats-print.png"), full_page=True)
        # What "print" gives: A4 pages, kept for a person to look at.
        printed = page.pdf(path=str(out_dir / "screen-stats-print.pdf"), format="A4")
        assert printed.startswith(b"%PDF-")
        page.emulate_media(media="screen")

        with page.expect_download() as info:
            page.click("text=Excel (.xlsx)")
        saved = out_dir / "thong-ke.xlsx"
        info.value.save_as(saved)
        assert info.value.suggested_filename == "thong-ke-ubnd-a-20250101-20260228.xlsx"
        answer = page.request.get(f"/stats/report.csv?{QUERY}&agency=ubnd-b")
        lines = answer.body().decode("utf-8").splitlines()
    assert lines[0].startswith("\ufeffCơ quan,Tháng,Kết quả đã số hóa")
    assert len(lines) == 1 + len(MONTHS) + 1
    assert all(line.startswith("ubnd-a,") for line in lines[1:])  # own agency only
    book = load_workbook(saved)
    assert book["Số hóa"]["B2"].value == "ubnd-a"
    digitized = [row[1] for row in book["Số hóa"].iter_rows(
        min_row=7, max_row=6 + len(MONTHS), values_only=True)]
    assert digitized == [m.digitized for m in report.months]


def test_a_portal_lookup_is_counted_and_on_metrics(live: LiveServer, stats: StatsStore) -> None:
    from tests.api.conftest import AN, MARITAL

    # An agency no other test uses: its counters are this test's alone.
    with live.client(Role.PORTAL, "ubnd-z") as portal:
        answer = portal.get("/api/v1/reuse/lookup", params={
            "procedure": MARITAL, "subject": AN.id_number, "name": AN.name,
            "birth_date": AN.birth_date,
        })
    assert answer.status_code == 200, answer.text
    body = answer.json()
    today = stats.report(Period(vietnam_today(), vietnam_today()), ["ubnd-z"]).total
    assert (today.lookups, today.required_total) == (1, body["required_total"])
    assert today.required_served == body["required_satisfied"]
    with live.client() as anyone:
        metrics = anyone.get("/metrics").text
    assert 'sohoa_stats_reuse_lookups{agency="ubnd-z"} 1.0' in metrics
    lookups_a = stats.totals_by_agency()["ubnd-a"]["lookups"]
    assert lookups_a >= sum(m.lookups for m in stats.report(PERIOD, ["ubnd-a"]).months) > 0
    assert f'sohoa_stats_reuse_lookups{{agency="ubnd-a"}} {float(lookups_a)}' in metrics
