"""Values typed by people (manifest cells, review corrections): checked and normalised.

Officers' values win over OCR, so they are held to the same rules: dates must exist,
an ID must be 9 or 12 digits and a 12-digit one must agree with the birth year and sex
it encodes. Errors carry a Vietnamese message for the officer.
"""

from __future__ import annotations

from datetime import date

from extract.ids import LAST_CMND_BIRTH_YEAR, PROVINCE_CODES, id_problems, normalize_sex
from extract.text import parse_date, title_case
from records.result_types import ResultType

DATE_KEYS = ("issued_on", "valid_until", "birth_date")

_ID_MESSAGES = {
    "id_format": "số định danh phải có 12 chữ số (CCCD) hoặc 9 chữ số (CMND)",
    "id_province": "3 chữ số đầu không phải mã tỉnh hợp lệ",
    "id_birth_year_mismatch": "năm sinh mã hóa trong số CCCD không khớp ngày sinh",
    "id_sex_mismatch": "giới tính mã hóa trong số CCCD không khớp giới tính",
    "id_century": "chữ số thế kỷ/giới tính trong số CCCD không hợp lệ",
    "id_not_cmnd": "số CCCD/số định danh cá nhân phải có 12 chữ số",
    "id_cmnd_age": f"người sinh sau năm {LAST_CMND_BIRTH_YEAR} không thể có CMND 9 chữ số",
}


class ValueProblem(ValueError):
    """A typed value is not acceptable; ``message`` is Vietnamese, for the officer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalize_date(value: str) -> str:
    parsed = parse_date(value)
    if parsed is None:
        raise ValueProblem(f"ngày không hợp lệ: {value!r} (dùng dạng YYYY-MM-DD hoặc DD/MM/YYYY)")
    return parsed.isoformat()


def normalize_id(value: str, birth_date: str | None = None, sex: str | None = None) -> str:
    digits = "".join(value.split())
    birth_year = date.fromisoformat(birth_date).year if birth_date else None
    problems = id_problems(digits, birth_year, normalize_sex(sex))
    if problems:
        raise ValueProblem(
            f"số định danh {value!r} không hợp lệ: " + "; ".join(_ID_MESSAGES[p] for p in problems)
        )
    return digits


def normalize_value(key: str, value: str, catalog: dict[str, ResultType]) -> str:
    """The stored form of ``value`` for field ``key`` (last path part), or ``ValueProblem``."""
    value = value.strip()
    if key in DATE_KEYS or key.endswith("_date"):
        return normalize_date(value)
    if key == "doc_type":
        if value not in catalog:
            raise ValueProblem(
                f"loại giấy tờ không có trong danh mục: {value!r} (có: {', '.join(catalog)})"
            )
        return value
    if key == "id_number":
        return normalize_id(value)
    if key == "name" or key.endswith("_name"):
        return title_case(value)
    if key == "archive_sheets":
        if not value.isdigit() or int(value) == 0:
            raise ValueProblem(f"số tờ phải là một số nguyên dương, không phải {value!r}")
        return str(int(value))
    if key == "sex":
        sex = normalize_sex(value)
        if sex is None:
            raise ValueProblem(f"giới tính phải là 'Nam' hoặc 'Nữ', không phải {value!r}")
        return sex
    return value


__all__ = ["PROVINCE_CODES", "ValueProblem", "normalize_date", "normalize_id", "normalize_value"]
