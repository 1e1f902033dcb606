"""The reuse lookup over a real SQLite index: who is offered what, and what never is."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import reuse
from audit import AuditLog
from extract.review import approve
from records import ReviewReason, SignatureInfo, Status, Subject
from records.procedures import Procedure
from reuse import Facts, Match, ReuseError, WithheldReason
from tests.support import reuse as support
from tests.support.reuse import Archive, Person, make_record, months_before, offered_ids

AS_OF = date(2025, 6, 15)
AN = Person("Nguyễn Văn An", "1990-05-01", "001090012345")
AN_NAMESAKE = Person("Nguyễn Văn An", "1990-05-01", "001090099999")
BINH = Person("Trần Thị Bình", "1985-02-10", "001185000111")
AN_PARENTS = {"father_name": "NGUYỄN VĂN BA", "mother_name": "LÊ THỊ TƯ"}
AN_FACTS = Facts(
    father_name="Nguyễn Văn Ba", mother_name="Lê Thị Tư", residence="Số 5 phố Huế, Hà Nội"
)
MARRIAGE = "1.000894"
ADOPTION = "1.003005"
CRIMINAL_RECORD = "2.000488"
CIVIL_STATUS_COPY = "2.000635"


def _lookup(archive: Archive, who: Person, procedure: str, **kwargs: Any) -> reuse.ReuseResult:
    return support.lookup(
        archive.index,
        subject_id=who.id_number,
        name=who.name,
        birth_date=who.birth_date,
        procedure_code=procedure,
        as_of=AS_OF,
        today=AS_OF,
        **kwargs,
    )


def _component(result: reuse.ReuseResult, code: str) -> reuse.ComponentResult:
    return next(c for c in result.components if c.code == code)


def test_exact_match_is_offered_with_metadata_only(archive: Archive) -> None:
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    )
    result = support.lookup(
        archive.index, subject_id=AN.id_number, procedure_code=MARRIAGE, as_of=AS_OF, today=AS_OF
    )
    (candidate,) = _component(result, "XN_TTHN").candidates
    assert candidate.id == record.id and candidate.match is Match.EXACT
    assert set(candidate.to_dict()) == {
        "id",
        "doc_type",
        "title",
        "document_number",
        "issuer",
        "issued_on",
        "valid_until",
        "agency",
        "match",
    }
    assert "nội dung" not in str(result.to_dict())


def test_a_namesake_with_another_id_is_never_offered(archive: Archive) -> None:
    archive.add(
        make_record("marital_status_certificate", AN_NAMESAKE, issued_on=months_before(AS_OF, 1)),
        make_record("criminal_record_certificate", AN_NAMESAKE, issued_on=months_before(AS_OF, 1)),
    )
    assert offered_ids(_lookup(archive, AN, MARRIAGE)) == set()
    assert offered_ids(_lookup(archive, AN, ADOPTION)) == set()
    by_name_only = support.lookup(
        archive.index,
        subject_id=None,
        name=AN.name,
        birth_date=AN.birth_date,
        procedure_code=MARRIAGE,
        as_of=AS_OF,
        today=AS_OF,
    )
    assert offered_ids(by_name_only) == set()


def test_paper_without_id_is_a_probable_match_by_folded_name_and_birth_date(
    archive: Archive,
) -> None:
    old, modern = archive.add(
        make_record(
            "birth_certificate",
            BINH,
            issued_on="1985-03-01",
            with_id=False,
            fields={"mother_name": "HOÀNG THỊ MAI", "birth_place": "Hà Nội"},
        ),
        make_record("criminal_record_certificate", BINH, issued_on=months_before(AS_OF, 1)),
    )
    typed_without_marks = support.lookup(
        archive.index,
        subject_id=BINH.id_number,
        name="tran thi  BINH",
        birth_date="10/02/1985",
        facts=Facts(mother_name="hoang thi  mai"),
        procedure_code=CRIMINAL_RECORD,
        as_of=AS_OF,
        today=AS_OF,
    )
    (birth,) = _component(typed_without_marks, "GKS").candidates
    assert (birth.id, birth.match) == (old.id, Match.PROBABLE)
    (previous,) = _component(typed_without_marks, "LLTP_CU").candidates
    assert (previous.id, previous.match) == (modern.id, Match.EXACT)
    other_birthday = support.lookup(
        archive.index,
        subject_id=BINH.id_number,
        name=BINH.name,
        birth_date="1985-02-11",
        procedure_code=CRIMINAL_RECORD,
        as_of=AS_OF,
        today=AS_OF,
    )
    assert old.id not in offered_ids(other_birthday)


def test_probable_matches_are_withheld_when_a_namesake_holds_another_id(
    archive: Archive,
) -> None:
    (paper,) = archive.add(
        make_record("birth_certificate", AN, issued_on="1990-06-01", with_id=False),
        make_record("land_use_certificate", AN_NAMESAKE, issued_on="2015-01-01"),
    )[:1]
    result = _lookup(archive, AN, CRIMINAL_RECORD, facts=AN_FACTS)
    assert [w.reason for w in result.withheld_probable] == [WithheldReason.NAMESAKE]
    assert paper.id not in offered_ids(result)


def test_marital_status_certificate_freshness(archive: Archive) -> None:
    stale, fresh = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 7)),
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 5)),
    )
    assert [c.id for c in _component(_lookup(archive, AN, MARRIAGE), "XN_TTHN").candidates] == [
        fresh.id
    ]
    last_day = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 6))
    )[0]
    assert last_day.id in offered_ids(_lookup(archive, AN, MARRIAGE))
    assert stale.id not in offered_ids(_lookup(archive, AN, MARRIAGE))


@pytest.mark.parametrize("status", [Status.FAILED, Status.NEEDS_REVIEW])
def test_records_not_ready_are_never_offered(archive: Archive, status: Status) -> None:
    archive.add(
        make_record(
            "marital_status_certificate", AN, issued_on=months_before(AS_OF, 1), status=status
        )
    )
    assert offered_ids(_lookup(archive, AN, MARRIAGE)) == set()


def test_unsigned_records_and_failed_verification_are_never_offered(archive: Archive) -> None:
    _unsigned, signed = archive.add(
        make_record(
            "marital_status_certificate", AN, issued_on=months_before(AS_OF, 1), signed=False
        ),
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2)),
    )
    assert offered_ids(_lookup(archive, AN, MARRIAGE)) == {signed.id}
    seen: list[str] = []

    def refuse_all(record: dict[str, Any]) -> bool:
        seen.append(record["id"])
        return False

    assert offered_ids(_lookup(archive, AN, MARRIAGE, verify=refuse_all)) == set()
    assert seen == [signed.id]


def test_expired_and_not_yet_issued_records_are_never_offered(archive: Archive) -> None:
    archive.add(
        make_record("construction_permit", AN, issued_on="2024-01-01", valid_until="2025-06-14"),
        make_record("land_use_certificate", AN, issued_on="2025-06-16"),
    )
    valid_today = archive.add(
        make_record("construction_permit", AN, issued_on="2024-01-01", valid_until="2025-06-15")
    )[0]
    assert offered_ids(_lookup(archive, AN, "1.004222")) == {valid_today.id}


def test_a_parent_named_on_a_birth_certificate_is_not_its_holder(archive: Archive) -> None:
    archive.add(make_record("birth_certificate", AN, issued_on="2020-01-01", role="cha"))
    assert offered_ids(_lookup(archive, AN, CRIMINAL_RECORD)) == set()


def test_share_of_components_satisfied(archive: Archive, procedures: dict[str, Procedure]) -> None:
    archive.add(
        make_record("criminal_record_certificate", AN, issued_on=months_before(AS_OF, 1)),
        make_record("birth_certificate", AN, issued_on="1990-05-20"),
    )
    result = _lookup(archive, AN, ADOPTION)
    adoption = procedures[ADOPTION]
    assert len(result.components) == len(adoption.components) == 5
    assert (result.satisfied, result.share_satisfied) == (2, 2 / 5)
    assert (result.required_satisfied, result.required_total) == (1, 4)
    assert result.share_required_satisfied == 1 / 4
    assert result.to_dict()["share_satisfied"] == 2 / 5


def test_order_is_exact_first_then_newest(archive: Archive) -> None:
    older, newer, probable = archive.add(
        make_record("land_use_certificate", AN, issued_on="2010-01-01"),
        make_record("land_use_certificate", AN, issued_on="2018-01-01"),
        make_record(
            "land_use_certificate",
            AN,
            issued_on="2024-01-01",
            with_id=False,
            fields={"residence": "số 5, phố Huế, Hà Nội"},
        ),
    )
    candidates = _component(_lookup(archive, AN, "1.004222", facts=AN_FACTS), "CM_CHO_O").candidates
    assert [c.id for c in candidates] == [newer.id, older.id, probable.id]
    assert [c.match for c in candidates] == [Match.EXACT, Match.EXACT, Match.PROBABLE]


def test_lookup_is_audited(archive: Archive, audit_log: AuditLog) -> None:
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 1))
    )
    _lookup(
        archive,
        AN,
        MARRIAGE,
        audit_log=audit_log,
        actor="can-bo-01",
        dossier_code="H29.01-250615-0001",
    )
    (entry,) = list(audit_log.entries())
    assert (entry.action, entry.actor) == ("reuse.lookup", "can-bo-01")
    assert entry.details["dossier_code"] == "H29.01-250615-0001"
    assert entry.details["procedure_code"] == MARRIAGE
    assert entry.details["subject"]["id_number"] == AN.id_number
    assert entry.details["offered"]["XN_TTHN"] == [record.id]


def test_bad_requests_raise_clear_errors(archive: Archive) -> None:
    with pytest.raises(ReuseError) as unknown:
        support.lookup(archive.index, subject_id=AN.id_number, procedure_code="9.999999")
    assert unknown.value.code == "unknown_procedure"
    with pytest.raises(ReuseError) as nobody:
        support.lookup(archive.index, subject_id=None, name=AN.name, procedure_code=MARRIAGE)
    assert nobody.value.code == "no_subject"
    with pytest.raises(ReuseError) as dossier:
        _lookup(archive, AN, MARRIAGE, dossier_code="HS-1", audit_log=None)
    assert dossier.value.code == "bad_dossier_code"


def test_format_result_is_vietnamese_and_lists_offers(archive: Archive) -> None:
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 1))
    )
    text = reuse.format_result(_lookup(archive, AN, MARRIAGE))
    assert "Thủ tục 1.000894 – Đăng ký kết hôn" in text
    assert "Lấy được từ kho số hóa: 1/3 thành phần" in text
    assert f"mã {record.id}" in text and "khớp số định danh" in text
    assert "công dân nộp trực tiếp" in text


def test_two_different_birth_certificates_reveal_a_namesake(archive: Archive) -> None:
    mine, theirs, land = archive.add(
        make_record("birth_certificate", AN, issued_on="1990-05-20", with_id=False),
        make_record("birth_certificate", AN, issued_on="1990-07-02", with_id=False),
        make_record("land_use_certificate", AN, issued_on="2010-01-01", with_id=False),
    )
    result = _lookup(archive, AN, "1.004222", facts=AN_FACTS)
    assert {w.reason for w in result.withheld_probable} == {WithheldReason.NAMESAKE}
    assert not {mine.id, theirs.id, land.id} & offered_ids(result)
    rescanned = make_record("birth_certificate", AN, issued_on="1990-05-20", with_id=False)
    rescanned.document_number = mine.document_number  # the same paper scanned twice
    archive.index.delete(theirs.id)
    archive.add(rescanned)
    again = _lookup(archive, AN, "1.004222", facts=AN_FACTS)
    assert WithheldReason.NAMESAKE not in {w.reason for w in again.withheld_probable}


def _withheld(result: reuse.ReuseResult) -> dict[str, tuple[WithheldReason, tuple[str, ...]]]:
    return {w.record_id: (w.reason, w.facts) for w in result.withheld_probable}


def test_a_namesakes_paper_without_id_is_told_apart_by_the_facts_it_carries(
    archive: Archive,
) -> None:
    # The namesake never had a paper with an ID nor a birth certificate in this archive:
    # name + birth date alone cannot tell the two land-use certificates apart.
    mine, theirs = archive.add(
        make_record(
            "land_use_certificate",
            AN,
            issued_on="2010-01-01",
            with_id=False,
            fields={"residence": "Số 5 phố Huế, Hà Nội"},
        ),
        make_record(
            "land_use_certificate",
            AN_NAMESAKE,
            issued_on="2012-01-01",
            with_id=False,
            fields={"residence": "Thôn Đông, xã Yên Sở, Hà Nội"},
        ),
    )
    result = _lookup(archive, AN, "1.004222", facts=AN_FACTS)
    assert offered_ids(result) == {mine.id}
    assert _withheld(result) == {theirs.id: (WithheldReason.FACT_DISAGREES, ("residence",))}
    namesake = _lookup(
        archive, AN_NAMESAKE, "1.004222", facts=Facts(residence="thon dong xa yen so ha noi")
    )
    assert offered_ids(namesake) == {theirs.id}


def test_a_paper_without_id_needs_a_fact_it_carries_to_agree_and_none_to_differ(
    archive: Archive,
) -> None:
    bare, parents, wrong_mother = (
        make_record("birth_certificate", AN, issued_on="1990-05-20", with_id=False, fields=f)
        for f in ({}, AN_PARENTS, {**AN_PARENTS, "mother_name": "LÊ THỊ NĂM"})
    )
    for paper in (parents, wrong_mother):  # same number, issuer, date: rescans of one
        paper.document_number = bare.document_number
    archive.add(bare, parents, wrong_mother)
    no_facts = _lookup(archive, AN, CRIMINAL_RECORD)
    assert offered_ids(no_facts) == set()
    assert {r for r, _ in _withheld(no_facts).values()} == {WithheldReason.NO_QUERY_FACTS}
    result = _lookup(archive, AN, CRIMINAL_RECORD, facts=AN_FACTS)
    assert offered_ids(result) == {parents.id}
    assert _withheld(result) == {
        bare.id: (WithheldReason.NO_PAPER_FACTS, ()),
        wrong_mother.id: (WithheldReason.FACT_DISAGREES, ("mother_name",)),
    }
    only_spouse = _lookup(archive, AN, CRIMINAL_RECORD, facts=Facts(spouse_name="Lê Thị Hoa"))
    assert {r for r, _ in _withheld(only_spouse).values()} == {
        WithheldReason.NO_PAPER_FACTS,
        WithheldReason.NO_COMMON_FACT,
    }
    # The officer learns the archive may hold something, never whose paper it is.
    text = reuse.format_result(no_facts)
    assert "chưa có thông tin đối chiếu" in text and bare.id not in text
    assert bare.id not in str(no_facts.to_dict())


def test_the_spouse_on_a_marriage_certificate_corroborates_it(archive: Archive) -> None:
    hoa = Subject(name="Lê Thị Hoa", birth_date="1992-03-04", role="vợ")
    (paper,) = archive.add(
        make_record("marriage_certificate", AN, issued_on="2015-06-01", with_id=False, others=[hoa])
    )
    birth_registration = "1.001193"
    spouse = Facts(spouse_name="LE THI HOA", spouse_birth_date="04/03/1992")
    assert paper.id in offered_ids(_lookup(archive, AN, birth_registration, facts=spouse))
    other_wife = Facts(spouse_name="Lê Thị Hoa", spouse_birth_date="1993-03-04")
    result = _lookup(archive, AN, birth_registration, facts=other_wife)
    assert paper.id not in offered_ids(result)
    assert _withheld(result)[paper.id] == (WithheldReason.FACT_DISAGREES, ("spouse_birth_date",))


def test_facts_about_someone_else_on_the_paper_do_not_corroborate(archive: Archive) -> None:
    # The residence on a death extract is the deceased's, not the requester's.
    (paper,) = archive.add(
        make_record(
            "death_extract",
            AN,
            role="người yêu cầu",
            issued_on="2010-01-01",
            with_id=False,
            fields={"residence": "Số 5 phố Huế, Hà Nội"},
        )
    )
    result = _lookup(archive, AN, CIVIL_STATUS_COPY, facts=AN_FACTS)
    assert paper.id not in offered_ids(result)
    assert _withheld(result)[paper.id][0] is WithheldReason.NO_PAPER_FACTS


def test_id_matches_ignore_the_facts(archive: Archive) -> None:
    (paper,) = archive.add(
        make_record(
            "birth_certificate", AN, issued_on="2017-01-01", fields={"mother_name": "Ai Khác"}
        )
    )
    result = _lookup(archive, AN, CRIMINAL_RECORD, facts=AN_FACTS)
    assert [(c.id, c.match) for c in _component(result, "GKS").candidates] == [
        (paper.id, Match.EXACT)
    ]
    assert result.withheld_probable == ()


def test_withheld_papers_are_audited_with_their_ids(archive: Archive, audit_log: AuditLog) -> None:
    (paper,) = archive.add(
        make_record("land_use_certificate", AN, issued_on="2010-01-01", with_id=False)
    )
    _lookup(archive, AN, "1.004222", audit_log=audit_log, actor="can-bo-01", facts=AN_FACTS)
    (entry,) = list(audit_log.entries())
    # With the components it would fill: the statistics count a required one left
    # unserved as a paper asked for again although the archive holds it.
    assert entry.details["withheld"] == [
        {"record_id": paper.id, "reason": "no_paper_facts", "components": ["CM_CHO_O"]}
    ]
    assert entry.details["subject"]["facts"] == ["father_name", "mother_name", "residence"]


# The ID attached to the wrong person: a father's ID written on his child's line.
FATHER = Person("Trần Văn Cường", "1970-03-03", "001070000111")
CHILD_WITH_FATHERS_ID = Person("Trần Minh Khôi", "2015-09-09", FATHER.id_number)


def test_an_id_on_a_person_with_another_name_and_birth_date_is_withheld(archive: Archive) -> None:
    (child,) = archive.add(
        make_record("birth_certificate", CHILD_WITH_FATHERS_ID, issued_on="2015-09-20")
    )
    result = _lookup(archive, FATHER, CRIMINAL_RECORD)
    assert child.id not in offered_ids(result)
    assert _withheld(result) == {child.id: (WithheldReason.ID_CONFLICT, ("name", "birth_date"))}
    only_birth_date = support.lookup(
        archive.index,
        subject_id=FATHER.id_number,
        birth_date="03/03/1970",
        procedure_code=CRIMINAL_RECORD,
        as_of=AS_OF,
        today=AS_OF,
    )
    assert _withheld(only_birth_date) == {child.id: (WithheldReason.ID_CONFLICT, ("birth_date",))}
    assert "số định danh của công dân cho người có thông tin khác" in reuse.format_result(result)


def test_an_id_match_typed_without_marks_is_not_a_conflict(archive: Archive) -> None:
    (own,) = archive.add(make_record("birth_certificate", FATHER, issued_on="1970-03-20"))
    result = support.lookup(
        archive.index,
        subject_id=FATHER.id_number,
        name="TRAN VAN  cuong",
        birth_date=FATHER.birth_date,
        procedure_code=CRIMINAL_RECORD,
        as_of=AS_OF,
        today=AS_OF,
    )
    assert [(c.id, c.match) for c in _component(result, "GKS").candidates] == [
        (own.id, Match.EXACT)
    ]


# Twins: names differing by one tone mark, same birth date and parents.
HA = Person("Nguyễn Thị Hà", "2000-01-01", "001300000123")
HA_TWIN = Person("Nguyễn Thị Hạ", "2000-01-01")
TWINS_FACTS = {"father_name": "Nguyễn Văn Ba", "mother_name": "Lê Thị Tư", "birth_place": "Hà Nội"}


def test_a_name_differing_by_a_tone_mark_is_another_person(archive: Archive) -> None:
    (twins,) = archive.add(
        make_record(
            "birth_certificate", HA_TWIN, issued_on="2000-01-10", with_id=False, fields=TWINS_FACTS
        )
    )
    result = _lookup(archive, HA, CRIMINAL_RECORD, facts=Facts(**TWINS_FACTS))
    assert offered_ids(result) == set() and result.withheld_probable == ()
    # Typed without marks, the request cannot tell Hà from Hạ: at most a probable match,
    # which the officer confirms against the paper before any release.
    unmarked = support.lookup(
        archive.index,
        name="Nguyen Thi Ha",
        birth_date=HA.birth_date,
        facts=Facts(**TWINS_FACTS),
        procedure_code=CRIMINAL_RECORD,
        as_of=AS_OF,
        today=AS_OF,
    )
    assert [(c.id, c.match) for c in _component(unmarked, "GKS").candidates] == [
        (twins.id, Match.PROBABLE)
    ]


def test_someone_elses_death_extract_is_never_offered_as_the_spouses(archive: Archive) -> None:
    # An requested his mother's death extract: he is "người yêu cầu" on it.
    mother = Subject(name="Lê Thị Tư", birth_date="1935-01-01", role="người chết")
    (extract,) = archive.add(
        make_record(
            "death_extract", AN, role="người yêu cầu", issued_on="2024-02-01", others=[mother]
        )
    )
    for procedure, component in (("1.004873", "TL_KT_VC"), ("1.004227", "TL_KT")):
        result = _lookup(archive, AN, procedure)
        assert extract.id not in offered_ids(result)
        assert not _component(result, component).component.reusable


def test_a_development_only_signature_counts_only_where_the_deployment_signs_with_it(
    archive: Archive,
) -> None:
    record = make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 1))
    record.signature = SignatureInfo(
        level="PAdES-B-B", signer="UBND (DEVELOPMENT ONLY)", development_only=True
    )
    archive.add(record)
    assert offered_ids(_lookup(archive, AN, MARRIAGE)) == set()
    embedded = _lookup(archive, AN, MARRIAGE, accept_development_signatures=True)
    assert offered_ids(embedded) == {record.id}


def test_a_paper_without_the_dates_its_validity_rule_needs_is_withheld(archive: Archive) -> None:
    undated = make_record(
        "criminal_record_certificate", AN, issued_on=None, status=Status.NEEDS_REVIEW
    )
    undated.review.reasons = [ReviewReason("missing", "issued_on")]
    undated = approve(undated, by="can-bo-01")  # approved without a date
    # Dated and 6 years old, its expiry never recorded: past its type's 6-month term.
    old = make_record("criminal_record_certificate", AN, issued_on="2019-01-10")
    no_date_no_term = make_record("birth_certificate", AN, issued_on=None)
    no_date_max_age = make_record("marital_status_certificate", AN, issued_on=None)
    archive.add(undated, old, no_date_no_term, no_date_max_age)
    result = _lookup(archive, AN, CRIMINAL_RECORD)
    assert offered_ids(result) == {no_date_no_term.id}  # a birth certificate never expires
    assert _withheld(result) == {undated.id: (WithheldReason.UNDATED, ())}
    marriage = _lookup(archive, AN, MARRIAGE)
    assert _withheld(marriage) == {no_date_max_age.id: (WithheldReason.UNDATED, ())}
    assert "thiếu ngày cấp" in reuse.format_result(marriage)


def test_a_paper_is_read_with_the_role_extraction_gives_its_holder(archive: Archive) -> None:
    (record,) = archive.add(
        make_record(
            "marital_status_certificate",
            AN,
            role="người được xác nhận",
            issued_on=months_before(AS_OF, 1),
        )
    )
    assert offered_ids(_lookup(archive, AN, MARRIAGE)) == {record.id}


def test_a_paper_must_still_be_valid_today_when_the_procedure_day_is_past(
    archive: Archive,
) -> None:
    (record,) = archive.add(
        make_record(
            "marital_status_certificate", AN, issued_on="2024-01-10", valid_until="2024-07-10"
        )
    )

    def offered(today: date) -> set[str]:
        return offered_ids(
            support.lookup(
                archive.index,
                subject_id=AN.id_number,
                procedure_code=MARRIAGE,
                as_of=date(2024, 3, 1),
                today=today,
            )
        )

    assert offered(date(2024, 7, 10)) == {record.id}
    assert offered(date(2024, 7, 11)) == set()
    assert offered(AS_OF) == set()
