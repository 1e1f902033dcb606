"""``sohoa watch DIR``: the hot folder on the command line (``watch`` does the work)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from application.runtime import Runtime
from application.settings import Settings
from cli.args import agency_arg
from cli.output import emit_json
from ingest.outcome import FileOutcome, OutcomeStatus
from records.errors import UsageError

_MARKS = {OutcomeStatus.INGESTED: "✓", OutcomeStatus.SKIPPED: "=", OutcomeStatus.FAILED: "✗"}


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cần một số giây: {value}") from exc
    if number <= 0:
        raise argparse.ArgumentTypeError(f"cần một số giây lớn hơn 0: {value}")
    return number


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from application.preflight import check_for_ingest
    from watch import Watcher, WatchOptions, distributed, embedded

    root = Path(args.dir)
    if not root.is_dir():
        raise UsageError(f"Không tìm thấy thư mục: {root}")
    runtime = Runtime.open(settings)
    # Before watching: a watcher that cannot digitize must say so now, not per file.
    check_for_ingest(runtime, ocr_here=not settings.broker_url)
    digitize = distributed(runtime) if settings.broker_url else embedded(runtime)

    def report(relative: str, outcome: FileOutcome, moved_to: Path | None) -> None:
        if args.json:
            emit_json({"path": relative, "moved_to": str(moved_to) if moved_to else None,
                       **outcome.to_json()})
            return
        what = outcome.record.id if outcome.record is not None else outcome.reason
        if outcome.filename != Path(relative).name:  # one paper of a split stack
            relative = f"{relative} → {outcome.filename}"
        print(f"{_MARKS[outcome.status]} {relative}: {what}", flush=True)

    options = WatchOptions(settle_seconds=args.settle, poll_seconds=args.interval,
                           delete_done=args.delete, use_inotify=not args.poll,
                           split_stacks=args.split, languages=settings.languages)
    watcher = Watcher(root, digitize, agency=args.agency or settings.agency,
                      options=options, report=report)
    stop = threading.Event()
    _stop_on_term(lambda: watcher.stop(stop))
    if not args.json:
        how = "chế độ phân tán" if settings.broker_url else "xử lý tại máy này"
        print(f"Đang theo dõi {root} ({how}); Ctrl-C để dừng.", file=sys.stderr)
    try:
        watcher.run(stop, once=args.once)
    finally:
        runtime.close()
    return 0


def _stop_on_term(stop: Callable[[], None]) -> None:
    """systemd and docker stop with SIGTERM: finish the batch in hand, then exit."""
    def handler(signum: int, frame: FrameType | None) -> None:
        stop()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def cmd_separator_sheet(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from ingest.stack import SeparatorSheet, separator_sheet_pdf

    if any("|" in (v or "") for v in (args.box, args.type)):
        raise UsageError("Hộp và loại giấy tờ không được chứa ký tự «|».")
    out = Path(args.output)
    out.write_bytes(separator_sheet_pdf(SeparatorSheet(box=args.box, doc_type=args.type)))
    print(f"Đã tạo tờ phân cách: {out} — in ra, đặt trước mỗi giấy tờ khi quét cả tập, "
          f"rồi dùng sohoa watch --split.", file=sys.stderr)
    return 0


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command("separator-sheet", "tạo trang PDF tờ phân cách (mã QR) để quét cả tập giấy tờ",
                cmd_separator_sheet)
    p.add_argument("-o", "--output", default="to-phan-cach.pdf", metavar="TỆP")
    p.add_argument("--box", help="hộp lưu trữ ghi vào các giấy tờ sau tờ này")
    p.add_argument("--type", help="loại giấy tờ của giấy tờ sau tờ này, ví dụ birth_certificate")

    p = command("watch", "theo dõi một thư mục: tự số hóa tệp máy quét thả vào", cmd_watch)
    p.add_argument("dir", metavar="THƯ_MỤC")
    p.add_argument("--agency", type=agency_arg,
                   help="cơ quan số hóa (mặc định: SOHOA_AGENCY; thư mục con coquan=… thắng)")
    p.add_argument("--settle", type=_positive, default=5.0, metavar="GIÂY",
                   help="chỉ nhận tệp không đổi kích thước và thời điểm sửa trong ngần ấy "
                        "giây (mặc định 5)")
    p.add_argument("--interval", type=_positive, default=2.0, metavar="GIÂY",
                   help="khoảng giữa hai lần quét khi thăm dò (mặc định 2)")
    p.add_argument("--poll", action="store_true",
                   help="chỉ thăm dò định kỳ, không dùng inotify (thư mục mạng SMB/NFS)")
    p.add_argument("--delete", action="store_true",
                   help="xóa tệp đã số hóa thay vì chuyển vào .done/")
    p.add_argument("--split", action="store_true",
                   help="tệp PDF nhiều trang là cả tập giấy tờ: tách theo tờ phân cách, "
                        "hoặc theo quốc hiệu đầu trang và loại giấy tờ (chỗ không chắc "
                        "chắn: chờ rà soát)")
    p.add_argument("--once", action="store_true",
                   help="xử lý hết những gì đang có rồi thoát (cho cron, kiểm thử)")
    p.add_argument("--json", action="store_true", help="mỗi tệp một dòng JSON")
