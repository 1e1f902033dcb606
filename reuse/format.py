"""The reuse result as officers read it in a terminal (Vietnamese)."""

from __future__ import annotations

from datetime import date

from reuse.model import Candidate, ComponentResult, Match, ReuseResult


def _day(value: str | date | None) -> str:
    """dd/mm/yyyy, the way dates are written on Vietnamese papers."""
    if value is None or value == "":
        return "—"
    try:
        day = value if isinstance(value, date) else date.fromisoformat(value)
    except ValueError:
        return str(value)
    return day.strftime("%d/%m/%Y")


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
        else "khớp họ tên + ngày sinh (cần đối chiếu)"
    )
    fields = [
        candidate.title or candidate.doc_type,
        f"số {candidate.document_number}" if candidate.document_number else None,
        candidate.issuer,
        f"cấp {_day(candidate.issued_on)}",
        f"hiệu lực đến {_day(candidate.valid_until)}" if candidate.valid_until else None,
        match,
        f"mã {candidate.id}",
    ]
    return f"      {number}. " + " · ".join(f for f in fields if f)


def _component_lines(component: ComponentResult) -> list[str]:
    mark = "[x]" if component.satisfied else "[ ]"
    notes = ["bắt buộc" if component.required else "không bắt buộc"]
    if component.max_age_months:
        notes.append(f"cấp trong vòng {component.max_age_months} tháng")
    lines = [f"  {mark} {component.code:<10} {component.name} ({', '.join(notes)})"]
    if not component.reusable:
        lines.append("      — công dân nộp trực tiếp (không lấy từ kho số hóa)")
    elif not component.satisfied:
        lines.append("      — kho số hóa không có giấy tờ còn hiệu lực")
    lines += [_candidate_line(i, c) for i, c in enumerate(component.candidates, 1)]
    return lines


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
            "Lưu ý: họ tên và ngày sinh này trùng với người có số định danh khác; "
            "giấy tờ không ghi số định danh không được đề xuất."
        )
    lines.append("")
    for component in result.components:
        lines += _component_lines(component)
    return "\n".join(lines)
