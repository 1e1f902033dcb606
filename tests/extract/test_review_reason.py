"""``ReviewReason(code, path)``: typed where the code uses it, the same ``code:path`` text
in every record's JSON (stored records and scripts read it), parsed in one place."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from extract.keys import resolves
from extract.review import describe_reason
from records import Record, ReviewReason
from tests.support.search import make_record


def test_parts_and_text() -> None:
    reason = ReviewReason("low_confidence", "subjects[0].id_number")
    assert (reason.code, reason.path) == ("low_confidence", "subjects[0].id_number")
    assert reason == "low_confidence:subjects[0].id_number"
    assert ReviewReason("doc_type_unsure") == "doc_type_unsure"
    assert ReviewReason("doc_type_unsure").path is None
    with pytest.raises(ValueError):
        ReviewReason("low_confidence:issued_on")  # a code never holds the separator


def test_parse_is_the_inverse() -> None:
    for text in ("missing:issued_on", "doc_type_unsure", "issuer_unmatched:issuer"):
        parsed = ReviewReason.parse(text)
        assert parsed == text and ReviewReason(parsed.code, parsed.path) == parsed


def test_a_record_keeps_the_json_it_always_had() -> None:
    record = make_record("r1")
    record.review.reasons = [ReviewReason("missing", "issued_on"), ReviewReason("not_pdfa")]
    text = json.dumps(record.to_dict(), ensure_ascii=False)
    assert '"reasons": ["missing:issued_on", "not_pdfa"]' in text
    back = Record.from_dict(json.loads(text))
    assert [(r.code, r.path) for r in back.review.reasons] == [
        ("missing", "issued_on"), ("not_pdfa", None)]


def test_it_crosses_process_boundaries_whole() -> None:
    """Records are pickled to the OCR worker processes and back, and deep-copied by
    ``dataclasses.asdict``."""
    reason = ReviewReason("name_mismatch", "fields.father_name")
    for copied in (pickle.loads(pickle.dumps(reason)), copy.deepcopy(reason)):
        assert isinstance(copied, ReviewReason)
        assert (copied.code, copied.path) == (reason.code, reason.path)


def test_readers_use_the_parts() -> None:
    assert describe_reason("low_confidence:issued_on") == "độ tin cậy OCR thấp (issued_on)"
    assert describe_reason(ReviewReason("doc_type_unsure")) == "không chắc loại giấy tờ"
    assert resolves("subjects[0].name", ReviewReason("name_invalid", "subjects[0]"))
    assert not resolves("issued_on", ReviewReason("doc_type_unsure"))
    # An ID problem is answered only by the values the ID is checked against.
    assert resolves("subjects[0].birth_date", ReviewReason("id_birth_year_mismatch",
                                                           "subjects[0]"))
    assert not resolves("subjects[0].name", ReviewReason("id_birth_year_mismatch",
                                                         "subjects[0]"))
