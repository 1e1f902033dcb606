"""Header values the page holds that the OCR returned damaged (issue 14, review share on
hard pages): marks read before a header line, the number wrapped under a lone "Số:", one
number read twice with different damage. Each recovery is held to what the field allows
and to a second reading where the value's shape alone could not tell."""

from __future__ import annotations

import dataclasses
from datetime import date

from extract import analyze
from extract.analyze import Extraction
from tests.support.extract import analyze_lines as read
from tests.support.extract import words_from_lines

TODAY = date(2026, 1, 1)


DEATH = [
    "TỈNH BÌNH PHƯỚC",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "HUYỆN BÙ ĐĂNG",
    "Độc lập - Tự do - Hạnh phúc",
    "UBND XÃ NGHĨA BÌNH",
    "Số: 177/TLKT",
    "TRÍCH LỤC KHAI TỬ",
    "Họ, chữ đệm, tên người chết: PHAN NGỌC THUẬN",
    "Ngày, tháng, năm sinh: 06/04/1953",
    "Giới tính: Nam",
    "Giấy tờ tùy thân: Chứng minh nhân dân số 394492976",
    "Nơi cư trú cuối cùng: Tổ 10, xã Nghĩa Bình, huyện Bù Đăng, tỉnh Bình Phước",
    "Đã chết vào lúc: 04 giờ 48 phút, ngày 19/12/2019",
    "Họ, chữ đệm, tên người đi khai tử: PHAN TUẤN VINH",
    "Giấy tờ tùy thân: Chứng minh nhân dân số 170513606",
    "Ngày, tháng, năm đăng ký: 20/12/2019",
    "Nghĩa Bình, ngày 20 tháng 12 năm 2019",
    "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH",
    "Hoàng Trọng Vũ",
]
DEATH_ISSUER = "Ủy ban nhân dân xã Nghĩa Bình, huyện Bù Đăng, tỉnh Bình Phước"


def test_the_agency_block_reads_past_marks_before_its_lines() -> None:
    assert read(DEATH).issuer == DEATH_ISSUER
    # A speck read as "." or ":" before two of the block's lines, one of them at 0.
    specked = [
        ". HUYỆN BÙ ĐĂNG" if ln == "HUYỆN BÙ ĐĂNG" else ": UBND XÃ NGHĨA BÌNH."
        if ln == "UBND XÃ NGHĨA BÌNH" else ln
        for ln in DEATH
    ]
    got = read(specked, {":": 0.0})
    assert got.issuer == DEATH_ISSUER
    assert got.fields["issuer_printed"] == "TỈNH BÌNH PHƯỚC HUYỆN BÙ ĐĂNG UBND XÃ NGHĨA BÌNH"
    assert got.review_reasons == []


def test_a_line_of_words_after_a_mark_is_still_no_agency() -> None:
    # The mark is skipped, not the rule that agency words are capitals.
    lines = [". Huyện Bù Đăng" if ln == "HUYỆN BÙ ĐĂNG" else ln for ln in DEATH]
    assert read(lines).fields["issuer_printed"] == "TỈNH BÌNH PHƯỚC UBND XÃ NGHĨA BÌNH"


BUSINESS = [
    "ỦY BAN NHÂN DÂN THÀNH PHỐ QUY NHƠN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
    "Độc lập - Tự do - Hạnh phúc",
    "Số:",
    "52H65596148",
    "GIẤY CHỨNG NHẬN",
    "ĐĂNG KÝ HỘ KINH DOANH",
    "Mã số hộ kinh doanh: 52H65596148",
    "Đăng ký lần đầu: ngày 05 tháng 8 năm 2006",
    "1. Tên hộ kinh doanh: HỘ KINH DOANH VĂN PHÒNG PHẨM PHÚC LỘC",
    "2. Địa điểm kinh doanh: Số 71 Điện Biên Phủ, xã Nhơn Lý, thành phố Quy Nhơn, tỉnh Bình Định",
    "5. Chủ hộ kinh doanh:",
    "Họ và tên: NGUYỄN THỊ HÀ",
    "Giới tính: Nữ",
    "Sinh ngày: 25/01/1956",
    "Số CMND: 243796032",
    "KT. TRƯỞNG PHÒNG",
    "PHÓ TRƯỞNG PHÒNG",
    "Tạ Hoàng Sơn",
]


