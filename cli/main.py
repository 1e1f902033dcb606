"""The ``sohoa`` command line.

Help and messages are in Vietnamese for the officers and archivists who run it; with
``--json`` every command prints one JSON object per line for scripts. Exit codes are
``records.errors.ExitCode``: 0 success, 1 when something the command checked is wrong
(a failed file, an invalid signature, a fixity problem), 2 for usage and configuration
errors, 3 when tesseract or a language is not installed, 4 when the store, index or
broker does not answer, 15 for a bug. ``main`` is the one place errors become codes.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from api.labels import (
    NEEDS_REVIEW_HELP,
    OUTCOME_VI,
    STATUS_VI,
    doc_type_vi,
    reason_vi,
    verify_note_vi,
)
from application.runtime import Runtime
from application.settings import Settings
from cli.args import VietnameseParser, agency_arg, iso_date
from cli.output import JSON_HELP, emit_json, record_not_found
from ingest.errors import ALREADY_STORED, DUPLICATE_IN_BATCH
from ingest.outcome import FileOutcome, OutcomeStatus
from records.errors import (
    ConfigError,
    ExitCode,
    SohoaError,
    StorageFull,
    UsageError,
    is_disk_full,
)
from records.model import Record, Status
from records.vntime import vietnam_date, vietnam_time

if TYPE_CHECKING:  # for annotations only: pyHanko loads with ``sohoa verify``, not before
    from signing import VerificationReport

Handler = Callable[[argparse.Namespace, Settings], int]

log = logging.getLogger("sohoa.cli")


class Progress:
    """What a person watches while a batch runs, fed one ``FileOutcome`` at a time.

    On a terminal: a live bar (rich, redrawn on its own thread, so the clock and the
    estimate keep moving while a long page is read) with files done, pages per minute
    and the time left. Otherwise (the demo, a log, cron): one line per file, and every
    ``summary_every`` seconds a summary line, so a stalled batch is told from a slow one.
    """

    def __init__(self, total: int | None, enabled: bool, *, stream: TextIO | None = None,
                 summary_every: float = 30.0) -> None:
        self.total = total
        self.done = 0
        self.pages = 0
        self.worked = 0  # files that took OCR: a refusal in a blink says nothing of the rest
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._bar: Any = None
        self._ticker: threading.Thread | None = None
        if not enabled:
            return
        if self.stream.isatty():
            self._bar = self._live_bar()
        elif summary_every > 0:
            self._ticker = threading.Thread(target=self._tick, args=(summary_every,),
                                            name="sohoa-progress", daemon=True)
            self._ticker.start()

    def _live_bar(self) -> Any:
        # This command's own imports: the others (and --help) do not load them.
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn
        from rich.progress import Progress as Bar

        bar = Bar(SpinnerColumn(), TextColumn("Số hóa"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("tệp · {task.fields[rate]} · {task.fields[eta]}"),
                  TextColumn("{task.fields[last]}", style="dim"),
                  console=Console(file=self.stream), transient=True, refresh_per_second=4)
        bar.start()
        self._task = bar.add_task("", total=self.total, rate="— trang/phút",
                                  eta="còn —", last="")
        # The estimate moves with the clock between two files, not only at each file.
        self._ticker = threading.Thread(target=self._tick, args=(1.0,), daemon=True)
        self._ticker.start()
        return bar

    def figures(self) -> tuple[str, str]:
        """(pages per minute, time left) as shown, from the files done so far."""
        minutes = max(time.monotonic() - self.started, 1e-6) / 60
        rate = f"{self.pages / minutes:.1f}".replace(".", ",") + " trang/phút"
        if not self.worked or not self.total or self.done >= self.total:
            return rate, "còn —"
        left = minutes * 60 / self.worked * (self.total - self.done)
        return rate, "còn khoảng " + _duration(left)

    def step(self, outcome: FileOutcome) -> None:
        with self._lock:
            self.done += 1
            self.pages += outcome.pages
            self.worked += bool(outcome.pages)
            if not self.enabled:
                return
            rate, eta = self.figures()
            label = f"{OUTCOME_VI[outcome.status]} {outcome.filename}"
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done, rate=rate, eta=eta,
                                 last=label[:60])
            else:
                total = f"/{self.total}" if self.total else ""
                pages = f" ({outcome.pages} trang)" if outcome.pages else ""
                why = f": {outcome.message}" if outcome.message else ""
                self._line(f"[{self.done}{total}] {label}{pages}{why} · {rate} · {eta}")

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                rate, eta = self.figures()
                if self._bar is not None:
                    self._bar.update(self._task, rate=rate, eta=eta)
                else:
                    elapsed = _duration(time.monotonic() - self.started)
                    total = f"/{self.total}" if self.total else ""
                    self._line(f"Đang số hóa: {self.done}{total} tệp xong, {self.pages} trang, "
                               f"đã chạy {elapsed} · {rate} · {eta}")

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.stop()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} giây"
    if seconds < 3600:
        return f"{seconds // 60} phút {seconds % 60:02d} giây"
    return f"{seconds // 3600} giờ {seconds % 3600 // 60:02d} phút"



# --- ingest ---------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from ingest import discover, new_batch_id, run_batch

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"Không tìm thấy: {', '.join(map(str, missing))}")
    runtime = Runtime.open(settings)
    if runtime.uses_dev_identity and not args.json:
        print(
            "Chú ý: đang ký bằng chứng thư PHÁT TRIỂN (development only) — "
            "không dùng cho văn bản thật.",
            file=sys.stderr,
        )
    files = list(discover(Path(p) for p in args.paths))
    agency = args.agency or settings.agency
    parts_dir = None
    if args.split:  # each multi-page PDF is a stack of papers: one record per paper
        from ingest.stack import split_inputs

        parts_dir = tempfile.TemporaryDirectory(prefix="sohoa-split-")
        files = split_inputs(files, Path(parts_dir.name), languages=settings.languages)
    tally = Tally(args.json, Progress(len(files), enabled=not args.json))
    try:
        if settings.broker_url:
            # This command's own imports: the others (and --help) do not load them.
            from ingest.distributed import Ledger, follow, make_celery, submit_batch

            batch_id = new_batch_id()
            submit_batch(files, runtime, make_celery(settings), batch_id=batch_id,
                         agency=agency)
            if args.no_wait:
                emit_json({"batch_id": batch_id}) if args.json else print(batch_id)
                return 0
            if not args.json:
                print(f"Lô {batch_id}: đã đưa {len(files)} tệp vào hàng đợi", file=sys.stderr)
            for outcome in follow(Ledger(settings.broker_url), batch_id):
                tally.add(outcome)
        else:
            run_batch(files, runtime, agency=agency, on_outcome=tally.add)
    finally:
        tally.progress.close()
        runtime.close()
        if parts_dir is not None:  # the papers are stored (or staged for the workers)
            parts_dir.cleanup()
    if not args.json:
        print(tally.summary())
    return ExitCode.FAILED if tally.failed else ExitCode.OK


# Skipped because already digitized: counted, not listed one by one.
_REPEATS = (ALREADY_STORED[0], DUPLICATE_IN_BATCH[0])


class Tally:
    """Counts outcomes and prints them as they come (JSON lines or a progress bar)."""

    def __init__(self, as_json: bool, progress: Progress) -> None:
        self.as_json = as_json
        self.progress = progress
        self.counts = dict.fromkeys(OutcomeStatus, 0)
        self.failures: list[str] = []
        self.to_review: list[str] = []

    def add(self, outcome: FileOutcome) -> None:
        self.counts[outcome.status] += 1
        if self.as_json:
            emit_json(outcome.to_json())
        elif outcome.status is OutcomeStatus.FAILED:
            self.failures.append(f"  ✗ {outcome.filename}: {outcome.message}")
        elif outcome.code not in (None, *_REPEATS):
            self.failures.append(f"  – {outcome.filename}: {outcome.message}")
        record = outcome.record
        if record is not None and record.status is Status.NEEDS_REVIEW:
            reasons = "; ".join(reason_vi(r) for r in record.review.reasons)
            self.to_review.append(f"  ? {record.id}  {outcome.filename}: {reasons}")
        self.progress.step(outcome)

    @property
    def failed(self) -> int:
        return self.counts[OutcomeStatus.FAILED]

    def summary(self) -> str:
        lines = [
            f"Đã số hóa: {self.counts[OutcomeStatus.INGESTED]} (trong đó cần rà soát: "
            f"{len(self.to_review)}) · Bỏ qua: "
            f"{self.counts[OutcomeStatus.SKIPPED]} · Lỗi: {self.failed}",
            *self.failures,
        ]
        if self.to_review:
            lines += [f"Hồ sơ cần rà soát ({len(self.to_review)}):", *self.to_review,
                      "Chạy `sohoa review` để xem danh sách, `sohoa review MÃ --set "
                      "TRƯỜNG=GIÁ_TRỊ --approve` để sửa và duyệt."]
        return "\n".join(lines)


# --- show / search -----------------------------------------------------------------------


def format_record(record: Record) -> str:
    """What ``sohoa show`` prints: the record's values for a person, in Vietnamese."""
    subjects = "; ".join(
        ", ".join(
            str(v) for v in (s.name, s.id_number, s.birth_date and vietnam_date(s.birth_date),
                             s.role)
            if v
        )
        for s in record.subjects
    )
    sig = record.signature
    part = record.source.part_of
    rows: list[tuple[str, object]] = [
        ("Mã hồ sơ số", record.id),
        ("Trạng thái", STATUS_VI.get(record.status, str(record.status))),
        ("Loại giấy tờ", doc_type_vi(record.doc_type)),
        ("Tiêu đề", record.title),
        ("Số", record.document_number),
        ("Cơ quan cấp", record.issuer),
        ("Ngày cấp", record.issued_on and vietnam_date(record.issued_on)),
        ("Hiệu lực đến", record.valid_until and vietnam_date(record.valid_until)),
        ("Chủ thể", subjects or None),
        ("Tệp gốc", record.source.filename),
        ("Số trang", record.source.pages),
        ("Độ tin cậy OCR", record.ocr.mean_confidence),
        ("Chữ ký", f"{sig.level} · {sig.signer} · {vietnam_time(sig.signed_at)}"
         if sig.level else None),
        ("Lý do cần rà soát", "; ".join(reason_vi(r) for r in record.review.reasons) or None),
        ("Nơi lưu bản giấy", record.location.label() or None),
        ("Tách từ tệp", part and f"{part.filename}, trang {part.first_page}–{part.last_page}"),
    ]
    width = max(len(k) for k, _ in rows)
    text = "\n".join(f"{k.ljust(width)} : {'—' if v is None else v}" for k, v in rows)
    if record.status == Status.NEEDS_REVIEW:
        text += f"\n\n{NEEDS_REVIEW_HELP}\nSửa và duyệt: sohoa review {record.id} " \
                "--set TRƯỜNG=GIÁ_TRỊ --approve"
    return text


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from application.operations import find_record

    runtime = Runtime.open(settings)
    try:
        record = find_record(runtime, args.id)
    except KeyError:
        return record_not_found(args.id)
    finally:
        runtime.close()
    if args.json:
        emit_json(record.to_dict())
    else:
        print(format_record(record))
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from search import SearchQuery

    query = SearchQuery(
        text=args.text,
        doc_type=args.type,
        subject_id=args.subject,
        subject_name=args.name,
        box=args.box,
        issued_from=args.date_from,
        issued_to=args.date_to,
        fuzzy=args.fuzzy,
        limit=args.limit,
        offset=args.offset,
    )
    runtime = Runtime.open(settings)
    try:
        result = runtime.index.search(query)
    finally:
        runtime.close()
    if args.json:
        for hit in result.hits:
            emit_json({"id": hit.id, "score": hit.score, "snippet": hit.snippet, **hit.record})
        return 0
    more = "hơn " if result.total_is_estimate else ""
    who = f" của người tên «{args.name}»" if args.name else ""
    words = f" cho «{args.text}»" if args.text else ""
    print(f"Tìm thấy {more}{result.total} kết quả{words}{who}")
    for hit in result.hits:
        r = hit.record
        issued = vietnam_date(r["issued_on"]) if r.get("issued_on") else ""
        who = ", ".join(name for s in r.get("subjects") or [] if (name := s.get("name")))
        print(f"- {hit.id}  {doc_type_vi(r.get('doc_type')) or '?'}  {who}  "
              f"{r.get('title') or ''}  {issued}  [{STATUS_VI.get(r.get('status') or '', '?')}]")
        if hit.snippet:
            print("    " + hit.snippet.replace("<mark>", "«").replace("</mark>", "»"))
    return 0


