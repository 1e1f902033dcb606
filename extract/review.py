"""Officers review what extraction was unsure of: list, correct, approve.

Records are never edited in place: ``correct`` and ``approve`` return a new record with
``version`` + 1, which storage writes as a new version (old ones stay readable). Every
change is kept in ``review.corrections`` (who, when, old → new).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypedDict

from extract.keys import STATED_TERM, resolves, stated_term, valid_until
from extract.manifest import ARCHIVE_KEYS
from extract.values import ValueProblem, normalize_id, normalize_value
from records.model import Correction, Record, ReviewReason, Status, Subject, utc_now
from records.result_types import ResultType, load_result_types
from records.text import has_invisible, shown
from records.vntime import vietnam_today

TOP_LEVEL_FIELDS = ("doc_type", "title", "document_number", "issuer", "issued_on", "valid_until")
SUBJECT_FIELDS = ("name", "id_number", "birth_date", "role", "sex")

# The longest value an officer may give each field, in characters: every limit on a
# corrected value is here. Ample for real papers (the longest issuer names run to about
# 150 characters), small enough that a pasted page or a 100,000-character title is
# refused before it reaches the record, the index and every screen.
MAX_VALUE_CHARS = {
    "doc_type": 64, "title": 300, "document_number": 100, "issuer": 300,
    "issued_on": 40, "valid_until": 40,
    "name": 150, "id_number": 30, "birth_date": 40, "role": 64, "sex": 10,
}
MAX_OTHER_FIELD_CHARS = 500  # ``fields.*``: parents' names, addresses, archive box…
MAX_PATH_CHARS = 64
_SUBJECT_PATH = re.compile(r"subjects\[(\d+)\]\.(\w+)")
_FIELD_PATH = re.compile(r"fields\.(\w+)")
_LOCATION_PATH = re.compile(r"location\.(store|shelf|box|folder|sheets)")

_REASONS_VI = {
    "doc_type_unsure": "không chắc loại giấy tờ",
    "missing": "không đọc được",
    "low_confidence": "độ tin cậy OCR thấp",
    "invalid_date": "ngày không tồn tại",
    "date_order": "thứ tự ngày không hợp lý",
    "date_in_future": "ngày ở tương lai",
    "id_format": "số định danh sai định dạng",
    "id_province": "mã tỉnh trong số CCCD không hợp lệ",
    "id_birth_year_mismatch": "năm sinh trong số CCCD không khớp ngày sinh",
    "id_sex_mismatch": "giới tính trong số CCCD không khớp",
    "id_century": "chữ số thế kỷ trong số CCCD không hợp lệ",
    "id_not_cmnd": "nhãn ghi CCCD/số định danh (12 chữ số) nhưng chỉ đọc được 9 chữ số",
    "id_cmnd_age": "số 9 chữ số (CMND) của người sinh từ năm 2007, không thể có CMND",
    "unverified": "đọc chưa chắc chắn, không có thông tin khác để đối chiếu",
    "number_year_mismatch": "năm trong số văn bản khác năm cấp",
    "date_mismatch": "ngày cấp ở dòng “…, ngày … tháng … năm …” khác ngày đăng ký in trên giấy",
    "date_words_mismatch": "ngày sinh ghi bằng số và ghi bằng chữ không khớp",
    "dateline_conflict": "trang có nhiều dòng “…, ngày … tháng … năm …” khác nhau, "
    "đã lấy dòng cuối: cần kiểm tra ngày cấp",
    "name_guessed": "dấu của họ hoặc tên đệm (Văn/Thị) do máy tự sửa, cần kiểm tra",
    "name_mismatch": "họ tên in ở nhiều chỗ trên giấy nhưng đọc khác dấu nhau (xem "
    "doubts.name_readings): cần chọn cách viết đúng",
    "name_honorific": "họ tên in hoa mở đầu bằng “ÔNG”: có thể là họ Ông hoặc cách xưng hô "
    "“ông”, cần đối chiếu bản giấy",
    "name_invalid": "họ tên có chữ không phải âm tiết tiếng Việt (lỗi OCR?)",
    "name_is_place": "họ tên đọc được trùng tên một đơn vị hành chính (tỉnh, huyện, xã…): "
    "có thể đã lấy nhầm địa danh, cần đối chiếu bản giấy",
    "name_unconfirmed": "họ tên chỉ in một lần trên giấy, có chữ ít gặp trong tên người hoặc "
    "đọc mờ, mà cách viết khác dấu cũng là tên thường gặp (xem doubts.name_readings): cần "
    "đối chiếu bản giấy",
    "number_mismatch": "số ở đầu giấy (“Số: …”) khác số in trong nội dung (mã số hộ kinh "
    "doanh, số vào sổ): cần kiểm tra",
    "number_unconfirmed": "số văn bản chỉ in một lần, máy đọc chữ số không chắc chắn và lần đọc "
    "lại dòng này không đọc ra đúng số ấy: cần đối chiếu bản giấy",
    "number_format": "số văn bản không đúng dạng số/năm/ký hiệu hoặc dấu “/” do máy đoán",
    "second_reading": "lần đọc đầu không đọc được (hoặc đọc sai dạng), giá trị lấy từ lần đọc "
    "lại dòng này trên ảnh: chỉ đọc được một lần, cần đối chiếu bản giấy",
    "issuer_unmatched": "cơ quan cấp không khớp đơn vị hành chính nào trong danh mục chính thức "
    "(tại ngày cấp): cần nhập tên cơ quan cấp",
    "issuer_ambiguous": "cơ quan cấp khớp nhiều đơn vị hành chính như nhau: cần chọn đúng đơn vị",
    "issuer_mismatch": "cơ quan cấp ở đầu giấy khác nơi đăng ký in trong nội dung (xem "
    "doubts.issuer_candidates): cần chọn đúng đơn vị",
    "issuer_inferred": "tên cơ quan cấp bị mờ/hỏng, máy đề xuất đơn vị gần nhất trong danh mục "
    "(không thấy tên đơn vị ở chỗ khác trên giấy): cần kiểm tra",
    "issuer_signer": "giấy do giám đốc (sở, văn phòng, trung tâm) ký nhưng tên cơ quan cấp chỉ "
    "đọc được ủy ban nhân dân: dòng tên cơ quan trực thuộc có thể đã mất khi quét, cần nhập "
    "đúng cơ quan cấp",
    "handwriting_unconfirmed": "đọc từ chữ viết tay (máy đề xuất): cần người xác nhận",
    "handwriting_unread": "chữ viết tay không đọc được hoặc không hợp lệ: cần nhập tay",
    "not_pdfa": "bản lưu trữ không đạt chuẩn PDF/A (lý do ở ghi chú bước lưu trữ)",
    "active_content": "bản gốc đã ký chứa mã chạy (JavaScript), lệnh mở chương trình hoặc tệp "
    "đính kèm, giữ nguyên để không làm hỏng chữ ký: kiểm tra trước khi duyệt",
    "split_unsure": "tách từ một tệp quét nhiều giấy tờ nhưng không chắc chỗ bắt đầu giấy tờ "
    "mới (xem source.part_of.unsure): kiểm tra các trang có đúng một giấy tờ không",
}


class ReviewError(ValueError):
    """A correction cannot be applied; ``message`` is Vietnamese, for the officer."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def describe_reason(reason: str) -> str:
    """A review reason (``low_confidence:subjects[0].id_number``, as stored or typed) in
    Vietnamese."""
    parsed = ReviewReason.parse(reason)
    text = _REASONS_VI.get(parsed.code, parsed.code)
    return f"{text} ({parsed.path})" if parsed.path else text