def test_the_number_wrapped_under_a_lone_so_is_not_read_into_the_agency() -> None:
    got = read(BUSINESS)
    assert got.document_number == "52H65596148"
    printed = "ỦY BAN NHÂN DÂN THÀNH PHỐ QUY NHƠN PHÒNG TÀI CHÍNH - KẾ HOẠCH"
    assert got.fields["issuer_printed"] == printed
    assert got.issuer == "Phòng Tài chính - Kế hoạch thành phố Quy Nhơn, tỉnh Bình Định"
    assert got.review_reasons == []


MARITAL = [
    "UỶ BAN NHÂN DÂN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "XÃ SÔNG HINH",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 273/XNTTHN",
    "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "Xét đề nghị của bà ĐINH THỦ ANH về việc cấp Giấy xác nhận tình trạng",
    "hôn nhân cho người có tên dưới đây,",
    "XÁC NHẬN:",
    "Họ, chữ đệm, tên: ĐINH THỦ ANH",
    "Ngày sinh: 19/06/1993",
    "Giới tính: Nữ",
    "Giấy tờ tùy thân: Căn cước công dân số 034193118053",
    "Nơi cư trú: Số 174 Lê Duẩn, xã Sông Hinh, tỉnh Đắk Lắk",
    "Giấy này có giá trị sử dụng trong thời hạn 6 tháng, kể từ ngày cấp.",
    "Sông Hinh, ngày 16 tháng 01 năm 2026",
    "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH",
    "Lê Quỳnh Dung",
]


def _twice(name_word: str, confidences: tuple[float, float]) -> Extraction:
    lines = [ln.replace("THỦ", name_word) for ln in MARITAL]
    words = words_from_lines(lines)
    at = [i for i, w in enumerate(words) if w.text == name_word]
    assert len(at) == 2
    for i, confidence in zip(at, confidences, strict=True):
        words[i] = dataclasses.replace(words[i], confidence=confidence)
    return analyze(["\n".join(lines)], [words], today=date(2026, 2, 1))


def test_a_rare_spelling_read_alike_twice_but_weakly_both_times_is_not_trusted() -> None:
    # "THU" read "THỦ" in both mentions (41 and 65): one engine's slip, made twice.
    got = _twice("THỦ", (41.0, 65.0))
    assert got.subjects[0].name == "Đinh Thủ Anh"
    assert "name_unconfirmed:subjects[0].name" in got.review_reasons
    assert got.doubts.name_readings["subjects[0].name"][1:] == ["Đinh Thu Anh", "Đinh Thư Anh"]


def test_a_rare_spelling_read_clearly_once_or_a_usual_one_read_twice_is_trusted() -> None:
    assert _twice("THỦ", (41.0, 93.0)).review_reasons == []
    # "Thu" is a usual name: two agreeing readings of it stay enough, however weak.
    assert _twice("THU", (41.0, 65.0)).review_reasons == []


BUSINESS_CODE = [
    "THÀNH PHỐ HỒ CHÍ MINH",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "UBND PHƯỜNG HIỆP BÌNH",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 79E33981411",
    "GIẤY CHỨNG NHẬN",
    "ĐĂNG KÝ HỘ KINH DOANH",
    "Mã số hộ kinh doanh: 79E33981411",
    "Đăng ký lần đầu: ngày 12 tháng 7 năm 2025",
    "1. Tên hộ kinh doanh: HỘ KINH DOANH THỜI TRANG ĐỨC THỊNH",
    "2. Địa điểm kinh doanh: Số 221 Hai Bà Trưng, phường Hiệp Bình, thành phố Hồ Chí Minh",
    "5. Chủ hộ kinh doanh:",
    "Họ và tên: NGUYỄN MINH LAN",
    "Giới tính: Nữ",
    "Sinh ngày: 09/04/1971",
    "Số CCCD: 079171785223",
    "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH",
    "Phạm Ánh Phượng",
]


