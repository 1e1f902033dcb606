"""Records sent to review for values that were read right, or for values the page holds
in a form the reading missed (issue 14, review share): each confirmation or recovery is
checked by what the value's field allows, never guessed."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from extract import analyze
from extract.analyze import Extraction
from extract.places import match_issuer
from tests.support.extract import analyze_lines as read
from tests.support.extract import words_from_lines

TODAY = date(2026, 1, 1)


# A marital status certificate of a numbered ward of Hồ Chí Minh City.
NUMBERED_WARD = [
    "UBND QUẬN GÒ VẤP",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "UBND PHƯỜNG 8",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 673",
    "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "Họ, chữ đệm, tên: NGUYỄN THÀNH CƯỜNG",
    "Ngày sinh: 02/07/1984",
    "Giới tính: Nam",
    "Giấy tờ tùy thân: Căn cước công dân số 084084836633",
    "Nơi cư trú: Số 109 Phan Đình Phùng, phường 8, quận Gò Vấp, thành phố Hồ Chí Minh",
    "Tình trạng hôn nhân: Hiện tại chưa đăng ký kết hôn với ai.",
    "Giấy này có giá trị sử dụng trong thời hạn 6 tháng, kể từ ngày cấp.",
    "Phường 8, ngày 19 tháng 01 năm 2022",
    "CHỦ TỊCH",
    "Trần Tuấn Hùng",
]


def test_the_dateline_of_a_numbered_ward_dates_the_paper() -> None:
    got = read(NUMBERED_WARD)
    assert got.issued_on == "2022-01-19"
    assert got.review_reasons == []
    district = read([ln.replace("Phường 8, ngày", "Quận 11, ngày") for ln in NUMBERED_WARD])
    assert district.issued_on == "2022-01-19"


def test_a_dated_reference_with_a_number_is_still_no_dateline() -> None:
    lines = [
        ln.replace("Phường 8, ngày 19", "Quyết định số 12, ngày 19") for ln in NUMBERED_WARD
    ]
    got = read(lines)
    assert got.issued_on is None
    assert "missing:issued_on" in got.review_reasons


def test_a_city_above_its_district_is_the_parent_not_the_issuer() -> None:
    # "THÀNH PHỐ" may name a province or a district; "HUYỆN" only a district: the block's
    # own unit is the huyện, the thành phố its province.
    match = match_issuer("UBND THÀNH PHỐ HÀ NỘI UBND HUYỆN SÓC SƠN", "2018-03-26")
    assert match.official == "Ủy ban nhân dân huyện Sóc Sơn, thành phố Hà Nội"
    town = match_issuer("UBND TỈNH ĐỒNG NAI UBND THÀNH PHỐ BIÊN HÒA", "2018-03-26")
    assert town.official == "Ủy ban nhân dân thành phố Biên Hòa, tỉnh Đồng Nai"


def test_a_committee_interleaved_with_its_unit_line_is_read_when_the_page_names_the_unit() -> None:
    # Tesseract read "ỦY BAN NHÂN DÂN / HUYỆN HÀ TRUNG" as one line, the words interleaved.
    page = ["Địa chỉ: Số 209 Võ Thị Sáu, xã Hà Sơn, huyện Hà Trung, tỉnh Thanh Hóa"]
    match = match_issuer("HUYỆN ỦY BAN HÀ NHÂN DÂN TRUNG", "2020-03-26", page)
    assert match.official == "Ủy ban nhân dân huyện Hà Trung, tỉnh Thanh Hóa"
    assert match.lenient and match.confirmed
    # Named nowhere else on the page: a proposal for an officer, never a reading.
    alone = match_issuer("ỦY BAN NHÂN HUYỆN DÂN TU MƠ RÔNG", "2020-01-04", [])
    assert alone.official == "Ủy ban nhân dân huyện Tu Mơ Rông, tỉnh Kon Tum"
    assert alone.lenient and not alone.confirmed


def test_interleaved_committee_pages_are_ready_only_when_confirmed() -> None:
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "HUYỆN ỦY BAN HÀ NHÂN DÂN",
        "Độc lập - Tự do - Hạnh phúc",
        "TRUNG",
        "GIẤY PHÉP XÂY DỰNG",
        "Số: 1618/GPXD",
        "1. Cấp cho: Ông HUỲNH HOÀNG DŨNG",
        "Địa chỉ: Số 209 Võ Thị Sáu, xã Hà Sơn, huyện Hà Trung, tỉnh Thanh Hóa",
        "Số CCCD: 092060599463",
        "Thanh Hóa, ngày 26 tháng 3 năm 2020",
        "CHỦ TỊCH",
        "Châu Ngọc Huy",
    ]
    got = read(lines)
    assert got.issuer == "Ủy ban nhân dân huyện Hà Trung, tỉnh Thanh Hóa"
    assert got.review_reasons == []
    elsewhere = [ln.replace("huyện Hà Trung, tỉnh", "huyện Nga Sơn, tỉnh") for ln in lines]
    assert read(elsewhere).review_reasons == ["issuer_inferred:issuer"]


# A marital status certificate of 2026 whose header block is garbled; the committee names
# itself in the body ("… xác nhận:") and signs "TM. ỦY BAN NHÂN DÂN".
GARBLED_HEADER = [
    "TỈNH VĨNHLONG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "UBND PHƯỜNG TRÀ VfNR",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 654",
    "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "Ủy ban nhân dân phường Trà Vinh, tỉnh Vĩnh Long xác nhận:",
    "Họ, chữ đệm, tên: NGUYỄN ĐÌNH QUÂN",
    "Ngày, tháng, năm sinh: 29/11/1971",
    "Giấy tờ tùy thân: Căn cước công dân số 019071932467",
    "Nơi cư trú: Thôn 9, phường Trà Vinh, tỉnh Vĩnh Long",
    "Giấy này có giá trị sử dụng trong thời hạn 6 tháng, kể từ ngày cấp.",
    "Vĩnh Long, ngày 14 tháng 6 năm 2026",
    "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH",
    "Hoàng Ngọc Tùng",
]


def test_the_committee_stating_in_the_body_confirms_the_signature_proposal() -> None:
    got = analyze(
        ["\n".join(GARBLED_HEADER)], [words_from_lines(GARBLED_HEADER)], today=date(2026, 7, 1)
    )
    assert got.issuer == "Ủy ban nhân dân phường Trà Vinh, tỉnh Vĩnh Long"
    assert got.review_reasons == []


def test_a_body_committee_naming_another_unit_leaves_the_proposal_to_review() -> None:
    lines = [
        ln.replace("phường Trà Vinh, tỉnh Vĩnh Long xác", "phường Long Châu, tỉnh Vĩnh Long xác")
        for ln in GARBLED_HEADER
    ]
    got = analyze(["\n".join(lines)], [words_from_lines(lines)], today=date(2026, 7, 1))
    assert got.review_reasons == ["issuer_inferred:issuer"]


def test_a_reorganised_ward_is_named_on_the_page_by_its_province() -> None:
    # Since July 2025 wards have no district: "phường X, tỉnh Y" names one.
    page = ["Nơi cư trú: Thôn 9, phường Trà Vinh, tỉnh Vĩnh Long"]
    match = match_issuer("LÝ BAN NHÂN DÂN PHƯỜNG TRÀ VINH", "2026-06-14", page)
    assert match.official == "Ủy ban nhân dân phường Trà Vinh, tỉnh Vĩnh Long"
    assert match.lenient and match.confirmed


def test_a_number_after_a_misread_so_is_read_when_it_has_a_number_shape() -> None:
    lines = [ln.replace("Số: 673", "Sâ: 673") for ln in NUMBERED_WARD]
    got = read(lines)
    assert got.document_number == "673"
    assert got.review_reasons == []
    # A look-alike digit in it ("G" for 6): nothing repaired, the number stays missing.
    garbled = read([ln.replace("Số: 673", "Sẽ: 38E882832G0") for ln in NUMBERED_WARD])
    assert garbled.document_number is None
    assert "missing:document_number" in garbled.review_reasons


BUSINESS = [
    "TỈNH NGHỆ AN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "UBND XÃ MỸ LÝ",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 40E79106093",
    "GIẤY CHỨNG NHẬN",
    "ĐĂNG KÝ HỘ KINH DOANH",
    "Mã số hộ kinh doanh: 40E79106093",
    "Đăng ký lần đầu: ngày 26 tháng 9 năm 2025",
    "1. Tên hộ kinh doanh: HỘ KINH DOANH TẠP HÓA MỸ LÝ",
    "2. Địa điểm kinh doanh: Số 4 Quang Trung, xã Mỹ Lý, tỉnh Nghệ An",
    "5. Chủ hộ kinh doanh:",
    "Họ và tên: NGUYỄN VĂN NAM",
    "Giới tính: Nam",
    "Sinh ngày: 12/05/1971",
    "Số CCCD: 040071350003",
    "Nghệ An, ngày 26 tháng 9 năm 2025",
    "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH",
    "Lê Văn Hải",
]


def _weak_header_number(lines: list[str]) -> Extraction:
    words = words_from_lines(lines)
    header = next(i for i, w in enumerate(words) if w.text == "Số:") + 1
    words[header] = dataclasses.replace(words[header], confidence=54.6)
    return analyze(["\n".join(lines)], [words], today=TODAY)


def test_a_weak_header_number_read_alike_in_the_body_is_confirmed() -> None:
    got = _weak_header_number(BUSINESS)
    assert got.document_number == "40E79106093"
    assert got.review_reasons == []


def test_a_weak_header_number_alone_still_goes_to_review() -> None:
    lines = [ln for ln in BUSINESS if not ln.startswith("Mã số")]
    assert "low_confidence:document_number" in _weak_header_number(lines).review_reasons
    other = [ln.replace("doanh: 40E79106093", "doanh: 40E79106098") for ln in BUSINESS]
    assert "number_mismatch:document_number" in _weak_header_number(other).review_reasons


def test_the_motto_read_into_the_issuer_block_is_left_out_when_the_page_names_the_unit() -> None:
    # The motto's column read line by line into the block's ("CHỦ NGHĨA VIỆT" / "UBND TỈNH
    # KIÊN GIANG" / "NAM" / "UBND HUYỆN GÒ QUAO"): out of order, so trusted only as far as
    # the page names the unit elsewhere, as an untangled committee.
    page = ["Địa chỉ: Tổ 34, xã Vĩnh Thắng, huyện Gò Quao, tỉnh Kiên Giang"]
    block = "CHỦ NGHĨA VIỆT UBND TỈNH KIÊN GIANG NAM UBND HUYỆN GÒ QUAO"
    match = match_issuer(block, "2023-11-29", page)
    assert match.official == "Ủy ban nhân dân huyện Gò Quao, tỉnh Kiên Giang"
    assert match.lenient and match.confirmed
    alone = match_issuer(block, "2023-11-29", [])
    assert alone.official == match.official and alone.lenient and not alone.confirmed
    # The motto's first words too, right before its "CHỦ NGHĨA".
    torn = match_issuer(
        "ÒA XÃ HỘI CHỦ NGHĨA ỦY BAN NHÂN DÂN VIỆT NAM XÃ LẠC DƯƠNG",
        "2025-10-08",
        ["Địa chỉ: Số 10 Hùng Vương, xã Lạc Dương, tỉnh Lâm Đồng"],
    )
    assert torn.official == "Ủy ban nhân dân xã Lạc Dương, tỉnh Lâm Đồng" and torn.confirmed


def test_a_permit_whose_issuer_block_holds_the_motto_is_ready_only_when_confirmed() -> None:
    lines = [
        "CHỦ NGHĨA VIỆT",
        "UBND TỈNH KIÊN GIANG",
        "NAM",
        "UBND HUYỆN GÒ QUAO",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 270/GPXD",
        "GIẤY PHÉP XÂY DỰNG",
        "1. Cấp cho: Ông ĐẶNG HỮU ƯỚC",
        "Địa chỉ: Tổ 34, xã Vĩnh Thắng, huyện Gò Quao, tỉnh Kiên Giang",
        "Số CCCD: 058084498006",
        "Kiên Giang, ngày 29 tháng 11 năm 2023",
        "CHỦ TỊCH",
        "Hải Hiền",
    ]
    got = read(lines)
    assert got.issuer == "Ủy ban nhân dân huyện Gò Quao, tỉnh Kiên Giang"
    assert got.review_reasons == []
    # Since review pass 12 the motto's pieces ("CHỦ NGHĨA VIỆT", and "NAM" after them) are
    # left out of the block, which then reads in order and matches strictly, as a clean
    # header does: an owner's address in another district says nothing against it.
    elsewhere = [ln.replace("huyện Gò Quao, tỉnh", "huyện Giồng Riềng, tỉnh") for ln in lines]
    assert read(elsewhere).issuer == "Ủy ban nhân dân huyện Gò Quao, tỉnh Kiên Giang"
    assert read(elsewhere).review_reasons == []


def test_units_whose_dataset_type_disagrees_with_their_name_are_matched_by_the_name() -> None:
    # The dataset types "Phường Tân Lộc" (Cần Thơ, 2025) and "Thị trấn Ngọc Lặc" as "Xã":
    # the official name's own type word is the unit's type.
    ward = match_issuer(
        "ỦY BAN NHÂN DÂN PHƯỜNG TÂN LỘC",
        "2026-09-02",
        ["Địa chỉ: Số 298 Võ Thị Sáu, phường Tân Lộc, thành phố Cần Thơ"],
    )
    assert ward.official == "Ủy ban nhân dân phường Tân Lộc, thành phố Cần Thơ"
    assert ward.unit is not None and ward.unit.code == "31213" and not ward.lenient
    town = match_issuer("UBND HUYỆN NGỌC LẶC UBND THỊ TRẤN NGỌC LẶC", "2020-03-02")
    assert town.official == "Ủy ban nhân dân thị trấn Ngọc Lặc, huyện Ngọc Lặc, tỉnh Thanh Hóa"


# A household business paper whose header block tesseract tore and interleaved ("ỦY / DÂN /
# NAM SÁCH / BAN NHÂN / PHÒNG / CHÍNH - KẾ HOẠCH"): no unit matches it, and the signature
# ("TRƯỞNG PHÒNG") with the business address proposes the finance office of huyện Nam Sách.
TORN_BUSINESS_HEADER = [
    "ỦY",
    "DÂN",
    "NAM SÁCH",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "BAN NHÂN",
    "PHÒNG",
    "CHÍNH - KẾ HOẠCH",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 30H66658270",
    "GIẤY CHỨNG NHẬN",
    "ĐĂNG KÝ HỘ KINH DOANH",
    "Mã số hộ kinh doanh: 30H66658270",
    "Đăng ký lần đầu: ngày 16 tháng 3 năm 2013",
    "1. Tên hộ kinh doanh: HỘ KINH DOANH ĐIỆN THOẠI AN KHANG",
    "2. Địa điểm kinh doanh: Tổ 35, xã Thái Tân, huyện Nam Sách, tỉnh Hải Dương",
    "5. Chủ hộ kinh doanh:",
    "Họ và tên: NGUYỄN VĂN DŨNG",
    "Giới tính: Nam",
    "Sinh ngày: 03/10/1958",
    "Số CCCD: 075058510118",
    "Hải Dương, ngày 16 tháng 3 năm 2013",
    "TRƯỞNG PHÒNG",
    "Phạm Thị Chỉ",
]


def test_a_torn_header_that_still_prints_the_proposed_units_name_confirms_it() -> None:
    got = read(TORN_BUSINESS_HEADER)
    assert got.issuer == "Phòng Tài chính - Kế hoạch huyện Nam Sách, tỉnh Hải Dương"
    assert got.fields["issuer_from"] == "header_name"
    assert got.review_reasons == []
    # The name after another level's type word ("THỊ TRẤN NAM SÁCH"), or not printed at
    # all: the signature's proposal stays a proposal.
    town = [ln.replace("NAM SÁCH", "THỊ TRẤN NAM SÁCH") for ln in TORN_BUSINESS_HEADER]
    assert read(town).review_reasons == ["issuer_inferred:issuer"]
    lost = [ln.replace("NAM SÁCH", "N4M 5ÁCH") for ln in TORN_BUSINESS_HEADER]
    assert read(lost).review_reasons == ["issuer_inferred:issuer"]


# A birth certificate whose header lost "ỦY BAN NHÂN DÂN": its block names no agency, and
# the place of registration that names the committee wraps the province's name.
WRAPPED_REGISTRATION = [
    "THỊ TRẤN YÊN LẠC",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 234/KS",
    "GIẤY KHAI SINH",
    "Họ, chữ đệm, tên: HUỲNH ÁNH XUÂN",
    "Ngày, tháng, năm sinh: 29/12/2021",
    "Giới tính: Nữ",
    "Số định danh cá nhân: 026321222547",
    "Họ, chữ đệm, tên người mẹ: NGUYỄN THỊ LINH",
    "Nơi đăng ký khai sinh: Ủy ban nhân dân thị trấn Yên Lạc, huyện Yên Lạc, tỉnh Vĩnh",
    "Phúc",
    "Ngày, tháng, năm đăng ký: 20/02/2022",
]


def test_a_place_wrapped_inside_a_units_name_is_read_whole() -> None:
    got = read(WRAPPED_REGISTRATION)
    place = "Ủy ban nhân dân thị trấn Yên Lạc, huyện Yên Lạc, tỉnh Vĩnh Phúc"
    assert got.fields["registration_place"] == place
    assert got.issuer == "Ủy ban nhân dân thị trấn Yên Lạc, huyện Yên Lạc, tỉnh Vĩnh Phúc"
    assert got.review_reasons == []
    # A whole place is not continued by the next line, nor a place by a line in capitals
    # or one holding a figure or a label.
    whole = [ln.replace("tỉnh Vĩnh", "tỉnh Vĩnh Phúc") for ln in WRAPPED_REGISTRATION]
    whole[whole.index("Phúc")] = "Ghi chú"
    assert read(whole).fields["registration_place"] == place
    for line in ("PHÚC", "Phúc 2", "Phúc: x"):
        cut = [line if ln == "Phúc" else ln for ln in WRAPPED_REGISTRATION]
        assert read(cut).fields["registration_place"] == place[: -len(" Phúc")]
    # Cut after the type word itself ("…, tỉnh" / "Vĩnh Phúc").
    bare = [ln.replace("tỉnh Vĩnh", "tỉnh") for ln in WRAPPED_REGISTRATION]
    bare[bare.index("Phúc")] = "Vĩnh Phúc"
    assert read(bare).fields["registration_place"] == place


def test_an_id_label_read_with_one_letter_slipped_still_labels_the_id() -> None:
    lines = [
        "ỦY BAN NHÂN DÂN HUYỆN GÒ QUAO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 270/GPXD",
        "GIẤY PHÉP XÂY DỰNG",
        "1. Cấp cho: Ông ĐẶNG HỮU ƯỚC",
        "Địa chỉ: Tổ 34, xã Vĩnh Thắng, huyện Gò Quao, tỉnh Kiên Giang",
        "Số CGCD: 058084498006",
        "Gò Quao, ngày 29 tháng 11 năm 2023",
        "CHỦ TỊCH",
    ]
    assert [s.id_number for s in read(lines).subjects] == ["058084498006"]
    inserted = [ln.replace("CGCD", "CCCĐD") for ln in lines]
    assert [s.id_number for s in read(inserted).subjects] == ["058084498006"]
    # Two slips, or no colon and figure after it, is no label.
    for label in ("Số CGGD: ", "Số CGCD "):
        other = [label + "058084498006" if ln.startswith("Số CGCD") else ln for ln in lines]
        assert [s.id_number for s in read(other).subjects] == [None]


def test_a_family_name_restored_as_another_name_on_the_page_prints_it_is_no_guess() -> None:
    # The father's "HƯỲNH" restored to Huỳnh, the one mark changed; the child's name prints
    # "HUỲNH" read clearly: the page's own spelling of the word.
    lines = [
        *WRAPPED_REGISTRATION[:9],
        "Họ và tên cha: HƯỲNH TRỌNG TIẾN",
        "Nơi đăng ký khai sinh: Ủy ban nhân dân thị trấn Yên Lạc, huyện Yên Lạc, tỉnh Vĩnh Phúc",
        "Ngày, tháng, năm đăng ký: 20/02/2022",
    ]
    got = read(lines)
    assert got.fields["father_name"] == "Huỳnh Trọng Tiến"
    assert got.review_reasons == []
    # No other name prints the family name: a mark read as another tone ("HUÝNH", itself
    # a syllable) stays a guess for an officer. ("HƯỲNH" alone is none since review pass
    # 11: no syllable has ưy, and the grave accent read is Huỳnh's.)
    alone = [ln.replace("HUỲNH ÁNH XUÂN", "TRẦN ÁNH XUÂN").replace("HƯỲNH", "HUÝNH")
             for ln in lines]
    assert read(alone).review_reasons == ["name_guessed:fields.father_name"]


def test_a_line_of_figures_opening_with_50_is_not_the_number_line() -> None:
    # "509", a plot's number under its label, read as "Số" in look-alike digits ("50") and
    # the number "9": a wrong number marked ready. Two digits for "Số" need the colon.
    lines = [
        "UBND TỈNH THÁI NGUYÊN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
        "GIẤY CHỨNG NHẬN",
        "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
        "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
        "CX 700732",
        "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
        "Bà: NGÔ MỸ TUYẾT, năm sinh: 1952, Số CCCD: 026152789575",
        "1. Thửa đất:",
        "a) Thửa đất số:",
        "509",
        "c) Địa chỉ: Tổ 16, xã Chợ Mới, tỉnh Thái Nguyên",
        "Số vào sổ cấp GCN: CS64617",
        "Thái Nguyên, ngày 07 tháng 4 năm 2026",
        "GIÁM ĐỐC",
    ]
    assert read(lines).document_number == "CS64617"
    # "50:" before the figures is still the number line.
    header = ["UBND TỈNH THÁI NGUYÊN", "SỞ TƯ PHÁP", "50: 258/LLTP", "PHIẾU LÝ LỊCH TƯ PHÁP"]
    assert read(header).document_number == "258/LLTP"


# Draw 7877's e0023: the motto read in pieces between the header block's lines, one at 0
# ("ONHA VIỆT NAM"); the committee names itself in the body, read clearly.
MOTTO_IN_PIECES = [
    "UBND HUYỆN BÌNH LỤC",
    "CỘNG HÒA Độc )",
    "ONHA VIỆT NAM",
    "HỘI CHỦ NG",
    "UBND XÃ ĐỒNG DU",
    "lập - Tự do - Hạnh phúc",
    "Số: 346/UBND-TP",
    "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "Xét đề nghị của bà LÊ BẢO KHUÊ về việc cấp Giấy xác nhận tình trạng hôn nhân",
    "cho người có tên dưới đây,",
    "Ủy ban nhân dân xã Đồng Du, huyện Bình Lục, tỉnh Hà Nam xác nhận:",
    "Họ, chữ đệm, tên: LÊ BẢO KHUÊ",
    "Ngày sinh: 02/06/1978",
    "Giới tính: Nữ",
    "Giấy tờ tùy thân: Căn cước công dân số 030178055055",
    "Nơi cư trú: Số 79 Lý Thường Kiệt, xã Đồng Du, huyện Bình Lục, tỉnh Hà Nam",
    "Giấy này có giá trị sử dụng trong thời hạn 6 tháng, kể từ ngày cấp.",
    "Đồng Du, ngày 9 tháng 2 năm 2025",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "Nguyễn Thị Diệp",
]
# Since review pass 12 the motto's end "ONHA VIỆT NAM" is left out of the block
# (``fields._motto_piece``); the weak word kept in it is "NG" of "HỘI CHỦ NG" (the motto's
# "NGHĨA" torn, two of its words only: kept), read under the issuer's threshold.
MOTTO_WEAK = {"ONHA": 0.0, "CỘNG": 58.0, "NG": 20.0, "Độc": 58.0, ")": 58.0}


def test_a_weakly_read_issuer_the_committee_names_in_the_body_is_confirmed() -> None:
    got = analyze(["\n".join(MOTTO_IN_PIECES)], [words_from_lines(MOTTO_IN_PIECES, MOTTO_WEAK)],
                  today=date(2026, 7, 1))
    assert got.issuer == "Ủy ban nhân dân xã Đồng Du, huyện Bình Lục, tỉnh Hà Nam"
    assert got.review_reasons == []


@pytest.mark.parametrize("body", [
    "Ủy ban nhân dân xã Bồ Đề, huyện Bình Lục, tỉnh Hà Nam xác nhận:",  # another unit
    None,  # no such line: the dateline's place alone does not lift the doubt
])
def test_a_weakly_read_issuer_stays_doubted_unless_the_body_names_it(body: str | None) -> None:
    at = next(i for i, line in enumerate(MOTTO_IN_PIECES) if "xác nhận:" in line)
    lines = [*MOTTO_IN_PIECES[:at], *([body] if body else []), *MOTTO_IN_PIECES[at + 1 :]]
    got = analyze(["\n".join(lines)], [words_from_lines(lines, MOTTO_WEAK)], today=date(2026, 7, 1))
    assert "low_confidence:issuer" in got.review_reasons