def _copy(record: Record) -> Record:
    return Record.from_dict(record.to_dict())


def _get(record: Record, path: str) -> Any:
    if path in TOP_LEVEL_FIELDS:
        return getattr(record, path)
    if match := _SUBJECT_PATH.fullmatch(path):
        index = int(match.group(1))
        return (
            getattr(record.subjects[index], match.group(2))
            if index < len(record.subjects)
            else None
        )
    if match := _FIELD_PATH.fullmatch(path):
        return record.fields.get(match.group(1))
    if match := _LOCATION_PATH.fullmatch(path):
        return getattr(record.location, match.group(1))
    raise ReviewError(
        path,
        "không có trường này (dùng ví dụ: issued_on, subjects[0].id_number, location.box)",
    )


def _set(record: Record, path: str, value: Any) -> None:
    if path in TOP_LEVEL_FIELDS:
        setattr(record, path, value)
    elif match := _SUBJECT_PATH.fullmatch(path):
        index, attr = int(match.group(1)), match.group(2)
        if attr not in SUBJECT_FIELDS:
            raise ReviewError(path, f"người chỉ có các trường {', '.join(SUBJECT_FIELDS)}")
        if index > len(record.subjects):
            raise ReviewError(path, f"chỉ số người phải ≤ {len(record.subjects)}")
        if index == len(record.subjects):
            record.subjects.append(Subject())
        setattr(record.subjects[index], attr, value)
    elif match := _FIELD_PATH.fullmatch(path):
        if value is None:
            record.fields.pop(match.group(1), None)
        else:
            record.fields[match.group(1)] = value
    elif match := _LOCATION_PATH.fullmatch(path):
        attr = match.group(1)
        setattr(record.location, attr, int(value) if attr == "sheets" and value else value)
    else:
        _get(record, path)  # raises the "no such field" error