def _code_read(header: str, body: str) -> Extraction:
    return read(
        [
            ln.replace("Số: 79E33981411", f"Số: {header}").replace(
                "doanh: 79E33981411", f"doanh: {body}"
            )
            for ln in BUSINESS_CODE
        ]
    )


def test_one_number_damaged_differently_in_two_readings_is_read_whole() -> None:
    # The header's E read as ":" and last 1 as "I"; the body's 8 read as "§".
    got = _code_read("79:3398141I", "79E339§1411")
    assert got.document_number == "79E33981411"
    assert "low_confidence:document_number" not in got.review_reasons
    assert not any(r.endswith("document_number") for r in got.review_reasons)


def test_readings_that_differ_in_a_letter_or_digit_are_not_fused() -> None:
    # Two real digits differ (1 / 7): one of them is misread, neither is taken; what the
    # header gives is a piece of the number cut at the mark, for an officer.
    differ = _code_read("79:3398141I", "79E339§1471")
    assert differ.document_number == "79"
    assert "number_format:document_number" in differ.review_reasons
    # A mark in the body alone, nothing to fill it from: the number is not made up.
    alone = read([ln for ln in BUSINESS_CODE if not ln.startswith("Số:")])
    assert alone.document_number is None or "§" not in alone.document_number
    body_only = [
        ln.replace("doanh: 79E33981411", "doanh: 79E339§1411")
        for ln in BUSINESS_CODE
        if not ln.startswith("Số:")
    ]
    assert read(body_only).document_number is None
    # A slash read as a letter is no mark: "2271IGPXD" beside "2271/GPXD" is not settled.
    from extract.fields import fuse_readings

    assert fuse_readings("2271IGPXD", "2271/GPXD") is None
    assert fuse_readings("79:3398141I", "79E339§1411") == "79E33981411"


CRIMINAL = [
    "UBND TỈNH QUẢNG BÌNH",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "SỞ TƯ PHÁP",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 1434/STP",
    "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1",
    "Theo yêu cầu của: Nghiêm Đức Lộc",
    "XÁC NHẬN:",
    "1. Họ và tên: NGHIÊM ĐỨC LỘC",
    "2. Giới tính: Nam",
    "3. Ngày, tháng, năm sinh: 22/03/1979",
    "8. Số CCCD: 044079001234",
    "Án tích: Không có án tích.",
    "Quảng Bình, ngày 11 tháng 3 năm 2025",
    "GIÁM ĐỐC",
    "Nguyễn Duy Toàn",
]


def test_a_symbol_read_apart_from_its_number_is_put_back_for_review() -> None:
    assert read(CRIMINAL).document_number == "1434/STP"
    # The slash read as a space: "1434" alone would name another paper.
    got = read([ln.replace("1434/STP", "1434 STP") for ln in CRIMINAL])
    assert got.document_number == "1434/STP"
    assert "number_format:document_number" in got.review_reasons
    hyphened = read([ln.replace("1434/STP", "1434 STP-LLTP") for ln in CRIMINAL])
    assert hyphened.document_number == "1434/STP-LLTP"


def test_the_motto_read_interleaved_on_the_agency_side_is_not_the_agency() -> None:
    lines = [
        "ỦY BAN NHÂN DÂN HUYỆN TÂN HƯNG",
        "CỘNG HÒA Độc XÃ HỘI - CHỦ do - Hạnh NGHĨA phúc VIỆ",
        "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
        "lập Tự",
        *BUSINESS_CODE[4:],
    ]
    address = "thị trấn Tân Hưng, huyện Tân Hưng, tỉnh Long An"
    lines = [
        ln.replace("phường Hiệp Bình, thành phố Hồ Chí Minh", address)
        .replace("Số: 79E33981411", "Số: 80E68361090")
        .replace("doanh: 79E33981411", "doanh: 80E68361090")
        .replace("năm 2025", "năm 2018")
        for ln in lines
    ]
    got = read(lines)
    printed = "ỦY BAN NHÂN DÂN HUYỆN TÂN HƯNG PHÒNG TÀI CHÍNH - KẾ HOẠCH"
    assert got.fields["issuer_printed"] == printed
    assert got.issuer == "Phòng Tài chính - Kế hoạch huyện Tân Hưng, tỉnh Long An"
    assert got.review_reasons == []


