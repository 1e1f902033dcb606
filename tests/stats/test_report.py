"""``sohoa stats``: the same figures as JSON, CSV and an Excel workbook, and the
offices' issued counts imported from CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from records.vntime import vietnam_today
from stats import Period, StatsStore
from tests.stats.history import MONTHS, generate

PERIOD = ["--from", "01/01/2025", "--to", "2026-02-28"]
PERIOD_OBJ = Period(date(2025, 1, 1), date(2026, 2, 28))


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOHOA_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("SOHOA_INDEX_URL", raising=False)
    monkeypatch.delenv("SOHOA_STORAGE_URL", raising=False)
    store = StatsStore(tmp_path / "data" / "stats.sqlite3")
    history = generate()
    store.put_records(p.record for p in history.records)
    store.add_events(history.events)
    store.close()
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["stats", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_then_report(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = data / "issued.csv"
    source.write_text("agency,month,issued\nubnd-a,01/2025,40\nubnd-a,2025-02,8\n",
                      encoding="utf-8")
    assert main(["stats", "import", str(source)]) == 0
    assert "2 dòng" in capsys.readouterr().out
    report = _json(capsys, *PERIOD, "--agency", "ubnd-a")
    january, february = report["months"][:2]
    assert (january["issued"], february["issued"]) == (40, 8)
    assert january["share_issued"] == january["digitized"] / 40
    assert report["agencies"] == ["ubnd-a"]
    assert [m["month"] for m in report["months"]] == MONTHS


def test_a_bad_csv_line_is_refused_with_its_number(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = data / "issued.csv"
    source.write_text("agency,month,issued\nubnd-a,01/2025,-3\n", encoding="utf-8")
    assert main(["stats", "import", str(source)]) == 2
    assert "Dòng 2" in capsys.readouterr().err


def test_csv_has_a_line_per_month_and_the_total(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _json(capsys, *PERIOD)
    assert main(["stats", *PERIOD, "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["Tháng"] for r in rows] == [f"{m[5:]}/{m[:4]}" for m in MONTHS] + ["Cả kỳ"]
    assert [int(r["Kết quả đã số hóa"]) for r in rows[:-1]] == [
        m["digitized"] for m in report["months"]
    ]
    assert int(rows[-1]["Lượt tra cứu"]) == report["total"]["lookups"]


def test_workbook_sheets_headings_and_dates(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    report = _json(capsys, *PERIOD, "--agency", "ubnd-b")
    target = data / "bao-cao.xlsx"
    assert main(["stats", *PERIOD, "--agency", "ubnd-b", "--xlsx", str(target)]) == 0
    book = load_workbook(target)
    assert book.sheetnames == ["Số hóa", "Chất lượng", "Tái sử dụng", "Theo loại giấy tờ",
                               "Năng suất"]
    sheet = book["Tái sử dụng"]
    assert sheet["B2"].value == "ubnd-b"
    assert sheet["B3"].number_format == "dd/mm/yyyy" and sheet["B3"].value.day == 1
    assert sheet["D3"].value.strftime("%d/%m/%Y") == "28/02/2026"
    header = [c.value for c in sheet[6]]
    assert header[:2] == ["Tháng", "Lượt tra cứu"]
    months = list(sheet.iter_rows(min_row=7, max_row=6 + len(MONTHS), values_only=True))
    assert [r[0] for r in months] == [f"{m[5:]}/{m[:4]}" for m in MONTHS]
    assert [r[1] for r in months] == [m["lookups"] for m in report["months"]]
    releases = header.index("Lượt cung cấp bản số hóa")
    assert [r[releases] for r in months] == [m["releases"] for m in report["months"]]
    quality = book["Chất lượng"]
    assert [c.value for c in quality[6]][4] == "Tồn rà soát cuối kỳ"
    assert [r[4] for r in quality.iter_rows(min_row=7, max_row=6 + len(MONTHS),
                                            values_only=True)] == [
        m["backlog_end"] for m in report["months"]
    ]


def test_journal_counts_as_it_writes_and_rebuild_recounts_from_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from application.runtime import Runtime
    from application.settings import Settings
    from storage import save_record

    monkeypatch.setenv("SOHOA_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("SOHOA_INDEX_URL", raising=False)
    monkeypatch.delenv("SOHOA_STORAGE_URL", raising=False)
    history = generate()
    kept = [p.record for p in history.records[:5]]
    runtime = Runtime.open(Settings.from_env())
    try:
        for record in kept:
            save_record(runtime.store, record)  # in storage, not indexed: not counted yet
        runtime.audit().append("reuse.release", "portal:ubnd-a:t1", record_id="x")
        today = Period(vietnam_today(), vietnam_today())
        assert runtime.stats().report(today, ["ubnd-a"]).total.releases == 1  # at once
        assert runtime.stats().report(PERIOD_OBJ, None).total.digitized == 0
    finally:
        runtime.close()
    assert main(["stats", "rebuild", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "records": len(kept), "reuse_events": 1, "unreadable": []
    }
    report = _json(capsys, *PERIOD)
    assert report["total"]["digitized"] == len(kept)
    assert report["total"]["pages"] == sum(r.source.pages or 0 for r in kept)


def test_text_for_people(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, *PERIOD, "--agency", "ubnd-a")
    assert main(["stats", *PERIOD, "--agency", "ubnd-a"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Thống kê ubnd-a, từ 01/01/2025 đến 28/02/2026\n")
    june = report["months"][5]
    assert f"06/2025: số hóa {june['digitized']} (ký số {june['signed']}, " in text
    assert f"Cả kỳ: số hóa {report['total']['digitized']} " in text
    assert f"Tồn rà soát hiện tại: {report['backlog']['count']} " in text