# --- verify --------------------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from signing import verify_pdf

    runtime = Runtime.open(settings)
    try:
        target = Path(args.target)
        if target.is_file():
            data = target.read_bytes()
        else:
            # This command's own imports: the others (and --help) do not load them.
            from application.operations import find_record

            try:
                record = find_record(runtime, args.target)
            except KeyError:
                if args.json:
                    emit_json({"valid": False, "reasons": [f"not found: {args.target}"]})
                return record_not_found(args.target)
            if record.files.archival_pdf is None:
                print(f"Hồ sơ {args.target} chưa có bản PDF lưu trữ để kiểm tra",
                      file=sys.stderr)
                return int(ExitCode.FAILED)
            data = runtime.store.get(record.files.archival_pdf)
        report = verify_pdf(data, trust_roots=runtime.trust_roots())
    except (OSError, ValueError) as exc:
        if args.json:
            emit_json({"valid": False, "reasons": [f"unreadable: {exc}"]})
        else:
            print(f"KHÔNG HỢP LỆ: không đọc được {args.target} ({type(exc).__name__})")
        return 1
    finally:
        runtime.close()
    if args.json:
        emit_json(report.to_dict())
    else:
        print(format_verification(report))
    return 0 if report.valid else 1


def format_verification(report: VerificationReport) -> str:
    """The verdict first, then each signature and every reason, in Vietnamese."""
    lines = ["HỢP LỆ" if report.valid else "KHÔNG HỢP LỆ"]
    if report.unsigned:
        lines.append("  Tệp không có chữ ký số.")
    for sig in report.signatures:
        stamped = sig.timestamp.time if sig.timestamp is not None else None
        lines += [
            f"  Chữ ký {sig.field_name}: {'hợp lệ' if sig.valid else 'không hợp lệ'}"
            f" ({sig.pades_level})",
            f"    Người ký       : {sig.signer_common_name}"
            + (" (chứng thư PHÁT TRIỂN)" if sig.development_only else ""),
            f"    Thời gian ký   : {vietnam_time(sig.signing_time)}",
            f"    Dấu thời gian  : {vietnam_time(stamped)}",
            f"    Toàn vẹn       : {'có' if sig.intact else 'KHÔNG'}",
            f"    Chuỗi tin cậy  : {'có' if sig.trusted else 'KHÔNG'}",
            f"    Sửa sau khi ký : {'CÓ' if sig.modified_after_signing else 'không'}",
        ]
        lines += [f"    - {verify_note_vi(reason)}" for reason in sig.reasons]
    if not report.signatures:
        lines += [f"  - {verify_note_vi(reason)}" for reason in report.reasons]
    return "\n".join(lines)


