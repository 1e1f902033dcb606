"""A paper's number that nothing on the page checks: what its field allows, and a second
reading of its line when its figures were a close call.

Fresh draw 5749 e0041 was ready with "CS3391" for the register entry CS33911 (a figure
lost; two readings of the line lost it alike); draw 3271 e0047 with "9859/STP-LLTP" for
9855, read once at 89; draw 8623 e0021 with the household business code "15C72513642" for
15C72515642, read once at 89.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from extract import analyze
from extract.analyze import Extraction
from extract.checks import NUMBER_SURE
from extract.reread import figures_read_twice, line_holds_figures, second_reading
from records.result_types import CatalogError, cached_result_types, load_result_types
from tests.extract.test_header_recovery import CRIMINAL
from tests.extract.test_layouts import LAND
from tests.extract.test_line_reread import Reader
from tests.support.extract import analyze_lines, words_from_lines

UNCONFIRMED = "number_unconfirmed:document_number"
FORMAT = "number_format:document_number"
TODAY = date(2026, 6, 1)


def _land(entry: str) -> list[str]:
    return [ln.replace("CS20837", entry) for ln in LAND]


def _criminal(number: str) -> list[str]:
    return [ln.replace("Số: 1434/STP", f"Số: {number}") for ln in CRIMINAL]


def test_the_register_entry_format_is_in_the_catalog() -> None:
    formats = cached_result_types()["land_use_certificate"].number_formats
    assert formats["register_number"].pattern == r"(?:CH|CS|CT)\d{5}"


@pytest.mark.parametrize("entry", ["CS3391", "CS339112", "CX33911"])
def test_a_register_entry_out_of_its_regulated_format_is_held(entry: str) -> None:
    # "CS" (or CH, CT) and five figures (Thông tư 23/2014/TT-BTNMT, art. 18): four or six
    # figures, or other letters, is a figure or a letter misread, not another entry.
    got = analyze_lines(_land(entry), {entry: 96.0}, today=TODAY)
    if got.document_number is not None:
        assert FORMAT in got.review_reasons, entry


@pytest.mark.parametrize("entry", ["CS33911", "CH00417", "CT12345"])
def test_a_register_entry_in_its_format_is_kept(entry: str) -> None:
    got = analyze_lines(_land(entry), {entry: 96.0}, today=TODAY)
    assert got.document_number == entry
    assert got.review_reasons == []


def test_a_format_for_a_field_the_type_does_not_have_is_refused(tmp_path: Path) -> None:
    raw = {"result_types": [{"code": "x", "name": "X", "titles": ["X"],
                             "fields": [{"name": "register_number", "kind": "code"}],
                             "number_formats": {"serial": "CS\\d{5}"}}]}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CatalogError):
        load_result_types(path)
    raw["result_types"][0]["number_formats"] = {"register_number": "CS(\\d{5}"}
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CatalogError):
        load_result_types(path)


@pytest.mark.parametrize("confidence", [56.0, 75.0, 88.6])
def test_a_number_read_once_below_sure_waits_for_a_second_reading(confidence: float) -> None:
    got = analyze_lines(_criminal("9859/STP-LLTP"), {"9859/STP-LLTP": confidence}, today=TODAY)
    assert got.review_reasons == [UNCONFIRMED]


def test_a_number_read_clearly_or_too_weakly_is_not_told_so() -> None:
    clear = analyze_lines(_criminal("9859/STP-LLTP"), {"9859/STP-LLTP": NUMBER_SURE},
                          today=TODAY)
    assert clear.review_reasons == []
    # Below the general threshold, ``low_confidence`` says it already.
    weak = analyze_lines(_criminal("9859/STP-LLTP"), {"9859/STP-LLTP": 40.0}, today=TODAY)
    assert weak.review_reasons == ["low_confidence:document_number"]


def test_a_number_printed_twice_and_read_alike_is_not_doubted() -> None:
    # A household business: the header's "Số:" and the code in the body read alike.
    lines = [
        "ỦY BAN NHÂN DÂN HUYỆN THỌ XUÂN",
        "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
        "Số: 38D37261650",
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
        "Mã số hộ kinh doanh: 38D37261650",
        "Họ và tên: NGUYỄN THU MỸ",
        "Thanh Hóa, ngày 02 tháng 11 năm 2024",
    ]
    got = analyze_lines(lines, {"38D37261650": 80.0}, today=TODAY)
    assert got.document_number == "38D37261650"
    assert UNCONFIRMED not in got.review_reasons


def _again(lines: list[str], weak: dict[str, float], reader: Reader) -> Extraction:
    words = words_from_lines(lines, weak)
    first = analyze(["\n".join(lines)], [words], today=TODAY)
    return second_reading(first, ["\n".join(lines)], [words], reader,
                          lambda texts, pages: analyze(texts, pages, today=TODAY))


@pytest.mark.parametrize("again", [96.0, 70.0])
def test_a_number_read_again_alike_is_confirmed(again: float) -> None:
    # Two readings of the line give the same number: the second mention the doubt asked
    # for, however close a call the second was too.
    number = "9855/STP-LLTP"
    reader = Reader(("Số:", 93.0), (number, again))
    got = _again(_criminal(number), {number: 88.6}, reader)
    assert len(reader.asked) == 1
    assert got.document_number == number
    assert got.review_reasons == []


@pytest.mark.parametrize("second", ["9855/STP-LLTP", "9888/S1PILEEo", "98559/STP-LLTP"])
def test_a_number_read_again_otherwise_stays_in_review(second: str) -> None:
    # Draw 3271 e0047: "9859/STP-LLTP" at 89, the line read again "Số:9888/S1PILEEo".
    got = _again(_criminal("9859/STP-LLTP"), {"9859/STP-LLTP": 88.6},
                 Reader(("Số:", 93.0), (second, 90.0)))
    assert got.document_number == "9859/STP-LLTP"
    assert got.review_reasons == [UNCONFIRMED]


def test_figures_read_alike_before_the_types_own_symbol_are_confirmed() -> None:
    # Specimens' household business numbers: "175/2017/ĐKHKD" at 59 (the Đ the close
    # call), read again "175/2017/ÐĐKHKD": the figures and year alike, the symbol the
    # type's own (the title confirms its letters).
    number = "2783/LLTP"
    got = _again(_criminal(number), {number: 75.0}, Reader(("Số:", 93.0), ("2783/LLUTP", 40.0)))
    assert got.document_number == number
    assert got.review_reasons == []


def test_figures_alike_before_another_symbol_confirm_nothing() -> None:
    number = "2783/STP"  # not a symbol the catalog lists for the type
    first = analyze(["\n".join(_criminal(number))],
                    [words_from_lines(_criminal(number), {number: 75.0})], today=TODAY)
    assert UNCONFIRMED in first.review_reasons
    second = dataclasses.replace(first, document_number=None)  # the second read "2783/STPP"
    assert not figures_read_twice(number, second, "Số: 2783/STPP")
    got = _again(_criminal(number), {number: 75.0}, Reader(("Số:", 93.0), ("2783/STPP", 40.0)))
    assert got.review_reasons == [UNCONFIRMED]
    # Nor do figures that are only a part of the second's ("12783/LLUTP").
    assert not figures_read_twice("2783/LLTP", second, "Số: 12783/LLUTP")
    assert figures_read_twice("2783/LLTP", second, "Số: 2783/LLUTP")


def test_the_second_readings_own_doubt_does_not_undo_a_read_alike_number() -> None:
    # Draw 8623 e0032: "581/IGPXD" (a slash read as I, number_format), read again
    # "581IGPXD" at 64: the figures alike and the type's symbol, as before this doubt.
    lines = _criminal("1434!ILLTP")
    got = _again(lines, {}, Reader(("Số:", 93.0), ("1434/LLTP", 64.0)))
    assert got.document_number == "1434/LLTP"
    assert got.review_reasons == []


def test_a_register_entry_read_alike_out_of_its_format_stays_held() -> None:
    # Draw 5749 e0041: both readings of the line lost the same figure.
    lines = _land("CS3391")
    got = _again(lines, {"CS3391": 52.9}, Reader(("Số", 93.0), ("vào", 93.0), ("sổ", 93.0),
                                                  ("cấp", 93.0), ("GCN:", 93.0),
                                                  ("CS3391", 90.0)))
    assert FORMAT in got.review_reasons


def test_only_the_numbers_own_line_read_again_confirms_it() -> None:
    # Draw 8623 e0003: the "Số" of an address ("Số 171 Trần Hưng Đạo…") was located for a
    # land-use certificate's register entry: read again there, the page still holds the
    # first reading of the entry, and would agree with itself.
    assert line_holds_figures("CS73068", "Số vào sổ cấp GCN: CS73068")
    assert line_holds_figures("101/TLKT-BS", "Số: 10I/TLKT-BS")
    assert not line_holds_figures("CS73068", "Số 171 Trần Hưng Đạo, xã An Hiệp, huyện Tuy An")
    printed = "Số 171 Trần Hưng Đạo, xã An Hiệp"
    lines = _land("CS73068")
    lines.insert(7, printed)
    address = Reader(*((w, 93.0) for w in printed.split(" ")))
    got = _again(lines, {"CS73068": 80.0}, address)
    assert got.review_reasons == [UNCONFIRMED]


def test_the_numbers_own_line_is_read_again_not_an_address_opening_with_so() -> None:
    # Draw 8623 e0003: a land-use certificate's entry at 80, an address "Số 171 …" among
    # the first lines: the entry's own line is the one read again, and read alike there
    # it is confirmed.
    lines = _land("CS73068")
    lines.insert(7, "Số 171 Trần Hưng Đạo, xã An Hiệp")
    entry = Reader(("Số", 93.0), ("vào", 93.0), ("sổ", 93.0), ("cấp", 93.0), ("GCN:", 93.0),
                   ("CS73068", 91.0))
    got = _again(lines, {"CS73068": 80.0}, entry)
    (asked,) = entry.asked
    register = next(w for w in words_from_lines(lines) if w.text == "CS73068")
    assert asked.box[1] == register.bbox[1]
    assert got.review_reasons == []


def test_the_number_shown_again_on_its_line_confirms_it_though_its_label_was_misread(
) -> None:
    # Dev e0015: "Mã số hộ kinh doanh: 38H67074562" at 88, read again "Mã số hệ kinh
    # doanh: 38H67074562" at 90: the label misread, the code alike.
    first = analyze(["\n".join(_criminal("9855/STP-LLTP"))],
                    [words_from_lines(_criminal("9855/STP-LLTP"), {"9855/STP-LLTP": 88.0})],
                    today=TODAY)
    second = dataclasses.replace(first, document_number=None)
    assert figures_read_twice("38H67074562", second, "Mã số hệ kinh doanh: 38H67074562 ˆ")
    assert not figures_read_twice("38H67074562", second, "Mã số hệ kinh doanh: 38H670745621")
    assert not figures_read_twice("8H67074562", second, "Mã số hệ kinh doanh: 38H67074562")
