"""An ID that disagrees with its person's birth year or sex never reaches a ready record."""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze, apply
from extract.analyze import Extraction
from extract.keys import resolves
from extract.review import correct
from extract.values import ValueProblem, normalize_id
from records.model import Record, Source, Status
from specimens import generate
from tests.support.extract import words_from_lines

# Criminal record certificate, seed 3: TRẦN THANH LAN, born 09/02/1966, CCCD 082166628879.
CERTIFICATE = generate("criminal_record_certificate", 3).text
# A child born 06/04/2021 with số định danh cá nhân 079221308097.
BIRTH = generate("birth_certificate", 3).text


def read(text: str, **kwargs: object) -> Extraction:
    lines = text.split("\n")
    return analyze([text], [words_from_lines(lines)], today=date(2025, 1, 1), **kwargs)  # type: ignore[arg-type]


def applied(extraction: Extraction) -> Record:
    record = Record(id="r", agency="a", source=Source("f.png", "0" * 64, "image/png", 1))
    apply(record, extraction)
    return record


# The birth year misread (1966 → 1968): the ID encoding 1966 is dropped and flagged.
MISREAD_YEAR = CERTIFICATE.replace("09/02/1966", "09/02/1968")


def test_id_reason_is_answered_only_by_the_values_the_id_is_checked_against() -> None:
    reason = "id_birth_year_mismatch:subjects[0]"
    assert not resolves("subjects[0].name", reason)
    assert not resolves("subjects[0].role", reason)
    assert not resolves("subjects[1].birth_date", reason)
    assert resolves("subjects[0].birth_date", reason)
    assert resolves("subjects[0].id_number", reason)
    assert resolves("subjects[0].sex", reason)
    # other reasons keep answering to their place or anything inside it
    assert resolves("subjects[0].name", "low_confidence:subjects[0].name")


def test_manifest_name_does_not_clear_an_id_mismatch() -> None:
    got = read(MISREAD_YEAR, given={"name": "Trần Thanh Lan"})
    assert got.subjects[0].id_number is None
    assert "id_birth_year_mismatch:subjects[0]" in got.review_reasons
    assert applied(got).status == Status.NEEDS_REVIEW


def test_correcting_the_name_does_not_clear_an_id_mismatch() -> None:
    record = applied(read(MISREAD_YEAR))
    new = correct(record, {"subjects[0].name": "Trần Thanh Lan"}, by="o", today=date(2025, 1, 1))
    assert new.review.reasons == ["id_birth_year_mismatch:subjects[0]"]
    assert new.status == Status.NEEDS_REVIEW


def test_correcting_the_birth_date_answers_an_id_mismatch() -> None:
    record = applied(read(MISREAD_YEAR))
    new = correct(record, {"subjects[0].birth_date": "1966-02-09"}, by="o", today=date(2025, 1, 1))
    assert new.review.reasons == []


def test_manifest_birth_date_contradicting_the_read_id_drops_the_id() -> None:
    got = read(CERTIFICATE, given={"birth_date": "1970-02-09"})
    assert got.subjects[0].birth_date == "1970-02-09"
    assert got.subjects[0].id_number is None
    assert got.doubts.unverified_id_numbers == ["082166628879"]
    assert "id_birth_year_mismatch:subjects[0]" in got.review_reasons


def test_manifest_sex_contradicting_the_read_id_drops_the_id() -> None:
    got = read(CERTIFICATE, given={"sex": "nam"})
    assert got.subjects[0].id_number is None
    assert "id_sex_mismatch:subjects[0]" in got.review_reasons


def test_manifest_values_agreeing_with_the_read_id_keep_it() -> None:
    got = read(CERTIFICATE, given={"birth_date": "1966-02-09", "sex": "nữ"})
    assert got.subjects[0].id_number == "082166628879"
    assert got.review_reasons == []


def test_nine_digits_under_a_personal_number_label_are_dropped() -> None:
    got = read(BIRTH.replace("079221308097", "079221308"))
    assert got.subjects[0].id_number is None
    assert got.doubts.unverified_id_numbers == ["079221308"]
    assert "id_not_cmnd:subjects[0]" in got.review_reasons


def test_nine_digits_under_a_cccd_label_are_dropped() -> None:
    text = CERTIFICATE.replace(
        "Căn cước công dân số: 082166628879", "Căn cước công dân số: 082166628"
    )
    got = read(text)
    assert got.subjects[0].id_number is None
    assert "id_not_cmnd:subjects[0]" in got.review_reasons


def test_a_cmnd_under_a_cmnd_label_is_kept_for_someone_old_enough() -> None:
    text = CERTIFICATE.replace(
        "Căn cước công dân số: 082166628879", "Chứng minh nhân dân số: 311234567"
    )
    got = read(text)
    assert got.subjects[0].id_number == "311234567"
    assert got.review_reasons == []


def test_a_cmnd_of_someone_born_after_2006_is_dropped() -> None:
    text = CERTIFICATE.replace(
        "Căn cước công dân số: 082166628879", "Chứng minh nhân dân số: 311234567"
    ).replace("09/02/1966", "09/02/2008")
    got = read(text)
    assert got.subjects[0].id_number is None
    assert "id_cmnd_age:subjects[0]" in got.review_reasons


def test_typed_nine_digits_need_someone_old_enough() -> None:
    assert normalize_id("311234567", "1990-01-01") == "311234567"
    assert normalize_id("311234567") == "311234567"  # no birth date to hold it to
    with pytest.raises(ValueProblem, match="CMND"):
        normalize_id("079221308", "2021-04-06", "nam")


# A man's certificate (seed 1): "Giới tính: Nam" and a CCCD whose sex digit says male.
MAN = generate("criminal_record_certificate", 1).text


@pytest.mark.parametrize("misread", ["Num", "Narn", "Nem"])
def test_a_sex_word_read_as_neither_is_no_sex_and_keeps_the_id(misread: str) -> None:
    # e.g. evalset dev e0049: "Giới tính: Num" was taken for "nữ" (a prefix match on
    # "nu"), and the man's right ID was set aside as a sex mismatch.
    got = read(MAN.replace("Giới tính: Nam", f"Giới tính: {misread}"))
    assert got.subjects[0].sex is None
    assert got.subjects[0].id_number is not None
    assert not any(r.startswith("id_sex_mismatch") for r in got.review_reasons)


def test_a_sex_word_read_right_still_checks_the_id() -> None:
    got = read(MAN.replace("Giới tính: Nam", "Giới tính: Nữ"))
    assert got.subjects[0].sex == "nữ"
    assert got.subjects[0].id_number is None
    assert "id_sex_mismatch:subjects[0]" in got.review_reasons
