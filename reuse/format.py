"""The reuse result as officers read it in a terminal (Vietnamese)."""

from __future__ import annotations

from datetime import date

from records.result_types import cached_result_types
from records.vntime import vietnam_date
from reuse.model import Candidate, ComponentResult, Match, ReuseResult, Withheld, WithheldReason


def _day(value: str | date | None) -> str:
    """dd/mm/yyyy, the way dates are written on Vietnamese papers."""
    return vietnam_date(value)


def _subject(result: ReuseResult) -> str:
    parts = []
    if result.subject_id:
        parts.append(f"số định danh {result.subject_id}")
    if result.name:
        parts.append(result.name)
    if result.birth_date:
        parts.append(f"sinh ngày {_day(result.birth_date)}")
    return " · ".join(parts)


def _candidate_line(number: int, candidate: Candidate) -> str:
    match = (
        "khớp số định danh"
        if candidate.match is Match.EXACT
        else "khớp họ tên + ngày sinh + thông tin đối chiếu (cần xác nhận)"
    )
    fields = [
        candidate.title or _type_name(candidate.doc_type),
        f"số {candidate.document_number}" if candidate.document_number else None,
        candidate.issuer,
        f"cấp {_day(candidate.issued_on)}",
        f"hiệu lực đến {_day(candidate.valid_until)}" if candidate.valid_until else None,
        match,
        f"mã {candidate.id}",
    ]
    return f"      {number}. " + " · ".join(f for f in fields if f)


def _component_lines(item: ComponentResult) -> list[str]:
    component = item.component
    mark = "[x]" if item.satisfied else "[ ]"
    notes = ["bắt buộc" if component.required else "không bắt buộc"]
    if component.max_age_months:
        notes.append(f"cấp trong vòng {component.max_age_months} tháng")
    lines = [f"  {mark} {component.code:<10} {component.name} ({', '.join(notes)})"]
    if not component.reusable:
        lines.append("      — công dân nộp trực tiếp (không lấy từ kho số hóa)")
    elif not item.satisfied:
        lines.append("      — kho số hóa không có giấy tờ còn hiệu lực")
    lines += [_candidate_line(i, c) for i, c in enumerate(item.candidates, 1)]
    return lines


FACT_LABELS = {
    "father_name": "họ tên cha",
    "mother_name": "họ tên mẹ",
    "spouse_name": "họ tên vợ/chồng",
    "spouse_birth_date": "ngày sinh vợ/chồng",
    "birth_place": "nơi sinh",
    "residence": "nơi thường trú",
    "name": "họ tên",
    "birth_date": "ngày sinh",
}
WITHHELD_TEXT = {
    WithheldReason.ID_CONFLICT: "giấy tờ ghi số định danh của công dân cho người có thông tin khác",
    WithheldReason.UNDATED: "giấy tờ thiếu ngày cấp hoặc thời hạn, không xác định được còn "
    "hiệu lực",
    WithheldReason.NAMESAKE: "họ tên và ngày sinh này trùng với người khác trong kho",
    WithheldReason.NO_QUERY_FACTS: "chưa có thông tin đối chiếu (cha, mẹ, vợ/chồng, nơi sinh, "
    "nơi thường trú) của công dân",
    WithheldReason.NO_PAPER_FACTS: "giấy tờ không ghi thông tin nào để đối chiếu",
    WithheldReason.NO_COMMON_FACT: "thông tin đối chiếu đã có không được ghi trên giấy tờ",
    WithheldReason.FACT_DISAGREES: "thông tin trên giấy tờ khác với công dân",
}


def _withheld_line(item: Withheld) -> str:
    reason = WITHHELD_TEXT[item.reason]
    if item.facts:
        reason += ": " + ", ".join(FACT_LABELS.get(f, f) for f in item.facts)
    return f"  - {_type_name(item.doc_type)} ({', '.join(item.components)}): {reason}"


def _type_name(code: str) -> str:
    """A result type's Vietnamese name (Giấy khai sinh), not its code."""
    known = cached_result_types()
    return known[code].name if code in known else code


def format_result(result: ReuseResult) -> str:
    """A table-like summary: each component, whether the archive fills it, and the offers."""
    lines = [
        f"Thủ tục {result.procedure_code} – {result.procedure_name}",
        f"Công dân: {_subject(result)}",
        f"Ngày xét: {_day(result.as_of)}",
        (
            f"Lấy được từ kho số hóa: {result.satisfied}/{len(result.components)} thành phần "
            f"({result.share_satisfied:.0%}); bắt buộc: "
            f"{result.required_satisfied}/{result.required_total}"
        ),
    ]
    if result.withheld_probable:
        lines.append(
            "Lưu ý: kho có giấy tờ mang số định danh hoặc họ tên và ngày sinh này, chưa đề xuất vì:"
        )
        lines += [_withheld_line(w) for w in result.withheld_probable]
    lines.append("")
    for component in result.components:
        lines += _component_lines(component)
    return "\n".join(lines)
