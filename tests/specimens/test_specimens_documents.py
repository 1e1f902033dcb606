from __future__ import annotations

import json
import re
from datetime import date

import pytest

from specimens import (
    DOC_TYPES,
    Specimen,
    cccd_matches,
    decode_cccd,
    generate,
    generate_set,
    make_cccd,
)
from specimens.documents import MOTTO
from specimens.pools import EXTRA_BIRTH_PROVINCES, PROVINCES

KNOWN_PROVINCE_CODES = {p.cccd_code for p in PROVINCES} | {c for _, c in EXTRA_BIRTH_PROVINCES}
VALIDITY_MONTHS = {"marital_status_certificate": 6, "criminal_record_certificate": 6,
                   "construction_permit": 12}


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_every_type_has_the_parts_of_a_real_paper(doc_type: str) -> None:
    for seed in range(5):
        spec = generate(doc_type, seed)
        assert spec.doc_type == doc_type
        assert spec.lines[0] == spec.issuer
        assert spec.lines[1] == f"Số: {spec.document_number}"
        assert list(MOTTO) == spec.lines[2:4]
        assert spec.title and spec.title == spec.title.upper()
        assert spec.text == "\n".join(spec.lines)
        assert spec.lines == [line.text for line in spec.layout]
        issued = date.fromisoformat(spec.issued_on)
        assert spec.document_number is not None
        assert f"/{issued.year}/" in spec.document_number
        assert f"năm {issued.year}" in spec.text
        assert spec.subjects
        for subject in spec.subjects:
            name = subject["name"]
            assert name and name == name.upper() and name in spec.text
            assert subject["sex"] in ("nam", "nữ")
            assert subject["birth_date"] is not None
            assert date.fromisoformat(subject["birth_date"]) < issued
        assert spec.fields["signer_name"] == spec.lines[-1]


def test_validity_follows_the_rules_per_type() -> None:
    for spec in generate_set(48, seed=4):
        months = VALIDITY_MONTHS.get(spec.doc_type)
        if months is None:
            assert spec.valid_until is None
            continue
        issued = date.fromisoformat(spec.issued_on)
        assert spec.valid_until is not None
        until = date.fromisoformat(spec.valid_until)
        total = (until.year - issued.year) * 12 + until.month - issued.month
        assert total == months
        assert until.day <= issued.day


def test_type_specific_ground_truth_is_printed() -> None:
    for seed in range(10):
        marriage = generate("marriage_certificate", seed)
        assert [(s["role"], s["sex"]) for s in marriage.subjects] == [("chồng", "nam"),
                                                                        ("vợ", "nữ")]
        business = generate("household_business_registration", seed)
        code = business.fields["household_business_code"]
        assert re.fullmatch(r"\d{2}[A-H]8\d{6}", code)
        assert f"Mã số hộ kinh doanh: {code}" in business.lines
        assert business.subjects[0]["role"] == "chủ hộ"
        land = generate("land_use_certificate", seed)
        assert (f"a) Thửa đất số: {land.fields['plot_number']};   "
                f"b) Tờ bản đồ số: {land.fields['map_sheet']};") in land.lines
        permit = generate("construction_permit", seed)
        assert (f"thửa đất số {permit.fields['plot_number']}, tờ bản đồ số "
                f"{permit.fields['map_sheet']}") in permit.text
        birth = generate("birth_certificate", seed)
        assert f"người mẹ: {birth.fields['mother_name']}" in birth.text
        death = generate("death_extract", seed)
        assert death.fields["death_date"] < death.issued_on


def test_identity_numbers_agree_with_birth_date_sex_and_province() -> None:
    checked_cccd = checked_cmnd = 0
    for spec in generate_set(240, seed=7):
        for subject in spec.subjects:
            number = subject["id_number"]
            if number is None:
                continue
            assert number.isdigit()
            if len(number) == 12:
                assert not spec.old
                assert number[:3] in KNOWN_PROVINCE_CODES
                assert subject["birth_date"] is not None and subject["sex"] is not None
                assert cccd_matches(number, subject["birth_date"], subject["sex"])
                assert number[4:6] == subject["birth_date"][2:4]
                checked_cccd += 1
            else:
                assert len(number) == 9 and spec.old
                checked_cmnd += 1
            assert number in spec.text
    assert checked_cccd > 150 and checked_cmnd > 10


def test_old_birth_certificates_carry_no_number_and_new_ones_do() -> None:
    births = [generate("birth_certificate", seed) for seed in range(40)]
    old = [b for b in births if b.old]
    new = [b for b in births if not b.old]
    assert old and new
    assert all(b.subjects[0]["id_number"] is None for b in old)
    assert all(b.subjects[0]["id_number"] for b in new)
    # Children born since 2000 use the 2000s century digits (2 male, 3 female).
    for b in new:
        number = b.subjects[0]["id_number"]
        assert number is not None
        assert number[3] == ("2" if b.subjects[0]["sex"] == "nam" else "3")


def test_cccd_rule_examples() -> None:
    info = decode_cccd("001088012345")
    assert (info.province_code, info.sex, info.birth_year) == ("001", "nam", 1988)
    assert decode_cccd("031303000001").sex == "nữ"
    assert decode_cccd("031303000001").birth_year == 2003
    assert not cccd_matches("001188012345", "1988-05-01", "nam")
    assert not cccd_matches("12345", "1988-05-01", "nam")
    import random

    assert make_cccd(random.Random(1), "082", date(1999, 1, 2), "nữ").startswith("082199")


def test_same_seed_same_paper_and_different_seeds_differ() -> None:
    for doc_type in DOC_TYPES:
        assert generate(doc_type, 123) == generate(doc_type, 123)
        assert generate(doc_type, 123).text != generate(doc_type, 124).text
    assert generate_set(16, 9) == generate_set(16, 9)
    assert generate(None, 5) == generate(None, 5)
    assert generate(None, 5).doc_type in DOC_TYPES


def test_generate_set_is_round_robin() -> None:
    assert [s.doc_type for s in generate_set(16, 0)] == list(DOC_TYPES) * 2


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown doc_type"):
        generate("passport", 1)


def test_specimen_survives_json() -> None:
    for spec in generate_set(8, 2):
        data = json.loads(json.dumps(spec.to_dict(), ensure_ascii=False))
        assert Specimen.from_dict(data) == spec