LAND = [
    "HÒA",
    "XÃ",
    "HỘI",
    "ÚY BẠN NHÂN",
    "HUYỆN VỆ",
    "lạp_ Tự do Hạnh phúc",
    "GIẤY CHỨNG NHẬN",
    "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
    "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
    "DE 404430",
    "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
    "Ông: TRẦN QUANG HƯNG, năm sinh: 1967, Số CMND: 350926745",
    "Địa chỉ thường trú: Thôn 8, xã Đồng Thanh, huyện Vũ Thư, tỉnh Thái Bình",
    "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất",
    "1. Thửa đất:",
    "a) Thửa đất số: 397",
    "b) Tờ bản đồ số: 3",
    "c) Địa chỉ: Số 262 Chu Văn An, xã Đồng Thanh, huyện Vũ Thư, tỉnh Thái Bình",
    "2. Nhà ở: -/-",
    "Số vào sổ cấp GCN: CS05745",
    "Vũ Thư, ngày 20 tháng 6 năm 2009",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "Nguyễn Như Huệ",
]
LAND_ISSUER = "Ủy ban nhân dân huyện Vũ Thư, tỉnh Thái Bình"


def test_the_dateline_naming_the_proposed_unit_confirms_the_signature_proposal() -> None:
    got = read(LAND)
    assert got.issuer == LAND_ISSUER
    assert got.fields["issuer_from"] == "dateline"
    assert got.review_reasons == []
    # No agency read in the header at all: the same two readings are enough.
    headless = read(LAND[6:])
    assert headless.issuer == LAND_ISSUER
    assert headless.review_reasons == []


def test_a_dateline_naming_the_province_or_another_unit_confirms_nothing() -> None:
    province = read([ln.replace("Vũ Thư, ngày", "Thái Bình, ngày") for ln in LAND])
    assert province.issuer == LAND_ISSUER
    assert "issuer_inferred:issuer" in province.review_reasons
    # Another district of the province in the dateline: no unit is trusted.
    other = read([ln.replace("Vũ Thư, ngày", "Kiến Xương, ngày") for ln in LAND])
    assert other.fields.get("issuer_from") != "dateline"
    assert "issuer_unmatched:issuer" in other.review_reasons


def test_the_dateline_naming_the_unit_confirms_a_header_read_through_damage() -> None:
    # The committee's words interleaved with the district's: read leniently, and the
    # address names another district, so only the dateline can confirm the unit.
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "HUYỆN ỦY BAN HÀ NHÂN DÂN",
        "Độc lập - Tự do - Hạnh phúc",
        "TRUNG",
        "GIẤY PHÉP XÂY DỰNG",
        "Số: 1618/GPXD",
        "1. Cấp cho: Ông HUỲNH HOÀNG DŨNG",
        "Địa chỉ: Số 209 Võ Thị Sáu, xã Nga Điền, huyện Nga Sơn, tỉnh Thanh Hóa",
        "Số CCCD: 092060599463",
        "Thanh Hóa, ngày 26 tháng 3 năm 2020",
        "CHỦ TỊCH",
        "Châu Ngọc Huy",
    ]
    assert read(lines).review_reasons == ["issuer_inferred:issuer"]
    dated = read([ln.replace("Thanh Hóa, ngày", "Hà Trung, ngày") for ln in lines])
    assert dated.issuer == "Ủy ban nhân dân huyện Hà Trung, tỉnh Thanh Hóa"
    assert dated.review_reasons == []


