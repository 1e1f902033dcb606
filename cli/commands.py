"""Further ``sohoa`` subcommands: review, reuse, fixity, archive, audit, distributed work.

Each ``register_*`` function adds its parsers through the ``command(name, help,
handler)`` function that ``cli.main.build_parser`` hands it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from api.labels import FIXITY_VI, STATUS_VI, doc_type_vi, path_label, reason_vi
from application.operations import (
    apply_review,
    check_fixity,
    delete_record,
    fixity_report,
    review_queue,
)
from application.preflight import check_for_ingest
from application.runtime import Runtime
from application.settings import Settings
from audit import AuditError, format_verification
from cli import cmd_stats, cmd_tokens, cmd_watch
from cli.args import agency_arg, anchor_arg, iso_date
from cli.output import JSON_HELP, emit_json, record_not_found
from extract.review import review_item
from records.errors import UsageError
from reuse import Facts, ReuseRequest, format_result
from storage import StorageError
from storage.bagit import BagError, export_archive, import_archive
from storage.fixity import FixityFinding

Command = Callable[..., argparse.ArgumentParser]
Register = Callable[[Command], None]



# --- review --------------------------------------------------------------------------


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    try:
        if not args.id:
            queue = review_queue(runtime, agency=args.agency)
            for queued in queue:
                if args.json:
                    emit_json(queued)  # the indexed record with its reasons
                    continue
                # Listed as the screens and the API list it, in the index's order.
                item = review_item(queued, describe=reason_vi)
                print(f"- {item['id']}  {doc_type_vi(item['doc_type']) or '?'}  "
                      f"{item['filename']}: {'; '.join(item['reasons_vi'])}")
            if not args.json:
                print(f"{len(queue)} hồ sơ cần rà soát"
                      + (". Xem một hồ sơ: sohoa show MÃ; sửa và duyệt: sohoa review MÃ "
                         "--set TRƯỜNG=GIÁ_TRỊ --approve" if queue else ""))
            return 0
        changes = dict(_split_assignment(a) for a in args.set or [])
        try:
            record = apply_review(runtime, args.id, changes, approve=args.approve,
                                  actor=args.by)
        except KeyError:
            return record_not_found(args.id)
        except ValueError as exc:
            field = getattr(exc, "field", None)  # extract.review.ReviewError
            detail = f"{path_label(field)}: {getattr(exc, 'message', exc)}" if field else exc
            print(f"Không sửa được: {detail}", file=sys.stderr)
            return 1
    finally:
        runtime.close()
    if args.json:
        emit_json(record.to_dict())
    else:
        print(f"Hồ sơ {record.id}: phiên bản {record.version}, trạng thái "
              f"{STATUS_VI.get(record.status, record.status)}")
    return 0


def _split_assignment(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise UsageError(f"--set cần dạng TRƯỜNG=GIÁ_TRỊ, nhận được: {text}")
    key, value = text.split("=", 1)
    return key.strip(), value.strip()


def register_review(command: Command) -> None:
    p = command("review", "danh sách hồ sơ cần rà soát; sửa và duyệt một hồ sơ", cmd_review)
    p.add_argument("id", nargs="?", metavar="MÃ")
    p.add_argument("--set", action="append", metavar="TRƯỜNG=GIÁ_TRỊ",
                   help="sửa một trường, ví dụ subjects[0].id_number=001090012345")
    p.add_argument("--approve", action="store_true", help="duyệt hồ sơ")
    p.add_argument("--by", default="cli", help="người rà soát (ghi vào lịch sử)")
    p.add_argument("--agency", type=agency_arg, help="chỉ hồ sơ của một cơ quan")
    p.add_argument("--json", action="store_true", help=JSON_HELP)


# --- reuse -----------------------------------------------------------------------------


def cmd_reuse(args: argparse.Namespace, settings: Settings) -> int:
    if not args.subject and not (args.name and args.birth_date):
        raise UsageError("Cần --subject, hoặc --name cùng --birth-date")
    runtime = Runtime.open(settings)
    try:
        procedures = runtime.procedures()
        if args.procedure not in procedures:
            raise UsageError(f"Không có thủ tục {args.procedure} trong danh mục")
        # The lookup writes its own audit entry: who asked, about whom, what was offered.
        result = runtime.reuse().lookup(
            ReuseRequest(
                procedure_code=args.procedure,
                subject_id=args.subject,
                name=args.name,
                birth_date=args.birth_date,
                facts=Facts(
                    father_name=args.father_name,
                    mother_name=args.mother_name,
                    spouse_name=args.spouse_name,
                    spouse_birth_date=args.spouse_birth_date,
                    birth_place=args.birth_place,
                    residence=args.residence,
                ),
                actor=args.actor,
                dossier_code=args.dossier,
                as_of=date.fromisoformat(args.as_of) if args.as_of else None,
            )
        )
    finally:
        runtime.close()
    if args.json:
        emit_json(result.to_dict())
    else:
        print(format_result(result))
    return 0


def register_reuse(command: Command) -> None:
    p = command("reuse", "tra cứu giấy tờ đã có để tái sử dụng cho một thủ tục", cmd_reuse)
    p.add_argument("--subject", help="số định danh cá nhân")
    p.add_argument("--name", help="họ tên (khi giấy tờ cũ không có số định danh)")
    p.add_argument("--birth-date", type=iso_date, help="ngày sinh dd/mm/yyyy")
    # What the population database knows: a paper without ID is offered only when one
    # of these, printed on it, agrees and none disagrees.
    p.add_argument("--father-name", help="họ tên cha (đối chiếu giấy tờ không có số định danh)")
    p.add_argument("--mother-name", help="họ tên mẹ")
    p.add_argument("--spouse-name", help="họ tên vợ/chồng")
    p.add_argument("--spouse-birth-date", type=iso_date, help="ngày sinh vợ/chồng dd/mm/yyyy")
    p.add_argument("--birth-place", help="nơi sinh")
    p.add_argument("--residence", help="nơi thường trú")
    p.add_argument("--procedure", required=True, help="mã thủ tục, ví dụ 1.000894")
    p.add_argument("--as-of", type=iso_date, help="ngày xét hiệu lực dd/mm/yyyy (mặc định hôm nay)")
    p.add_argument("--dossier", help="mã hồ sơ đang tiếp nhận (ghi nhật ký)")
    p.add_argument("--actor", default="cli", help="người tra cứu (ghi nhật ký)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)


# --- fixity, archive export / import, audit ---------------------------------------------


def cmd_fixity(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    try:
        summary = check_fixity(runtime, agency=args.agency,
                               on_problem=_emit_finding if args.json else None)
    finally:
        runtime.close()
    if args.json:
        emit_json({"summary": fixity_report(summary)})
    else:
        for problem in summary.problems:
            kind = FIXITY_VI.get(problem.status, problem.status)
            print(f"  ✗ {kind}: {problem.key} {problem.detail}")
        print(f"Đã kiểm tra {summary.checked} đối tượng: {len(summary.problems)} vấn đề")
    return 1 if summary.problems else 0


def _emit_finding(finding: FixityFinding) -> None:
    emit_json(finding.to_dict())


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    dest = Path(args.dest)
    tarred = dest.name.endswith((".tar", ".tar.gz", ".tgz"))
    if not tarred and dest.is_dir() and any(dest.iterdir()):
        # export_archive refuses too (in English, for the log): say it in Vietnamese first.
        raise UsageError(f"Thư mục đích không trống: {dest} (chọn một thư mục mới hoặc trống, "
                         "hoặc một tệp .tar/.tar.gz)")
    runtime = Runtime.open(settings)
    try:
        result = export_archive(runtime.store, args.agency or settings.agency, dest)
    except StorageError as exc:
        print(f"Không xuất được (không tạo gói nào): {exc}", file=sys.stderr)
        return 1
    finally:
        runtime.close()
    if args.json:
        emit_json({"exported": str(result.path), "objects": result.objects,
                   "bytes": result.bytes, "skipped_damaged": list(result.skipped)})
    else:
        print(f"Đã xuất {result.objects} đối tượng ({result.bytes} byte) ra {result.path}")
        for key in result.skipped:
            print(f"  ✗ không xuất (hỏng, sai SHA-256): {key}", file=sys.stderr)
        if result.skipped:
            print(f"Gói THIẾU {len(result.skipped)} đối tượng hỏng ở trên; "
                  "chạy `sohoa fixity` rồi khôi phục chúng từ bản sao lưu (`sohoa import`)",
                  file=sys.stderr)
    # Non-zero: a scheduled backup must not pass for complete when it is not.
    return 1 if result.skipped else 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    try:
        result = import_archive(runtime.store, Path(args.src))
    except BagError as exc:
        print(f"Không nhập được (không ghi gì vào kho): {exc}", file=sys.stderr)
        return 1
    finally:
        runtime.close()
    if args.json:
        emit_json({"imported": str(args.src), "objects": result.objects, "bytes": result.bytes,
                   "already_present": result.already_present,
                   "repaired": list(result.repaired)})
    else:
        print(f"Đã nhập {result.objects} đối tượng từ {args.src}; "
              "chạy `sohoa reindex` để lập chỉ mục")
        if result.repaired:
            print(f"Đã sửa {len(result.repaired)} đối tượng bị hỏng bằng bản trong gói:")
        for key in result.repaired:
            print(f"  ✓ {key}")
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    try:
        if args.action == "flush":
            try:
                shipped = runtime.audit().flush()
            except AuditError as exc:
                print(f"Chưa chuyển được nhật ký vào kho: {exc}", file=sys.stderr)
                return 1
        else:
            check = runtime.audit().verify(args.anchor)
    finally:
        runtime.close()
    if args.action == "flush":
        if args.json:
            emit_json({"shipped": shipped})
        else:
            print(f"Đã chuyển {shipped} mục nhật ký từ {settings.audit_journal_dir} vào chuỗi băm")
        return 0
    if args.json:
        emit_json(check.to_dict())
    else:
        print(format_verification(check))
    return 0 if check.ok else 1


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    try:
        keys = list(delete_record(runtime, args.id, actor=args.actor, reason=args.reason).keys)
    except KeyError:
        return record_not_found(args.id)
    finally:
        runtime.close()
    if args.json:
        emit_json({"deleted": args.id, "objects": keys})
    else:
        print(f"Đã xóa hồ sơ {args.id} ({len(keys)} đối tượng); đã ghi nhật ký kiểm toán")
    return 0


def register_storage(command: Command) -> None:
    p = command("fixity", "kiểm tra toàn vẹn mọi đối tượng và chữ ký trong kho", cmd_fixity)
    p.add_argument("--agency", type=agency_arg, help="cơ quan (mặc định: tất cả / SOHOA_AGENCY)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("export", "xuất kho lưu trữ của một cơ quan thành gói BagIt", cmd_export)
    p.add_argument("dest", metavar="THƯ_MỤC_ĐÍCH")
    p.add_argument("--agency", type=agency_arg, help="cơ quan (mặc định: tất cả / SOHOA_AGENCY)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("import", "nhập một gói BagIt (kiểm tra mọi mã băm)", cmd_import)
    p.add_argument("src", metavar="GÓI_BAGIT")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("delete", "(quản trị) xóa hẳn một hồ sơ, có ghi nhật ký kiểm toán", cmd_delete)
    p.add_argument("id", metavar="MÃ")
    p.add_argument("--actor", required=True, help="người quyết định xóa")
    p.add_argument("--reason", required=True, help="lý do (ví dụ số quyết định)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("audit", "nhật ký kiểm toán", cmd_audit)
    p.add_argument("action", choices=["verify", "flush"],
                   help="verify: kiểm tra chuỗi băm (sau khi chuyển hết nhật ký tạm); "
                   "flush: chuyển nhật ký tạm trên máy này (kể cả của tiến trình đã dừng) "
                   "vào chuỗi băm")
    p.add_argument("--anchor", type=anchor_arg, metavar="SỐ:MÃ_BĂM",
                   help="verify: mốc đã lưu ở nơi khác (sohoa audit verify in ra); phát hiện "
                   "việc cắt bớt hay viết lại phần cuối nhật ký")
    p.add_argument("--json", action="store_true", help=JSON_HELP)


# --- distributed work ------------------------------------------------------------------


def _require_broker(settings: Settings) -> str:
    if not settings.broker_url:
        raise UsageError("Cần đặt SOHOA_BROKER_URL (ví dụ redis://127.0.0.1:6379/0)")
    return settings.broker_url


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.distributed import make_celery  # celery: only with a broker

    _require_broker(settings)
    # A worker without tesseract, a language or a usable key would fail every document
    # it takes (three times each): it refuses to start instead.
    runtime = Runtime.open(settings)
    try:
        check_for_ingest(runtime)
    finally:
        runtime.close()
    app = make_celery(settings)
    argv = ["worker", "--loglevel", "INFO", "--queues", args.queues,
            "--concurrency", str(args.concurrency or settings.workers)]
    if args.beat:
        argv.append("--beat")
    app.worker_main(argv)
    return 0


def cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.distributed import Ledger  # celery: only with a broker

    progress = Ledger(_require_broker(settings)).progress(args.id)
    if progress is None:
        print(f"Không có lô {args.id}", file=sys.stderr)
        return 1
    data = progress.to_dict()
    if args.json:
        emit_json(data)
    else:
        eta = data["eta_seconds"]
        print(f"Lô {args.id}: xong {data['done']} · lỗi {data['failed']} · bỏ qua "
              f"{data['skipped']} · đang chờ {data['pending']} / {data['total']} · "
              f"{data['pages_per_minute']} trang/phút"
              + (f" · còn khoảng {eta} giây" if eta else ""))
    return 0


def cmd_retry(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.distributed import make_celery, retry_failed  # celery: only with a broker

    _require_broker(settings)
    runtime = Runtime.open(settings)
    try:
        count = retry_failed(runtime, make_celery(settings), args.id)
    finally:
        runtime.close()
    emit_json({"requeued": count}) if args.json else print(f"Đã đưa lại {count} tài liệu")
    return 0


def register_distributed(command: Command) -> None:
    p = command("worker", "chạy worker Celery (chế độ phân tán)", cmd_worker)
    p.add_argument("--queues", default="ocr,default")
    p.add_argument("--concurrency", type=int)
    p.add_argument("--beat", action="store_true", help="kèm lịch kiểm tra toàn vẹn định kỳ")
    p = command("batch", "tiến độ một lô", cmd_batch)
    p.add_argument("id", metavar="MÃ_LÔ")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("retry", "đưa lại các tài liệu lỗi của một lô vào hàng đợi", cmd_retry)
    p.add_argument("id", metavar="MÃ_LÔ")
    p.add_argument("--json", action="store_true", help=JSON_HELP)


REGISTRY: list[Register] = [
    cmd_tokens.register,
    register_review,
    register_reuse,
    register_storage,
    register_distributed,
    cmd_stats.register,
    cmd_watch.register,
]
