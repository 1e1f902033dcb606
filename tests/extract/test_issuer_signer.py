"""A header read as a people's committee alone, on a paper a director signed: the
department's line under the committee was lost, and the committee is not the issuer."""

from __future__ import annotations

from datetime import date

from extract import analyze
from extract.analyze import Extraction

TODAY = date(2026, 1, 1)

CRIMINAL_RECORD = [
    "UBND THÀNH PHỐ HỒ CHÍ MINH",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "SỞ TƯ PHÁP",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 8439/2016/LLTP",
    "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1",
    "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;",
    "1. Họ và tên: NGUYỄN THỊ DUYÊN 2. Giới tính: Nữ",
    "3. Ngày, tháng, năm sinh: 01/02/1952",
    "4. Căn cước công dân số: 079152100535",
    "TÌNH TRẠNG ÁN TÍCH: Không có án tích",
    "Hồ Chí Minh, ngày 27 tháng 08 năm 2016",
    "KT. GIÁM ĐỐC",
    "PHÓ GIÁM ĐỐC",
    "Trần Văn Hùng",
]


def _read(lines: list[str]) -> Extraction:
    return analyze(["\n".join(lines)], None, today=TODAY)


def test_the_department_under_its_committee_is_the_issuer_and_nothing_is_doubted() -> None:
    got = _read(CRIMINAL_RECORD)
    assert got.issuer == "Sở Tư pháp thành phố Hồ Chí Minh"
    assert not any(r.startswith("issuer") for r in got.review_reasons)


def test_the_departments_line_lost_sends_the_committee_to_review() -> None:
    lost = _read([ln for ln in CRIMINAL_RECORD if ln != "SỞ TƯ PHÁP"])
    assert lost.issuer == "Ủy ban nhân dân thành phố Hồ Chí Minh"
    assert "issuer_signer:issuer" in lost.review_reasons


def test_a_committee_signed_for_by_its_chairman_is_not_doubted() -> None:
    lost = [ln for ln in CRIMINAL_RECORD if ln != "SỞ TƯ PHÁP"]
    chair = [*lost[:-3], "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Hùng"]
    got = _read(chair)
    assert got.issuer == "Ủy ban nhân dân thành phố Hồ Chí Minh"
    assert "issuer_signer:issuer" not in got.review_reasons