# --- reindex -----------------------------------------------------------------------------


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    from application.operations import reindex, repair_index

    runtime = Runtime.open(settings)
    try:
        if args.repair:
            repair = repair_index(runtime, agency=args.agency)
        else:
            repair = reindex(runtime, agency=args.agency)
    finally:
        runtime.close()
    if args.json:
        emit_json(repair.to_dict())
    else:
        print(f"Đã đọc {repair.checked} hồ sơ trong kho; ghi vào chỉ mục: {repair.written} "
              f"(thêm {repair.added}, cập nhật {repair.updated}); bỏ khỏi chỉ mục: "
              f"{repair.removed}")
        for key in repair.unreadable:
            print(f"Không đọc được (chạy sohoa fixity): {key}")
    return 1 if repair.unreadable else 0


# --- serve -------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    # This command's own imports: the others (and --help) do not load them.
    import uvicorn

    from api.protocol import PROTOCOL  # request heads bounded at the socket

    if args.workers > 1:
        # Each worker process builds its own app from the same environment.
        uvicorn.run("api.app:app_from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="info", http=PROTOCOL)
        return 0
    # This command's own imports: the others (and --help) do not load them.
    from api.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info",
                http=PROTOCOL)
    return 0


# --- parser ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(
        prog="sohoa",
        description="Số hóa kết quả giải quyết thủ tục hành chính và tái sử dụng chúng.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH",
                                title="các lệnh", parser_class=VietnameseParser)

    def command(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("ingest", "số hóa tệp hoặc thư mục (PDF, TIFF, JPEG, PNG)", cmd_ingest)
    p.add_argument("paths", nargs="+", metavar="ĐƯỜNG_DẪN")
    p.add_argument("--agency", type=agency_arg, metavar="CƠ_QUAN",
                   help="cơ quan số hóa (mặc định: SOHOA_AGENCY)")
    p.add_argument("--json", action="store_true", help="mỗi tệp một dòng JSON")
    p.add_argument("--no-wait", action="store_true",
                   help="(chế độ phân tán) chỉ in mã lô rồi thoát, không chờ xử lý xong")
    p.add_argument("--split", action="store_true",
                   help="tệp PDF nhiều trang là cả tập giấy tờ quét một lần: tách thành "
                   "từng giấy tờ, mỗi giấy tờ một hồ sơ (theo tờ phân cách; không có thì "
                   "theo quốc hiệu đầu trang và loại giấy tờ; chỗ không chắc: chờ rà soát)")

    p = command("show", "xem một hồ sơ", cmd_show)
    p.add_argument("id", metavar="MÃ")
    p.add_argument("--json", action="store_true", help=JSON_HELP)

    p = command("search", "tìm kiếm hồ sơ (có hoặc không dấu)", cmd_search)
    p.add_argument("text", metavar="TỪ_KHÓA", nargs="?", default="")
    p.add_argument("--type", help="mã loại giấy tờ, ví dụ birth_certificate (Giấy khai sinh)")
    p.add_argument("--subject", help="số định danh cá nhân (CCCD/CMND)")
    p.add_argument("--name", help="họ tên đầy đủ của người (có hoặc không dấu): chỉ hồ sơ "
                   "của người đó, không phải mọi giấy có chữ trùng")
    p.add_argument("--box", help="hộp lưu trữ, đúng như nhãn (ví dụ H-12)")
    p.add_argument("--from", dest="date_from", type=iso_date, help="cấp từ ngày dd/mm/yyyy")
    p.add_argument("--to", dest="date_to", type=iso_date, help="cấp đến ngày dd/mm/yyyy")
    p.add_argument("--fuzzy", action="store_true", help="chấp nhận lỗi nhận dạng nhỏ")
    p.add_argument("--limit", type=int, default=10, help="số kết quả tối đa")
    p.add_argument("--offset", type=int, default=0, help="bỏ qua bấy nhiêu kết quả đầu")
    p.add_argument("--json", action="store_true", help=JSON_HELP)

    p = command("verify", "kiểm tra chữ ký số của tệp PDF hoặc hồ sơ", cmd_verify)
    p.add_argument("target", metavar="TỆP_HOẶC_MÃ")
    p.add_argument("--json", action="store_true", help=JSON_HELP)

    p = command("reindex", "lập lại chỉ mục từ kho lưu trữ", cmd_reindex)
    p.add_argument("--agency", type=agency_arg, metavar="CƠ_QUAN",
                   help="chỉ một cơ quan (chỉ mục của các cơ quan khác giữ nguyên)")
    p.add_argument("--repair", action="store_true",
                   help="chỉ sửa chỗ lệch (thêm hồ sơ thiếu, cập nhật bản cũ, bỏ hồ sơ không "
                        "còn trong kho) mà không xóa chỉ mục: tìm kiếm vẫn chạy trong lúc sửa")
    p.add_argument("--json", action="store_true", help=JSON_HELP)

    p = command("serve", "chạy dịch vụ HTTP", cmd_serve)
    p.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe")
    p.add_argument("--port", type=int, default=8000, help="cổng")
    p.add_argument("--workers", type=int, default=1, help="số tiến trình phục vụ (uvicorn workers)")

    for extra in _extra_commands():
        extra(command)
    return parser


def _extra_commands() -> list[Callable[[Callable[..., argparse.ArgumentParser]], None]]:
    """Commands contributed by other modules (review, reuse, fixity, …)."""
    # This command's own imports: the others (and --help) do not load them.
    from cli import commands

    return commands.REGISTRY


def settings_from_env() -> Settings:
    try:
        return Settings.from_env()
    except (ValueError, OSError) as exc:  # a number that is not one, an unreadable file
        raise ConfigError(str(exc)) from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the one place an error becomes an exit code (as OCRmyPDF's
    ``run``): a ``SohoaError`` carries its code, anything else is a bug."""
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader (`| head -1`) has gone, whichever command was writing (help too):
        # stop quietly. As the CPython docs advise, point stdout at devnull so that the
        # flush at interpreter exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitCode.FAILED)


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # argparse refuses bad arguments itself, exit 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    handler: Handler = args.handler
    try:
        code = int(handler(args, settings_from_env()))
        sys.stdout.flush()  # a closed pipe shows here rather than at interpreter exit
        return code
    except BrokenPipeError:
        raise  # not a bug: main stops quietly
    except SohoaError as exc:
        # English for the log, then the Vietnamese sentence the person acts on.
        log.error("%s failed: %s: %s", args.command, type(exc).__name__, exc)
        print(exc.user_message(), file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("\nĐã dừng.", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:
        if is_disk_full(exc):  # a write no layer named (a library's own): not a bug
            log.error("%s failed: disk full: %s", args.command, exc)
            print(StorageFull.message_vi, file=sys.stderr)
            return int(StorageFull.exit_code)
        log.critical("%s: unexpected error (a bug)", args.command, exc_info=exc)
        print(f"Lỗi hệ thống không lường trước (báo quản trị, kèm nhật ký ở trên): "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return int(ExitCode.INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
