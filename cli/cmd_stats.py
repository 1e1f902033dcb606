"""``sohoa stats``: the figures leaders are held to, as text, JSON, CSV or an Excel
workbook; ``sohoa stats import FILE.csv`` for the offices' counts of results issued;
``sohoa stats rebuild`` to refill the statistics from storage and the audit chain."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from application.runtime import Runtime
from application.settings import Settings
from cli.args import agency_arg
from cli.output import emit_json
from records.errors import UsageError


def type_names(settings: Settings) -> dict[str, str]:
    """Result-type names of this deployment, by code."""
    # This command's own imports: the others (and --help) do not load them.
    from records.result_types import cached_result_types

    return {code: t.name for code, t in cached_result_types(settings.result_types_path).items()}


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from records.vntime import vietnam_today
    from stats import Period
    from stats.export import format_report, write_csv, write_xlsx

    period = Period.parse(args.date_from, args.date_to, vietnam_today())
    runtime = Runtime.open(settings)
    try:
        report = runtime.stats().report(period, [args.agency] if args.agency else None)
    finally:
        runtime.close()
    names = type_names(settings)
    if args.xlsx:
        try:
            Path(args.xlsx).write_bytes(write_xlsx(report, names))
        except OSError as exc:
            raise UsageError(f"Không ghi được tệp {args.xlsx}: {exc.strerror}") from exc
        print(f"Đã ghi báo cáo thống kê vào {args.xlsx}", file=sys.stderr)
    elif args.csv:
        sys.stdout.write(write_csv(report, names))
    elif args.json:
        emit_json(report.to_dict())
    else:
        print(format_report(report, names))
    return 0


def cmd_stats_import(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from stats import read_issued_csv

    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Không đọc được tệp {args.file} (cần CSV UTF-8): {exc}") from exc
    rows = read_issued_csv(text)
    runtime = Runtime.open(settings)
    try:
        count = runtime.stats().set_issued(rows)
    finally:
        runtime.close()
    if args.json:
        emit_json({"imported": count})
    else:
        print(f"Đã nhập số kết quả đã giải quyết: {count} dòng (cơ quan, tháng)")
    return 0


def cmd_stats_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from stats import rebuild
    from storage.records import iter_latest_records

    unreadable: list[str] = []
    runtime = Runtime.open(settings)
    try:
        records, events = rebuild(
            runtime.stats(),
            iter_latest_records(runtime.store, on_error=lambda key, _: unreadable.append(key)),
            runtime.audit().entries(),
        )
    finally:
        runtime.close()
    if args.json:
        emit_json({"records": records, "reuse_events": events, "unreadable": unreadable})
    else:
        print(f"Đã tính lại thống kê: {records} hồ sơ, {events} lượt tra cứu và cung cấp")
        for key in unreadable:
            print(f"Không đọc được (chạy sohoa fixity): {key}")
    return 1 if unreadable else 0


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command(
        "stats",
        "thống kê số hóa, rà soát, tái sử dụng theo cơ quan và tháng (in ra, JSON, CSV, Excel)",
        cmd_stats,
    )
    p.add_argument("--from", dest="date_from", metavar="NGÀY",
                   help="từ ngày (15/03/2025 hoặc 2025-03-15; mặc định: 12 tháng gần nhất)")
    p.add_argument("--to", dest="date_to", metavar="NGÀY", help="đến ngày (mặc định: hôm nay)")
    p.add_argument("--agency", type=agency_arg, help="một cơ quan (mặc định: tất cả)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--xlsx", metavar="TỆP", help="ghi sổ Excel, mỗi chỉ tiêu một trang")
    out.add_argument("--csv", action="store_true", help="in CSV, mỗi tháng một dòng")
    out.add_argument("--json", action="store_true")
    sub = p.add_subparsers(dest="stats_action", metavar="VIỆC")
    imp = sub.add_parser(
        "import", help="nhập số kết quả đã giải quyết theo tháng (CSV: agency,month,issued)",
        description="Nhập số kết quả đã giải quyết theo tháng từ tệp CSV UTF-8 có dòng tiêu "
        "đề agency,month,issued; tháng dạng 03/2025 hoặc 2025-03. Dòng trùng cơ quan và "
        "tháng thay thế số cũ.",
    )
    imp.add_argument("file", metavar="TỆP.csv")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=cmd_stats_import)
    reb = sub.add_parser("rebuild", help="tính lại thống kê từ kho lưu trữ và nhật ký kiểm toán")
    reb.add_argument("--json", action="store_true")
    reb.set_defaults(handler=cmd_stats_rebuild)