WARD_DEATH = [
    "TỈNH THANH HÓA",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "THỊ XÃ NGHI SƠN",
    "Độc lập - Tự do - Hạnh phúc",
    "UBND PHƯỜNG XUÂN LÂM",
    "Số: 238",
    "TRÍCH LỤC KHAI TỬ",
    "Họ, chữ đệm, tên người chết: LÂM TUẤN TÙNG",
    "Ngày, tháng, năm sinh: 12/10/1958",
    "Giới tính: Nam",
    "Giấy tờ tùy thân: Căn cước công dân số 038058599259",
    "Đã chết vào lúc: 08 giờ 35 phút, ngày 05/03/2021",
    "Họ, chữ đệm, tên người đi khai tử: LÂM ÁNH HÀ",
    "Giấy tờ tùy thân: Căn cước công dân số 038300655833",
    "Ngày, tháng, năm đăng ký: 14/03/2021",
    "Xuân Lâm, ngày 14 tháng 3 năm 2021",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "Lê Đình Tiến",
]
WARD_ISSUER = "Ủy ban nhân dân phường Xuân Lâm, thị xã Nghi Sơn, tỉnh Thanh Hóa"


def test_a_capital_word_whose_first_letter_was_read_small_stays_in_the_block() -> None:
    assert read(WARD_DEATH).issuer == WARD_ISSUER
    slipped = read([ln.replace("UBND PHƯỜNG", "UBND pHƯỜNG") for ln in WARD_DEATH])
    assert slipped.issuer == WARD_ISSUER
    # A word in small letters still ends the block.
    assert (
        read([ln.replace("UBND PHƯỜNG XUÂN LÂM", "UBND phường Xuân Lâm") for ln in WARD_DEATH])
        .fields["issuer_printed"]
        == "TỈNH THANH HÓA THỊ XÃ NGHI SƠN UBND"
    )


def test_a_header_naming_another_unit_than_the_registration_place_goes_to_review() -> None:
    registered = [
        *WARD_DEATH[:14],
        "Nơi đăng ký khai tử: Ủy ban nhân dân phường Xuân Lâm, thị xã Nghi Sơn, tỉnh Thanh Hóa",
        *WARD_DEATH[14:],
    ]
    assert read(registered).review_reasons == []
    # The ward's name lost after its committee's: the block names the district alone.
    lost = read([ln.replace("UBND PHƯỜNG XUÂN LÂM", "UBND") for ln in registered])
    assert lost.issuer == "Ủy ban nhân dân thị xã Nghi Sơn, tỉnh Thanh Hóa"
    assert lost.review_reasons == ["issuer_mismatch:issuer"]
    assert lost.doubts.issuer_candidates == [lost.issuer, WARD_ISSUER]


def _number_read_at(number: str, confidence: float) -> Extraction:
    return read(
        [ln.replace("Số: 1434/STP", f"Số: {number}") for ln in CRIMINAL], {number: confidence}
    )


def test_a_symbol_of_letters_read_weakly_is_not_trusted() -> None:
    # "LLTP" read "LUTP" at 61: another symbol, as well formed as the right one.
    assert "low_confidence:document_number" in _number_read_at("2783/LUTP", 61.0).review_reasons
    # The type's own symbol at 75 is trusted for its letters; its figures, read once below
    # NUMBER_SURE, wait for the second reading of the line (``number_unconfirmed``).
    assert _number_read_at("2783/LLTP", 75.0).review_reasons == [
        "number_unconfirmed:document_number"
    ]
    assert _number_read_at("2783/LLTP", 92.0).review_reasons == []
    # Digits alone, read as weakly: the general threshold holds (no symbol to doubt; the
    # symbol's absence is a reason of its own on this type, see below).
    assert "low_confidence:document_number" not in _number_read_at("2783", 61.0).review_reasons


