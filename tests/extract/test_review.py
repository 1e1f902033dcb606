"""Review: corrections keep history and make a new version; approval clears the queue."""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze, apply
from extract.review import ReviewError, approve, correct, describe_reason, needs_review
from records.model import Record, Source, Status
from specimens import generate


def record_needing_review() -> Record:
    paper = generate("criminal_record_certificate", 11)
    text = paper.text.replace(paper.subjects[0]["id_number"] or "", "079999999999")
    record = Record(id="rec1", agency="a", source=Source("f.png", "0" * 64, "image/png", 1))
    apply(record, analyze([text], None, today=date(2025, 6, 1)))
    return record


def test_correct_returns_new_version_with_history() -> None:
    record = record_needing_review()
    assert record.status == Status.NEEDS_REVIEW
    assert record.subjects[0].id_number is None
    birth = record.subjects[0].birth_date or ""
    sex_digit = "1" if record.subjects[0].sex == "nữ" else "0"
    good = f"079{sex_digit}{birth[2:4]}123456"
    new = correct(
        record,
        {"subjects[0].id_number": good, "fields.archive_box": "H-3"},
        by="archivist1",
        today=date(2025, 6, 1),
    )
    assert new is not record and new.version == record.version + 1
    assert record.subjects[0].id_number is None  # the old version is untouched
    assert new.subjects[0].id_number == good
    assert [(c.field, c.old, c.new, c.by) for c in new.review.corrections] == [
        ("subjects[0].id_number", None, good, "archivist1"),
        ("fields.archive_box", None, "H-3", "archivist1"),
    ]
    assert not any(r.endswith("subjects[0]") for r in new.review.reasons)


def test_correct_rejects_values_that_fail_checks() -> None:
    record = record_needing_review()
    with pytest.raises(ReviewError, match="năm sinh"):
        correct(
            record,
            {
                "subjects[0].id_number": "079000000001",
                "subjects[0].birth_date": "1990-01-01",
                "subjects[0].sex": "nam",
            },
            by="x",
        )
    with pytest.raises(ReviewError, match="ngày không hợp lệ"):
        correct(record, {"issued_on": "30/02/2020"}, by="x")
    with pytest.raises(ReviewError, match="không có trường"):
        correct(record, {"colour": "red"}, by="x")


def test_approve_and_combined_correct_approve() -> None:
    record = record_needing_review()
    approved = approve(record, by="chief")
    assert approved.status == Status.READY and approved.version == record.version + 1
    assert approved.review.approved_by == "chief" and approved.review.approved_at
    assert approved.review.reasons == []
    both = correct(
        record, {"issued_on": "2024-01-02"}, by="chief", approve=True, today=date(2025, 6, 1)
    )
    assert both.version == record.version + 1 and both.status == Status.READY
    assert both.valid_until == "2024-07-02"  # validity follows the corrected issue date


def test_needs_review_summary() -> None:
    waiting = record_needing_review()
    done = approve(waiting, by="chief")
    items = needs_review([done.to_dict(), waiting.to_dict()])
    assert [i["id"] for i in items] == ["rec1"] and items[0]["version"] == 1
    assert items[0]["reasons"] == waiting.review.reasons
    assert describe_reason("low_confidence:issued_on") == "độ tin cậy OCR thấp (issued_on)"