def _check_input(record: Record, path: str, raw: str, catalog: dict[str, ResultType]) -> None:
    """Refuse what no officer could have meant, before anything is parsed: a field
    that does not exist, invisible characters (NUL, controls, bidi overrides, lone
    surrogates), a value over its limit (``MAX_VALUE_CHARS``), a role no result type
    knows. The field is echoed only through ``shown`` (escaped, cut short)."""
    if len(path) > MAX_PATH_CHARS or has_invisible(path) or not _known_path(record, path, catalog):
        raise ReviewError(
            shown(path),
            "không có trường này (dùng ví dụ: issued_on, subjects[0].id_number, "
            "fields.archive_box)",
        )
    if has_invisible(raw):
        raise ReviewError(path, "giá trị chứa ký tự điều khiển hoặc ký tự ẩn (NUL, ký tự "
                                "đổi chiều chữ…), hãy gõ lại")
    key = path.rsplit(".", 1)[-1]
    limit = MAX_OTHER_FIELD_CHARS if path.startswith("fields.") else MAX_VALUE_CHARS[key]
    if len(raw) > limit:
        raise ReviewError(path, f"giá trị dài quá {limit} ký tự")
    roles = _known_roles(catalog)
    if key == "role" and raw.strip() and raw.strip() not in roles:
        raise ReviewError(path, f"vai trò không có trong danh mục: {shown(raw)} "
                                f"(có: {', '.join(sorted(roles))})")


def _known_path(record: Record, path: str, catalog: dict[str, ResultType]) -> bool:
    if path in TOP_LEVEL_FIELDS:
        return True
    if match := _SUBJECT_PATH.fullmatch(path):
        return match.group(2) in SUBJECT_FIELDS
    if match := _FIELD_PATH.fullmatch(path):
        name = match.group(1)
        return (name in record.fields or name in ARCHIVE_KEYS
                or any(f.name == name for t in catalog.values() for f in t.fields))
    return False


def _known_roles(catalog: dict[str, ResultType]) -> set[str]:
    roles = {role for t in catalog.values() for role in t.roles.values()}
    return roles | {t.default_role for t in catalog.values() if t.default_role}


def _normalized(path: str, raw: str, catalog: dict[str, ResultType]) -> str | None:
    if raw.strip() == "":
        return None  # an empty value clears the field
    key = "archive_sheets" if path == "location.sheets" else path.rsplit(".", 1)[-1]
    try:
        return normalize_value(key, raw, catalog)
    except ValueProblem as exc:
        raise ReviewError(path, exc.message) from exc


def _check_ids(record: Record) -> None:
    for index, subject in enumerate(record.subjects):
        if subject.id_number is None:
            continue
        try:
            normalize_id(subject.id_number, subject.birth_date, subject.sex)
        except ValueProblem as exc:
            raise ReviewError(f"subjects[{index}].id_number", exc.message) from exc


def _check_dates(record: Record, today: date) -> None:
    issued = date.fromisoformat(record.issued_on) if record.issued_on else None
    if issued and issued > today:
        raise ReviewError("issued_on", "ngày cấp ở tương lai")
    for index, subject in enumerate(record.subjects):
        birth = date.fromisoformat(subject.birth_date) if subject.birth_date else None
        if birth and issued and birth > issued:
            raise ReviewError(f"subjects[{index}].birth_date", "ngày sinh sau ngày cấp")


def _refresh_validity(record: Record, catalog: dict[str, ResultType], changed: set[str]) -> None:
    """Keep ``valid_until`` following the catalog rule when the type, issue date or term changes.

    The term the paper states (``fields.stated_term``, as extraction read it) is applied
    again, so a 6-month permit stays a 6-month permit when its issue date is corrected.
    """
    triggers = {"doc_type", "issued_on", f"fields.{STATED_TERM}"}
    if "valid_until" in changed or not (triggers & changed):
        return
    result_type = catalog.get(record.doc_type or "")
    if result_type is None or record.issued_on is None:
        return
    try:
        term = stated_term(record.fields)
    except ValueError as exc:
        raise ReviewError(
            f"fields.{STATED_TERM}", "thời hạn phải là số tháng hoặc một ngày (YYYY-MM-DD)"
        ) from exc
    record.valid_until = valid_until(result_type, record.issued_on, term)