PERMIT = [
    "ỦY BAN NHÂN DÂN THÀNH PHỐ QUẢNG NGÃI",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY PHÉP XÂY DỰNG",
    "Số: 2593/GPXD",
    "(Sử dụng cho nhà ở riêng lẻ)",
    "1. Cấp cho: Bà NGUYỄN NHƯ HƯƠNG",
    "Địa chỉ: Số 231 Hùng Vương, xã Nghĩa Dõng, thành phố Quảng Ngãi, tỉnh Quảng Ngãi",
    "Số CMND: 100030092",
    "2. Được phép xây dựng công trình: Nhà ở riêng lẻ",
    "Quảng Ngãi, ngày 14 tháng 02 năm 2010",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "ÔNG KIM GIANG",
]


def test_the_signer_under_the_title_is_no_subject() -> None:
    got = read(PERMIT)
    assert [s.name for s in got.subjects] == ["Nguyễn Như Hương"]
    assert got.review_reasons == []


def test_an_interleaved_committee_with_a_slip_in_its_type_word_is_read_when_confirmed() -> None:
    from extract.places import match_issuer

    page = ["Địa chỉ: Thôn 9, xã Tân Long, huyện Phú Giáo, tỉnh Bình Dương"]
    match = match_issuer("ỦY HUYÊN BAN NHÂN PHÚ GIÁO DÂN", "2005-07-04", page)
    assert match.official == "Ủy ban nhân dân huyện Phú Giáo, tỉnh Bình Dương"
    assert match.lenient and match.confirmed
    alone = match_issuer("ỦY HUYÊN BAN NHÂN PHÚ GIÁO DÂN", "2005-07-04", [])
    assert alone.lenient and not alone.confirmed


def _dated(*replacement: str) -> Extraction:
    at = MARITAL.index("Sông Hinh, ngày 16 tháng 01 năm 2026")
    lines = [*MARITAL[:at], *replacement, *MARITAL[at + 1 :]]
    return analyze(["\n".join(lines)], [words_from_lines(lines)], today=date(2026, 2, 1))


def test_a_dateline_torn_from_its_place_still_dates_the_paper() -> None:
    for torn in (("Sông", "16 tháng 01 năm 2026"), ("Sông Hinh †", "ày 16 tháng 01 năm 2026")):
        got = _dated(*torn)
        assert got.issued_on == "2026-01-16"
        assert "missing:issued_on" not in got.review_reasons


def test_a_body_date_wrapped_onto_its_own_line_is_no_dateline() -> None:
    got = _dated("Trong thời gian cư trú tại xã Sông Hinh từ ngày 25/12/2018 đến",
                 "ngày 16 tháng 01 năm 2026")
    assert got.issued_on is None
    assert "missing:issued_on" in got.review_reasons


MARRIAGE = [
    "ỦY BAN NHÂN DÂN XÃ MẬU A",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 50",
    "GIẤY CHỨNG NHẬN KẾT HÔN",
    "Họ, chữ đệm, tên chồng: PHAN THẾ TÙNG",
    "Ngày, tháng, năm sinh: 21/05/2003",
    "Giấy tờ tùy thân: Căn cước công dân số 046203630069",
    "Họ, chữ đệm, tên vợ: NGUYỄN THANH QUYÊN",
    "Ngày, tháng, năm sinh: 14/09/1993",
    "Giấy tờ tùy thân: Căn cước công dân số 044193630069",
    "Nơi đăng ký: Ủy ban nhân dân xã Mậu A, tỉnh Lào Cai",
    "Ngày, tháng, năm đăng ký: 12/03/2025",
    "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH",
    "Lê Văn Hùng",
]


def test_a_spouse_label_whose_colon_was_lost_still_names_the_spouse() -> None:
    got = read([ln.replace("tên vợ:", "tên vợ") for ln in MARRIAGE])
    assert [s.name for s in got.subjects] == ["Phan Thế Tùng", "Nguyễn Thanh Quyên"]
    assert "missing:subjects" not in got.review_reasons
    # A column head "Vợ" followed by words is no name label.
    table = read([ln.replace("Họ, chữ đệm, tên vợ: NGUYỄN", "Vợ NGUYỄN") for ln in MARRIAGE])
    assert "Nguyễn Thanh Quyên" not in [s.name for s in table.subjects]


