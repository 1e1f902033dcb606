"""Handing one archived, signed PDF over to a dossier, on the citizen's explicit request.

The release trusts nothing from an earlier lookup: it runs the whole lookup again for
this citizen, procedure and date, hands over the record only if that fresh lookup
offers it, and checks once more against the latest version in storage (the system of
record, which the index may not reflect yet). It returns what happened (a
``ReleaseOutcome``); ``application.audited_reuse`` writes every release and every
refusal to the audit log before the caller sees it, and when the log cannot be written,
nothing is released.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from records.procedures import Component, Procedure
from reuse.lookup import (
    Conditions,
    SubjectQuery,
    Verify,
    assess,
    evaluate,
    match_record,
    withheld_reason,
)
from reuse.model import (
    Match,
    ReleasedDocument,
    ReuseError,
    WithheldReason,
)
from search import Index, IndexedRecord
from search.document import record_json
from storage import IntegrityError, ObjectNotFound, Store, load_record

log = logging.getLogger("sohoa.reuse")


def _refusal(reason: WithheldReason | None, record_id: str) -> ReuseError:
    """The refusal for a paper withheld for ``reason`` (None: not usable at all)."""
    if reason is WithheldReason.ID_CONFLICT:
        return ReuseError(
            "id_conflict",
            f"Giấy tờ {record_id} ghi số định danh của công dân cho người có họ tên hoặc ngày "
            "sinh khác với công dân; không cung cấp, cán bộ kiểm tra lại giấy tờ.",
        )
    if reason is WithheldReason.UNDATED:
        return ReuseError(
            "undated",
            f"Giấy tờ {record_id} thiếu ngày cấp (hoặc thời hạn) nên không xác định được còn "
            "hiệu lực; cần bổ sung ngày trên bản số hóa trước khi dùng lại.",
        )
    if reason is not None and reason is not WithheldReason.NAMESAKE:
        return ReuseError(
            "not_corroborated",
            f"Giấy tờ {record_id} không ghi số định danh; cần thông tin đối chiếu của công dân "
            "(họ tên cha, mẹ, vợ/chồng, nơi sinh, nơi thường trú) khớp với giấy tờ "
            "và không có thông tin nào khác biệt.",
        )
    return ReuseError(
        "not_reusable",
        f"Giấy tờ {record_id} không dùng lại được cho thủ tục này vào ngày xét hoặc hôm nay "
        "(hết hạn, chưa ký số hoặc chỉ ký bằng chứng thư dùng thử nghiệm, chưa sẵn sàng, "
        "trùng thông tin với người khác hoặc không đúng loại giấy tờ).",
    )


def _not_offered(
    record: IndexedRecord | None,
    record_id: str,
    who: SubjectQuery,
    components: list[Component],
    checks: Conditions,
    ambiguous: bool,
) -> ReuseError:
    """Why a record the fresh lookup did not offer is refused: first whether it names
    the citizen, then whether it is usable for ``components``."""
    if record is None:
        return ReuseError("unknown_record", f"Không tìm thấy giấy tờ số hóa mã {record_id}.")
    matched = match_record(record, who)
    if matched is None:
        return ReuseError("not_subject", f"Giấy tờ {record_id} không thuộc về công dân này.")
    why = withheld_reason(record, matched, who, ambiguous)
    if why is None:
        assessed = assess(record, who, components, checks, ambiguous)
        why = assessed.withheld if assessed is not None else None
    return _refusal(why[0] if why is not None else None, record_id)


def _archival_pdf(store: Store, record: IndexedRecord, record_id: str) -> bytes:
    key = (record.get("files") or {}).get("archival_pdf")
    missing = ReuseError("no_archival_pdf", f"Giấy tờ {record_id} chưa có bản PDF lưu trữ đã ký.")
    if not key:
        raise missing
    try:
        data = store.get(key)
    except ObjectNotFound:
        raise missing from None
    except IntegrityError:
        raise ReuseError(
            "archive_damaged",
            f"Bản PDF lưu trữ của giấy tờ {record_id} bị sai lệch so với mã băm; không cung cấp.",
        ) from None
    if not data.startswith(b"%PDF-"):
        raise ReuseError("archive_damaged", f"Bản lưu trữ của giấy tờ {record_id} không phải PDF.")
    return data


class IntactArchive:
    """A lookup's ``verify``: offer a paper only if its archival PDF reads back intact
    (present, matching its stored SHA-256, a PDF), the check a release makes.

    Checked at lookup time, for the candidates that passed every other check only (a
    citizen has a few), rather than trusting a "damaged" flag set by fixity: fixity
    runs daily, so a flag would keep offering a paper damaged since the last run, and
    the index it would live in is rebuilt from storage, which would wipe it. What it
    costs is one read of each candidate's PDF, so a paper found intact is remembered
    for ``ttl`` seconds by its key: keys are write-once (the bytes under a key never
    change except by damage), repeated lookups for one dossier cost nothing, and
    damage that happens within ``ttl`` is still refused by the release, which reads
    the bytes again.

    The record JSON is not read here: what the lookup offers comes from the index,
    made from that JSON; a release reads the JSON first and refuses it damaged
    (``archive_damaged``); reading it here would cost one more object read per paper
    for what only the release hands over: the PDF."""

    def __init__(self, store: Store, *, ttl: float = 300.0, max_entries: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._intact: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, record: IndexedRecord) -> bool:
        key = str((record.get("files") or {}).get("archival_pdf") or "")
        now = self.clock()
        with self._lock:
            checked = self._intact.get(key)
            if key and checked is not None and now - checked < self.ttl:
                return True
        try:
            _archival_pdf(self.store, record, str(record.get("id")))
        except ReuseError as exc:
            log.warning("not offering %s: %s (%s)", record.get("id"), exc.code, key)
            return False
        with self._lock:
            self._intact[key] = now
            self._intact.move_to_end(key)
            while len(self._intact) > self.max_entries:
                self._intact.popitem(last=False)
        return True


def _stored_record(store: Store, indexed: IndexedRecord, record_id: str) -> IndexedRecord:
    """The latest version of the record in storage: the system of record, which the
    index (derived, possibly lagging) may not reflect yet."""
    try:
        return record_json(load_record(store, indexed["agency"], record_id))
    except ObjectNotFound:
        raise ReuseError(
            "unknown_record",
            f"Không tìm thấy bản ghi gốc của giấy tờ {record_id} trong kho lưu trữ.",
        ) from None
    except IntegrityError:  # DamagedRecord too: the JSON does not read
        raise ReuseError(
            "archive_damaged",
            f"Bản ghi lưu trữ của giấy tờ {record_id} bị hỏng (không khớp mã kiểm tra); "
            "không cung cấp.",
        ) from None


def _still_reusable(
    stored: IndexedRecord,
    who: SubjectQuery,
    components: list[Component],
    checks: Conditions,
    ambiguous: bool,
) -> bool:
    assessed = assess(stored, who, components, checks, ambiguous)
    return assessed is not None and assessed.withheld is None


def checked_release(
    index: Index,
    store: Store,
    record_id: str,
    who: SubjectQuery,
    procedure: Procedure,
    checks: Conditions,
    verify: Verify | None,
    confirmed: bool,
    verify_signature: Callable[[bytes], bool] | None,
) -> tuple[ReleasedDocument, list[str], Match]:
    result, ambiguous = evaluate(index, who, procedure, checks, verify)
    offered = [
        (component.code, candidate.match)
        for component in result.components
        for candidate in component.candidates
        if candidate.id == record_id
    ]
    indexed = index.get(record_id)
    if not offered or indexed is None:
        raise _not_offered(indexed, record_id, who, list(procedure.components), checks, ambiguous)
    if offered[0][1] is Match.PROBABLE and not confirmed:
        raise ReuseError(
            "needs_confirmation",
            f"Giấy tờ {record_id} không ghi số định danh, chỉ khớp họ tên và ngày sinh: cán bộ "
            "đối chiếu số, nơi cấp, ngày cấp với công dân rồi xác nhận trước khi cung cấp.",
        )
    stored = _stored_record(store, indexed, record_id)
    codes = [code for code, _ in offered]
    components = [c for c in procedure.components if c.code in codes]
    if not _still_reusable(stored, who, components, checks, ambiguous):
        raise _not_offered(stored, record_id, who, components, checks, ambiguous)
    data = _archival_pdf(store, stored, record_id)
    if verify_signature is not None and not verify_signature(data):
        # The record's metadata says signed; the bytes handed over must say so too.
        raise ReuseError(
            "signature_invalid",
            f"Chữ ký số trên bản PDF lưu trữ của giấy tờ {record_id} không hợp lệ; "
            "không cung cấp.",
        )
    document = ReleasedDocument(
        record_id=record_id,
        filename=f"{stored.get('doc_type') or 'giay-to'}-{record_id}.pdf",
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return document, codes, offered[0][1]
