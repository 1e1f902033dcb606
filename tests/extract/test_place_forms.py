"""Every official unit, written as papers write it, resolves to itself (issue 14)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from extract import place_forms
from extract.handcheck import check_place
from extract.places import AMBIGUOUS, match_issuer

LEGACY = date(2025, 6, 30)
NEW = date(2025, 8, 1)


@pytest.mark.parametrize(
    ("printed", "official"),
    [
        (
            "Ủy ban nhân dân huyện Văn Quan, tỉnh Lạng Sơn",
            "Ủy ban nhân dân huyện Văn Quan, tỉnh Lạng Sơn",
        ),
        (
            "ỦY BAN NHÂN DÂN XÃ GIA LÂM, HUYỆN NHO QUAN, TỈNH NINH BÌNH",
            "Ủy ban nhân dân xã Gia Lâm, huyện Nho Quan, tỉnh Ninh Bình",
        ),
        (
            "Ủy ban nhân dân xã Tân Xã, huyện Thạch Thất, thành phố Hà Nội",
            "Ủy ban nhân dân xã Tân Xã, huyện Thạch Thất, thành phố Hà Nội",
        ),
        (
            "Ủy ban nhân dân phường Phường Đúc, quận Thuận Hóa, thành phố Huế",
            "Ủy ban nhân dân phường Phường Đúc, quận Thuận Hóa, thành phố Huế",
        ),
        (
            "UBND phường Tam Quan Bắc, TX.Hoài Nhơn, tỉnh Bình Định",
            "Ủy ban nhân dân phường Tam Quan Bắc, thị xã Hoài Nhơn, tỉnh Bình Định",
        ),
    ],
)
def test_a_type_word_inside_a_listed_name_is_part_of_the_name(printed: str, official: str) -> None:
    assert match_issuer(printed, LEGACY).official == official


def test_a_city_named_like_its_province_is_told_by_the_hierarchy() -> None:
    found = match_issuer(
        "Ủy ban nhân dân phường Phú Sơn, thành phố Thanh Hóa, tỉnh Thanh Hóa", LEGACY
    )
    assert found.unit is not None and found.unit.district == "Thành phố Thanh Hóa"
    found = match_issuer("TỈNH CAO BẰNG\nTHÀNH PHỐ CAO BẰNG\nỦY BAN NHÂN DÂN XÃ VĨNH QUANG", LEGACY)
    assert found.official == "Ủy ban nhân dân xã Vĩnh Quang, thành phố Cao Bằng, tỉnh Cao Bằng"
    # Without the town, the province's two Phường Phú Sơn stay a tie.
    assert match_issuer("UBND phường Phú Sơn, tỉnh Thanh Hóa", LEGACY).reason == AMBIGUOUS


def test_a_town_under_a_city_province_either_line_may_be_the_issuers() -> None:
    found = match_issuer("THÀNH PHỐ HẢI PHÒNG\nỦY BAN NHÂN DÂN THÀNH PHỐ THỦY NGUYÊN", LEGACY)
    assert found.official == "Ủy ban nhân dân thành phố Thủy Nguyên, thành phố Hải Phòng"


def test_a_unit_type_word_spelled_right_opens_no_agency_a_letter_from_it() -> None:
    found = match_issuer("Ủy ban nhân dân phường Vĩnh Tế, tỉnh An Giang", NEW)
    assert found.official == "Ủy ban nhân dân phường Vĩnh Tế, tỉnh An Giang"
    # The agency itself, and its slips, are still read as the agency.
    assert match_issuer("PHÒNG KINH TẾ\nTHỊ XÃ KINH MÔN", LEGACY).agency == "Phòng Kinh tế"
    assert check_place("Phường Phạm Thái, thị xã Kinh Môn, tỉnh Hải Dương", LEGACY).value == (
        "Phường Phạm Thái, thị xã Kinh Môn, tỉnh Hải Dương"
    )


def test_the_mottos_words_after_a_type_word_are_a_units_name() -> None:
    found = match_issuer("ỦY BAN NHÂN DÂN XÃ ĐỘC LẬP, HUYỆN HƯNG HÀ, TỈNH THÁI BÌNH", LEGACY)
    assert found.official == "Ủy ban nhân dân xã Độc Lập, huyện Hưng Hà, tỉnh Thái Bình"


def test_one_unit_under_its_parent_of_two_times_is_not_a_tie() -> None:
    # Vĩnh Phúc on the day Mê Linh left it for Hà Nội: the same province, the same code.
    found = match_issuer("ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC", date(2008, 7, 31))
    assert found.official == "Ủy ban nhân dân tỉnh Vĩnh Phúc"


def test_units_whose_names_fold_alike_still_need_their_marks_read_twice() -> None:
    # One reading's marks do not choose between Trà Don and Trà Dơn of one district.
    found = match_issuer("Ủy ban nhân dân xã Trà Don, huyện Nam Trà My, tỉnh Quảng Nam", LEGACY)
    assert found.reason == AMBIGUOUS and len(found.candidates) == 2


def _causes(failed: list[place_forms.Failure]) -> Counter[str]:
    return Counter(f.cause for f in failed)


def test_a_sample_of_official_units_resolves_to_itself() -> None:
    failed = place_forms.failures(place_forms.all_forms(sample=400, seed=14))
    # What is left is by design: names that fold alike under one parent, read once.
    assert set(_causes(failed)) <= {"fold_alike"}
    assert all(f.outcome == "ambiguous" for f in failed)


# A hundred thousand forms take minutes on one core: in shards, so that the test processes
# (pytest -n, as ./dev.sh test runs it) share them.
_SHARDS = 6


@pytest.mark.slow
@pytest.mark.parametrize("shard", range(_SHARDS))
def test_every_official_unit_resolves_to_itself(shard: int) -> None:
    failed = place_forms.failures(place_forms.all_forms()[shard::_SHARDS])
    assert set(_causes(failed)) <= {"fold_alike"}
    assert all(f.outcome == "ambiguous" and f.got is None for f in failed)


def test_types_by_their_letter_and_parents_by_their_names_alone() -> None:
    official = "Ủy ban nhân dân xã Gia Lâm, huyện Nho Quan, tỉnh Ninh Bình"
    assert match_issuer("UBND X. Gia Lâm, H. Nho Quan, tỉnh Ninh Bình", LEGACY).official == (
        official
    )
    assert match_issuer("Ủy ban nhân dân xã Gia Lâm, Nho Quan, Ninh Bình", LEGACY).official == (
        official
    )
    # A district whose name opens like a type word, named alone after a comma.
    found = match_issuer("Ủy ban nhân dân xã Phú Lệ, Quan Hóa, Thanh Hóa", LEGACY)
    assert found.official == "Ủy ban nhân dân xã Phú Lệ, huyện Quan Hóa, tỉnh Thanh Hóa"
    # A comma inside a name (a reading put one before "Quán") names no parent: the name
    # stays whole.
    assert check_place("Phường Văn Quán, quận Hà Đông, tỉnh Hà Tây", date(2008, 1, 1)).value == (
        "Phường Văn Quán, quận Hà Đông, tỉnh Hà Tây"
    )
    # An untyped part that names no district or province is not made one.
    assert match_issuer("Ủy ban nhân dân xã Gia Lâm, Nho Quang, Ninh Bình", LEGACY).official is None