def test_a_piece_of_the_title_read_above_it_is_not_the_agency() -> None:
    lines = [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "HUYỆN VŨ THƯ",
        "Độc lập - Tự do - Hạnh phúc",
        "QUYỀN SỬ",
        "GIẤY CHỨNG NHẬN",
        "DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
        "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
        *LAND[10:],
    ]
    words = words_from_lines(lines)
    # Tesseract read the title's first line after a piece of its second ("QUYỀN SỬ"),
    # though it stands above it: printed higher than the line the title was found at.
    words = [
        dataclasses.replace(w, bbox=(w.bbox[0], w.bbox[1] - 70, w.bbox[2], w.bbox[3] - 70))
        if w.line[0] == 6
        else w
        for w in words
    ]
    got = analyze(["\n".join(lines)], [words], today=TODAY)
    assert got.fields["issuer_printed"] == "ỦY BAN NHÂN DÂN HUYỆN VŨ THƯ"
    assert got.issuer == LAND_ISSUER
    assert got.review_reasons == []


def test_a_label_whose_space_after_a_comma_was_lost_is_still_the_label() -> None:
    lines = [ln.replace("Họ, chữ đệm, tên vợ: NGUYỄN", "Họ, chữ đệm,tên NGUYỄN") for ln in MARRIAGE]
    got = read(lines)
    assert got.subjects[1].name == "Nguyễn Thanh Quyên"


def test_two_names_run_together_are_no_name() -> None:
    lines = [
        ln.replace("NGUYỄN THANH QUYÊN", "NGUYỄN THANH QUYÊN ' LÊ ÁNH HUỆ") for ln in MARRIAGE
    ]
    got = read(lines)
    assert got.subjects[1].name is None
    assert "missing:subjects" in got.review_reasons


def test_a_number_whose_symbol_is_unreadable_is_offered_for_review() -> None:
    # Issue 14, draw 8233 e0030: "Số: 54/KH" read "54/ŒH"; the number's reading stops at
    # the Œ and "54" — a register number some papers print bare — was marked ready.
    bare = read([ln.replace("177/TLKT", "177") for ln in DEATH])
    assert bare.document_number == "177"
    assert bare.review_reasons == []  # printed bare and read whole: nothing lost
    for cut in ("177/ŒTLKT", "177/", "177ŒTLKT", "177 /ŒTLKT", "177 /"):
        got = read([ln.replace("177/TLKT", cut) for ln in DEATH])
        assert got.document_number == "177", cut
        assert "number_format:document_number" in got.review_reasons, cut


def test_digits_alone_on_a_type_numbered_with_a_symbol_are_offered_for_review() -> None:
    # A criminal record's template prints "Số: …/STP": "1434" lost its symbol (to a seal,
    # a fold, the OCR) and names another paper; a death extract may print "Số: 177".
    got = read([ln.replace("1434/STP", "1434") for ln in CRIMINAL])
    assert got.document_number == "1434"
    assert "number_format:document_number" in got.review_reasons
    assert "number_format:document_number" not in read(CRIMINAL).review_reasons


def test_a_number_word_boxed_wider_than_its_digits_is_offered_for_review() -> None:
    # "Số: 177/TLKT" whose symbol OCR dropped from the word's text but not from its box.
    lines = [ln.replace("177/TLKT", "177") for ln in DEATH]
    words = words_from_lines(lines)
    boxed = [
        dataclasses.replace(w, bbox=(w.bbox[0], w.bbox[1], w.bbox[0] + 200, w.bbox[3]))
        if w.text == "177"
        else w
        for w in words
    ]
    got = analyze(["\n".join(lines)], [boxed], today=TODAY)
    assert got.document_number == "177"
    assert "number_format:document_number" in got.review_reasons
    # Boxed as digits are (the test's 22 px a character, 40 high): read whole.
    assert analyze(["\n".join(lines)], [words], today=TODAY).review_reasons == []