def _stamp(record: Record, by: str, at: str) -> None:
    record.review.approved_by = by
    record.review.approved_at = at
    record.review.reasons = []
    record.status = Status.READY


def correct(
    record: Record,
    changes: dict[str, str],
    *,
    by: str,
    approve: bool = False,
    result_types: dict[str, ResultType] | None = None,
    today: date | None = None,
) -> Record:
    """A new version of ``record`` with ``changes`` (``{"subjects[0].id_number": "0012…"}``).

    Values are checked as officers' values are (dates exist and are ordered, IDs agree
    with birth year and sex); the first problem raises ``ReviewError``. Reasons about a
    corrected field are resolved; ``approve=True`` also approves, in the same version.
    """
    if not changes:
        raise ReviewError("-", "không có thay đổi nào")
    catalog = result_types if result_types is not None else load_result_types()
    new = _copy(record)
    at = utc_now()
    for path, raw in changes.items():
        _check_input(record, path, raw, catalog)
        old = _get(new, path)
        value = _normalized(path, raw, catalog)
        _set(new, path, value)
        new.review.corrections.append(Correction(field=path, old=old, new=value, by=by, at=at))
        new.review.reasons = [r for r in new.review.reasons if not resolves(path, r)]
        if path == "doc_type":
            new.review.reasons = [r for r in new.review.reasons if r != "doc_type_unsure"]
    _check_ids(new)
    _check_dates(new, today or vietnam_today())
    _refresh_validity(new, catalog, set(changes))
    new.version = record.version + 1
    new.updated_at = at
    if approve:
        _stamp(new, by, at)
    elif not new.review.reasons and new.status == Status.NEEDS_REVIEW:
        new.status = Status.READY
    new.note("review", by=by, corrected=sorted(changes), approved=approve)
    return new


def approve(record: Record, *, by: str) -> Record:
    """A new version of ``record`` approved by ``by``: status ``ready``, reasons resolved."""
    new = _copy(record)
    at = utc_now()
    resolved = list(new.review.reasons)
    _stamp(new, by, at)
    new.version = record.version + 1
    new.updated_at = at
    new.note("review", by=by, approved=True, resolved=resolved)
    return new


class ReviewItem(TypedDict):
    """One record of the review queue as it is listed: the items of ``GET
    /api/v1/review``, the rows of the review screen, the records keying walks and the
    lines of ``sohoa review``. Made only by ``review_item``.

    A ``TypedDict``, as ``search.IndexedRecord`` is: the HTTP API hands the item out as
    it is, so the dict is its JSON and typing it keeps that contract byte for byte,
    while mypy checks every key a consumer reads (``tests/extract/test_review_item.py``
    fails when this shape and ``review_item`` part)."""

    id: str
    filename: str
    doc_type: str | None
    version: int
    reasons: list[str]  # as stored, ``code:path`` (``ReviewReason.parse`` reads one)
    reasons_vi: list[str]  # each reason as ``describe`` says it to a person
    created_at: str


def review_item(
    record: Mapping[str, Any], describe: Callable[[str], str] = describe_reason
) -> ReviewItem:
    """The queue's item for ``record``, its JSON as stored or indexed (``Record.to_dict``,
    ``search.IndexedRecord``): the one place an item is made."""
    reasons = list(record["review"]["reasons"])
    return {
        "id": record["id"],
        "filename": record["source"]["filename"],
        "doc_type": record["doc_type"],
        "version": record["version"],
        "reasons": reasons,
        "reasons_vi": [describe(reason) for reason in reasons],
        "created_at": record["created_at"],
    }


def needs_review(
    records: Iterable[Mapping[str, Any]], describe: Callable[[str], str] = describe_reason
) -> list[ReviewItem]:
    """The records (their JSON, as ``review_item`` reads it) waiting for an officer,
    oldest first, as the queue's items; each reason as ``describe`` says it to a person
    (the screens and the API pass ``api.labels.reason_vi``, which names the field in
    Vietnamese)."""
    waiting = [r for r in records if r.get("status") == Status.NEEDS_REVIEW]
    waiting.sort(key=lambda r: (r["created_at"], r["id"]))
    return [review_item(r, describe) for r in waiting]
