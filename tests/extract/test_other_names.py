"""Other people's names a record keeps (parents, the requester) are values on it, checked
as a holder's name is: read weakly, or spelled once as a rare name one mark from a usual
one, they go to review. The bench scores them against the printed page."""

from __future__ import annotations

from extract.analyze import Extraction
from tests.extract.test_header_recovery import CRIMINAL
from tests.support.extract import analyze_lines as read

PARENTS = [
    *CRIMINAL[: CRIMINAL.index("Án tích: Không có án tích.")],
    "9. Họ và tên cha: Nghiêm Đức Khải",
    "10. Họ và tên mẹ: Huỳnh Quỳnh Chi",
    *CRIMINAL[CRIMINAL.index("Án tích: Không có án tích.") :],
]


def test_parents_read_clearly_leave_the_record_ready() -> None:
    got = read(PARENTS)
    assert got.fields["father_name"] == "Nghiêm Đức Khải"
    assert got.review_reasons == []


def test_a_parents_name_read_weakly_goes_to_review() -> None:
    # "KHÁI" read at 50 for "KHẢI": a slip into another real syllable.
    lines = [ln.replace("Đức Khải", "Đức Khái") for ln in PARENTS]
    got = read(lines, {"Khái": 50.0})
    assert "low_confidence:fields.father_name" in got.review_reasons


def test_a_parents_name_spelled_as_a_rare_name_goes_to_review() -> None:
    # "Chỉ" read clearly, but rarely a name, one mark from the usual "Chi".
    lines = [ln.replace("Quỳnh Chi", "Quỳnh Chỉ") for ln in PARENTS]
    assert "name_unconfirmed:fields.mother_name" in read(lines).review_reasons


def test_a_requester_read_weakly_goes_to_review() -> None:
    # Someone asking for another's paper is kept apart (``fields.requester_name``).
    asked = "Xét đề nghị của ông/bà: LÂM MINH QUẦN, về việc cấp Phiếu"
    lines = [asked if ln.startswith("Theo yêu cầu của") else ln for ln in PARENTS]
    assert read(lines).fields["requester_name"] == "Lâm Minh Quần"
    assert read(lines).review_reasons == []
    got = read(lines, {"QUẦN,": 50.0})
    assert "low_confidence:fields.requester_name" in got.review_reasons


def test_the_bench_scores_other_names_against_the_printed_page() -> None:
    from bench.extract_bench import Case, Expected, wrong_values

    expected = Expected(
        doc_type="criminal_record_certificate", document_number=None, issued_on=None,
        valid_until=None, issuer_official=None, issuer_codes=None, subjects=(),
        group="easy", printed="10. họ và tên mẹ: huỳnh quỳnh chi",
    )

    def case(mother: str) -> Case:
        extraction = Extraction(doc_type=expected.doc_type, fields={"mother_name": mother})
        return Case("x", expected, extraction, True, "t", 0.0, 0.0)

    assert wrong_values(case("Huỳnh Quỳnh Chi")) == []
    assert wrong_values(case("Huỳnh Quỳnh Chỉ")) == [
        "fields.mother_name='Huỳnh Quỳnh Chỉ' (not printed so)"
    ]
