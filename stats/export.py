"""The report in the forms people forward: an Excel workbook (one sheet per indicator,
Vietnamese headings, dates dd/mm/yyyy) and CSV; and the lines ``sohoa stats`` prints.

The columns of each indicator are listed once (``SHEETS``): the workbook, the CSV and
the screen's table read the same list.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from records.folding import fold
from records.vntime import VN_TZ, vietnam_date, vietnam_time
from stats.model import MonthFigures, StatsReport, month_label


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[MonthFigures], Any]
    kind: str = "count"  # count, share, minutes


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


SHEETS: dict[str, tuple[Column, ...]] = {
    "Số hóa": (
        Column("Kết quả đã số hóa", lambda m: m.digitized),
        Column("Đã ký số", lambda m: m.signed),
        Column("Số trang", lambda m: m.pages),
        Column("Kết quả đã giải quyết (đơn vị báo)", lambda m: m.issued),
        Column("Chỉ tiêu số hóa", lambda m: m.digitized_target),
        Column("Tỷ lệ số hóa / kết quả đã giải quyết", lambda m: m.share_issued, "share"),
    ),
    "Chất lượng": (
        Column("Sẵn sàng", lambda m: m.ready),
        Column("Sẵn sàng không cần rà soát", lambda m: m.ready_without_review),
        Column("Tỷ lệ không cần rà soát", lambda m: m.share_without_review, "share"),
        Column("Tồn rà soát cuối kỳ", lambda m: m.backlog_end),
        Column("Trung vị từ tiếp nhận đến sẵn sàng (phút)",
               lambda m: _minutes(m.median_ready_seconds), "minutes"),
    ),
    "Tái sử dụng": (
        Column("Lượt tra cứu", lambda m: m.lookups),
        Column("Lượt có ít nhất một giấy tờ bắt buộc", lambda m: m.lookups_served),
        Column("Tỷ lệ lượt tra cứu có giấy tờ", lambda m: m.share_lookups_served, "share"),
        Column("Giấy tờ bắt buộc được hỏi", lambda m: m.required_total),
        Column("Giấy tờ bắt buộc đã cung cấp", lambda m: m.required_served),
        Column("Tỷ lệ giấy tờ bắt buộc đã cung cấp (chỉ tiêu 80 %)",
               lambda m: m.share_required_served, "share"),
        Column("Lượt cung cấp bản số hóa", lambda m: m.releases),
        Column("Giấy tờ bị yêu cầu lại dù kho đã lưu", lambda m: m.requested_again),
    ),
}
BATCH_HEADINGS = ("Bắt đầu", "Kết thúc", "Cơ quan", "Hồ sơ", "Trang", "Phút", "Trang/phút")
TYPES_SHEET = "Theo loại giấy tờ"


def month_name(figures: MonthFigures) -> str:
    return "Cả kỳ" if figures.month == "total" else month_label(figures.month)


def scope_name(report: StatsReport) -> str:
    return "Tất cả cơ quan" if report.agencies is None else ", ".join(report.agencies)


def _rows(report: StatsReport) -> list[MonthFigures]:
    return [*report.months, report.total]


def _types(report: StatsReport) -> list[str]:
    return list(report.total.by_type)


def write_csv(report: StatsReport, type_names: Mapping[str, str]) -> str:
    """One line per month (then the period's total), every indicator's columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    types = _types(report)
    writer.writerow(
        ["Cơ quan", "Tháng"]
        + [c.heading for columns in SHEETS.values() for c in columns]
        + [f"Số hóa: {type_names.get(t, t or 'chưa phân loại')}" for t in types]
    )
    for figures in _rows(report):
        writer.writerow(
            [scope_name(report), month_name(figures)]
            + ["" if (v := c.value(figures)) is None else v
               for columns in SHEETS.values() for c in columns]
            + [figures.by_type.get(t, 0) for t in types]
        )
    return out.getvalue()


def write_xlsx(report: StatsReport, type_names: Mapping[str, str],
               made_at: datetime | None = None) -> bytes:
    """The workbook: a sheet per indicator, months down, the period's total last."""
    # openpyxl takes longer to import than the rest of a report: only `--xlsx` pays it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    made = made_at or datetime.now(VN_TZ)
    bold = Font(bold=True)

    def heading(sheet: Any, title: str, columns: list[str]) -> None:
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(["Cơ quan", scope_name(report)])
        sheet.append(["Từ ngày", report.period.start, "Đến ngày", report.period.end])
        sheet.append(["Ngày lập", vietnam_time(made)])
        for cell in (sheet["B3"], sheet["D3"]):
            cell.number_format = "dd/mm/yyyy"
        sheet.append([])
        sheet.append(columns)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 12
        for letter in "BCDEFGHI":
            sheet.column_dimensions[letter].width = 22

    for title, columns in SHEETS.items():
        sheet = book.create_sheet(title)
        heading(sheet, f"Báo cáo {title.lower()}", ["Tháng", *(c.heading for c in columns)])
        for figures in _rows(report):
            sheet.append([month_name(figures), *(c.value(figures) for c in columns)])
            for cell, column in zip(sheet[sheet.max_row][1:], columns, strict=True):
                cell.number_format = {"share": "0.0%", "minutes": "0.0"}.get(column.kind,
                                                                             "#,##0")
        if title == "Chất lượng":
            backlog = report.backlog
            sheet.append([])
            sheet.append(["Tồn rà soát hiện tại", backlog.count])
            sheet.append(["Chờ lâu nhất (ngày)", _round(backlog.oldest_days)])
            sheet.append(["Chờ trung vị (ngày)", _round(backlog.median_days)])

    sheet = book.create_sheet(TYPES_SHEET)
    types = _types(report)
    heading(sheet, "Kết quả đã số hóa theo loại giấy tờ",
            ["Tháng", *(type_names.get(t, t or "chưa phân loại") for t in types)])
    for figures in _rows(report):
        sheet.append([month_name(figures), *(figures.by_type.get(t, 0) for t in types)])

    sheet = book.create_sheet("Năng suất")
    heading(sheet, "Năng suất số hóa các lô gần đây (trang/phút)", list(BATCH_HEADINGS))
    for batch in report.batches:
        sheet.append([
            vietnam_time(batch.started_at), vietnam_time(batch.finished_at), batch.agency,
            batch.records, batch.pages, round(batch.minutes, 1), round(batch.pages_per_minute, 1),
        ])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def format_report(report: StatsReport, type_names: Mapping[str, str]) -> str:
    """What ``sohoa stats`` prints: a few lines per month, then the period."""
    lines = [
        f"Thống kê {scope_name(report)}, từ {vietnam_date(report.period.start)} "
        f"đến {vietnam_date(report.period.end)}",
    ]
    for m in _rows(report):
        median = _minutes(m.median_ready_seconds)
        lines += [
            f"{month_name(m)}: số hóa {m.digitized} (ký số {m.signed}, {m.pages} trang)"
            + (f", {percent(m.share_issued)} của {m.issued} kết quả đã giải quyết"
               if m.issued is not None else ""),
            f"  rà soát: {percent(m.share_without_review)} không cần rà soát, tồn cuối kỳ "
            f"{m.backlog_end if m.backlog_end is not None else '—'}, trung vị đến sẵn sàng "
            f"{'—' if median is None else f'{median} phút'}",
            f"  tái sử dụng: {m.lookups} lượt tra cứu, {percent(m.share_lookups_served)} có "
            f"giấy tờ; {percent(m.share_required_served)} giấy tờ bắt buộc đã cung cấp "
            f"(chỉ tiêu {percent(report.reuse_target)}); {m.releases} lượt cung cấp; "
            f"{m.requested_again} giấy tờ bị yêu cầu lại dù kho đã lưu",
        ]
    if report.total.by_type:
        lines.append("Theo loại: " + "; ".join(
            f"{type_names.get(t, t or 'chưa phân loại')} {n}"
            for t, n in report.total.by_type.items()
        ))
    b = report.backlog
    lines.append(
        f"Tồn rà soát hiện tại: {b.count}"
        + (f" (lâu nhất {_round(b.oldest_days)} ngày, trung vị {_round(b.median_days)} ngày)"
           if b.count else "")
    )
    speed = report.pages_per_minute
    lines.append(
        "Năng suất các lô gần đây: "
        + ("—" if speed is None else f"{speed:.1f} trang/phút ({len(report.batches)} lô)")
    )
    return "\n".join(lines)


def report_filename(report: StatsReport, extension: str) -> str:
    scope = "tat-ca" if report.agencies is None else "-".join(report.agencies)
    # ASCII only: a name any mail client and file system keeps as is.
    scope = re.sub(r"[^a-z0-9]+", "-", fold(scope)).strip("-") or "co-quan"
    start, end = (d.strftime("%Y%m%d") for d in (report.period.start, report.period.end))
    return f"thong-ke-{scope}-{start}-{end}.{extension}"

