"""The Vietnamese words a person reads for sohoa's codes, in one place.

The CLI and the screens both show field names, statuses, review reasons, result types and
signature notes; they take them from here so that no raw key (``registered_on``,
``missing:subjects``) or English note reaches a person, and both say the same thing.
The JSON API keeps the codes.
"""

from __future__ import annotations

import re
from pathlib import Path

from extract.review import describe_reason
from records.model import ReviewReason
from records.result_types import cached_result_types
from search.document import StackJson

ROLE_VI = {
    "archivist": "Lưu trữ viên",
    "officer": "Cán bộ nghiệp vụ",
    "portal": "Cổng dịch vụ công",
    "admin": "Quản trị",
}

STATUS_VI = {"ready": "Sẵn sàng", "needs_review": "Cần rà soát", "failed": "Lỗi"}

# What "Cần rà soát" means and what to do about it: shown beside the status.
NEEDS_REVIEW_HELP = (
    "Máy đã đọc và lưu hồ sơ này (bản PDF/A đã ký số), nhưng có trường chưa chắc chắn "
    "(lý do ở dưới). Hồ sơ chưa được đưa ra tái sử dụng cho đến khi cán bộ rà soát: "
    "đối chiếu với bản giấy, sửa trường sai rồi bấm “Lưu và duyệt” (trên dòng lệnh: "
    "sohoa review MÃ --approve)."
)

FIXITY_VI = {"missing": "thiếu tệp", "corrupt": "tệp hỏng", "orphaned": "tệp mồ côi"}

OUTCOME_VI = {"ingested": "Đã số hóa", "skipped": "Bỏ qua", "failed": "Lỗi"}

FIELD_VI = {
    # The record's own fields.
    "doc_type": "Loại giấy tờ",
    "title": "Tiêu đề",
    "document_number": "Số",
    "issuer": "Cơ quan cấp",
    "issued_on": "Ngày cấp",
    "valid_until": "Hiệu lực đến",
    "subjects": "Người được cấp",
    # A person on the paper.
    "name": "Họ và tên",
    "id_number": "Số định danh",
    "birth_date": "Ngày sinh",
    "role": "Vai trò",
    "sex": "Giới tính",
    # Fields of the result types (records/catalogs/result_types.json).
    "father_name": "Họ tên cha",
    "mother_name": "Họ tên mẹ",
    "birth_place": "Nơi sinh",
    "ethnicity": "Dân tộc",
    "nationality": "Quốc tịch",
    "registration_place": "Nơi đăng ký",
    "registered_on": "Ngày đăng ký",
    "marital_status": "Tình trạng hôn nhân",
    "purpose": "Mục đích sử dụng giấy",
    "residence": "Nơi cư trú",
    "criminal_record": "Tình trạng án tích",
    "household_business_code": "Mã số hộ kinh doanh",
    "business_name": "Tên hộ kinh doanh",
    "business_address": "Địa điểm kinh doanh",
    "business_lines": "Ngành, nghề kinh doanh",
    "capital": "Vốn kinh doanh",
    "first_registered_on": "Ngày đăng ký lần đầu",
    "construction_type": "Công trình được phép xây dựng",
    "plot_number": "Thửa đất số",
    "map_sheet": "Tờ bản đồ số",
    "building_area": "Diện tích xây dựng tầng 1",
    "floor_area": "Tổng diện tích sàn",
    "death_date": "Ngày chết",
    "death_place": "Nơi chết",
    "cause_of_death": "Nguyên nhân chết",
    "land_address": "Địa chỉ thửa đất",
    "area": "Diện tích",
    "land_use_purpose": "Mục đích sử dụng đất",
    "use_term": "Thời hạn sử dụng",
    "origin": "Nguồn gốc sử dụng",
    "certificate_serial": "Số phát hành",
    "register_number": "Số vào sổ cấp GCN",
    # Fields extraction and review add.
    "stated_term": "Thời hạn ghi trên giấy",
    "changed_on": "Ngày thay đổi",
    "issuer_printed": "Cơ quan cấp (in trên giấy)",
    "issuer_from": "Cơ quan cấp (trước sắp xếp)",
    "issuer_era": "Thời kỳ đơn vị hành chính",
    "issuer_candidates": "Các đơn vị có thể là cơ quan cấp",
    "issuer_province_code": "Mã tỉnh của cơ quan cấp",
    "issuer_district_code": "Mã huyện của cơ quan cấp",
    "issuer_ward_code": "Mã xã của cơ quan cấp",
    "name_readings": "Các cách đọc họ tên",
    "unverified_id_numbers": "Số định danh đọc chưa chắc",
    "unverified_birth_dates": "Ngày sinh đọc chưa chắc",
    "issue_date_label": "Nhãn ngày cấp",
    "requester_name": "Người yêu cầu",
    "archive_box": "Hộp lưu trữ",
    "archive_file": "Hồ sơ lưu trữ",
    "archive_shelf": "Giá lưu trữ",
    "note": "Ghi chú",
}

# Where the paper itself is kept (``records.ArchiveLocation``), in the archive's words.
LOCATION_VI = {"store": "Kho", "shelf": "Giá", "box": "Hộp", "folder": "Cặp",
               "sheets": "Số tờ"}


def stack_pages_vi(part: StackJson) -> str:
    """A split paper's place in its stack (``StackRef`` as JSON): ``tờ 3–4``, ``tờ 5``."""
    first, last = part.get("first_page"), part.get("last_page")
    return f"tờ {first}" if first == last else f"tờ {first}–{last}"


_SUBJECT_PATH = re.compile(r"subjects(?:\[(\d+)\])?(?:\.(\w+))?")


def field_label(key: str) -> str:
    """A field's Vietnamese name; an unknown key (a deployment's own field) is made
    readable rather than shown raw."""
    if key in FIELD_VI:
        return FIELD_VI[key]
    return "Trường “" + key.replace("_", " ") + "”"


def path_label(path: str) -> str:
    """A field path as stored in review reasons and corrections (``issued_on``,
    ``subjects[0].id_number``, ``subjects``, ``fields.archive_box``) in Vietnamese."""
    path = path.removeprefix("fields.")
    if match := _SUBJECT_PATH.fullmatch(path):
        index, key = match.groups()
        who = f"người {int(index) + 1}" if index is not None else "người được cấp"
        return f"{field_label(key)} ({who})" if key else who.capitalize()
    return field_label(path)


def reason_vi(reason: str) -> str:
    """A review reason (``code`` or ``code:path``) as a person reads it: the catalog's
    text for the code (``extract.review``) and the field it is about, both Vietnamese."""

    parsed = ReviewReason.parse(reason)
    text = describe_reason(ReviewReason(parsed.code))
    return f"{path_label(parsed.path)}: {text}" if parsed.path else text.capitalize()


def doc_type_vi(code: str | None, result_types_path: Path | None = None) -> str | None:
    """The name of a result type (``Giấy khai sinh``) from the deployment's catalog."""
    if not code:
        return None

    types = cached_result_types(result_types_path)
    return types[code].name if code in types else code


# Signature notes come from ``signing.verify`` in English (logs, JSON); a person reads
# them in Vietnamese. Patterns, as some notes carry a level or an indication.
_VERIFY_NOTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), vi) for p, vi in [
        (r"signature does not cover a whole revision", "chữ ký không phủ trọn một phiên bản "
         "của tệp"),
        (r"document was modified after signing in a way", "tài liệu bị sửa sau khi ký theo "
         "cách chữ ký không cho phép"),
        (r"signed bytes were changed", "nội dung đã ký bị thay đổi: mã băm không khớp"),
        (r"the cryptographic signature does not verify", "chữ ký số không đúng về mật mã"),
        (r"certificate checked at the trusted timestamp time", "chứng thư được kiểm tra tại "
         "thời điểm của dấu thời gian tin cậy"),
        (r"signer certificate is revoked", "chứng thư người ký đã bị thu hồi và không có dấu "
         "thời gian tin cậy chứng minh đã ký trước khi thu hồi"),
        (r"key usage allows neither", "chứng thư người ký không được phép dùng để ký"),
        (r"signature timestamp is invalid", "dấu thời gian không hợp lệ hoặc đơn vị cấp dấu "
         "thời gian không được tin cậy"),
        (r"content was added after the last signature", "có nội dung thêm vào sau chữ ký "
         "cuối: điều hiển thị không phải điều đã ký"),
        (r"revisions were added after signing", "có phiên bản thêm sau khi ký, được chữ ký "
         "sau đó bảo đảm"),
        (r"revocation status not checked", "chưa kiểm tra tình trạng thu hồi chứng thư "
         "(tệp không kèm dữ liệu thu hồi, không tra cứu trực tuyến)"),
        (r"DEVELOPMENT ONLY", "ký bằng chứng thư PHÁT TRIỂN, không dùng cho văn bản thật"),
        (r"does not lead to a trusted root", "chuỗi chứng thư không dẫn tới gốc tin cậy"),
        (r"expired or not yet valid", "chứng thư người ký hết hạn hoặc chưa có hiệu lực"),
        (r"a CA certificate in the chain is revoked", "một chứng thư CA trong chuỗi đã bị "
         "thu hồi"),
        (r"revocation information is not fresh", "thông tin thu hồi chứng thư chưa đủ mới"),
        (r"certificate constraints", "chứng thư không thỏa ràng buộc (ví dụ mục đích sử dụng "
         "khóa)"),
        (r"a disallowed algorithm", "dùng thuật toán không được phép"),
        (r"signature container is malformed", "khối chữ ký bị hỏng"),
        (r"certificate chain not trusted|certificate validation failed",
         "chuỗi chứng thư không được tin cậy"),
        (r"not signed|no signature", "tệp không có chữ ký số"),
        (r"not a PDF|unreadable|cannot be read|could not", "không đọc được tệp PDF"),
    ]
]


def verify_note_vi(note: str) -> str:
    """One note of a signature report in Vietnamese (``field: note`` keeps its field)."""
    field, sep, text = note.partition(": ")
    prefix = ""
    if sep and " " not in field:  # "Signature1: signed bytes were changed"
        prefix, note = f"{field}: ", text
    for pattern, vi in _VERIFY_NOTES:
        if pattern.search(note):
            return prefix + vi
    return prefix + "ghi chú kiểm tra chữ ký: " + note
