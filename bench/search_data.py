"""Synthetic Vietnamese records for the search benchmark: realistic names (common family
names dominate, so namesakes abound), 12-digit personal ID numbers, the eight document
types, per-type full text, a few OCR slips. Deterministic for a given seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from records import Record, Source, Status, Subject

FAMILY = (
    ["Nguyễn"] * 38
    + ["Trần"] * 11
    + ["Lê"] * 10
    + ["Phạm"] * 7
    + ["Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"] * 2
)
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Đình", "Xuân", "Anh"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích", "Phương", "Hồng", "Diệu"]
GIVEN_MALE = [
    "Hùng",
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hoàng",
    "Huy",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Thắng",
    "Thành",
    "Tuấn",
    "Việt",
    "Vinh",
    "Hưng",
    "Trung",
    "Kiên",
    "Lâm",
    "Nghĩa",
    "Toàn",
]
GIVEN_FEMALE = [
    "Lan",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Linh",
    "Mai",
    "Nga",
    "Thảo",
    "Trang",
    "Vy",
    "Yến",
    "Anh",
    "Châu",
    "Diệp",
    "Giang",
    "Hằng",
    "Hiền",
    "Huyền",
    "Loan",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Tâm",
    "Thủy",
    "Trinh",
    "Uyên",
    "Xuân",
]
DOC_TYPES = {
    "giay_khai_sinh": "Giấy khai sinh",
    "giay_chung_nhan_ket_hon": "Giấy chứng nhận kết hôn",
    "giay_xac_nhan_tinh_trang_hon_nhan": "Giấy xác nhận tình trạng hôn nhân",
    "phieu_ly_lich_tu_phap": "Phiếu lý lịch tư pháp",
    "giay_chung_nhan_dang_ky_ho_kinh_doanh": "Giấy chứng nhận đăng ký hộ kinh doanh",
    "giay_phep_xay_dung": "Giấy phép xây dựng",
    "trich_luc_khai_tu": "Trích lục khai tử",
    "giay_chung_nhan_quyen_su_dung_dat": "Giấy chứng nhận quyền sử dụng đất",
}
DISTRICTS = [
    "Quận 1",
    "Quận 3",
    "Quận 5",
    "Quận 10",
    "Quận Bình Thạnh",
    "Quận Gò Vấp",
    "Quận Ba Đình",
    "Quận Hoàn Kiếm",
    "Quận Đống Đa",
    "Quận Cầu Giấy",
    "Quận Hải Châu",
    "Quận Ninh Kiều",
    "Thành phố Thủ Đức",
    "Huyện Củ Chi",
    "Huyện Đông Anh",
]
WARDS = [
    "Bến Nghé",
    "Bến Thành",
    "Đa Kao",
    "Tân Định",
    "Phường 1",
    "Phường 2",
    "Phường 7",
    "Phường 12",
    "Phúc Xá",
    "Trúc Bạch",
    "Hàng Bạc",
    "Dịch Vọng",
    "Láng Hạ",
    "Thạch Thang",
]
PROVINCE_CODES = ["001", "079", "048", "092", "031", "075", "036", "038", "040", "052"]
AGENCIES = [f"ubnd-{i:02d}" for i in range(20)]
LETTERS = "abcdeghiklmnopqrstuvxy"

TEMPLATE = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc {title_upper} "
    "Số: {number} Họ, chữ đệm, tên: {name_upper} Ngày, tháng, năm sinh: {birth} "
    "Giới tính: {sex} Dân tộc: Kinh Quốc tịch: Việt Nam Số định danh cá nhân: {id_number} "
    "Nơi cư trú: {address} {extra} Nơi cấp: {issuer} ngày {issued_day} tháng {issued_month} "
    "năm {issued_year}. Người ký: {signer_upper}"
)
EXTRA = {
    "giay_khai_sinh": "Nơi sinh: Bệnh viện Từ Dũ Họ tên người mẹ: {other} Họ tên người cha: {p}",
    "giay_chung_nhan_ket_hon": "Họ tên vợ: {other} đã đăng ký kết hôn tự nguyện",
    "giay_xac_nhan_tinh_trang_hon_nhan": "Tình trạng hôn nhân: hiện tại chưa đăng ký kết hôn "
    "với ai. Mục đích sử dụng: để đăng ký kết hôn",
    "phieu_ly_lich_tu_phap": "Tình trạng án tích: không có án tích. Thông tin về việc cấm "
    "đảm nhiệm chức vụ: không bị cấm",
    "giay_chung_nhan_dang_ky_ho_kinh_doanh": "Tên hộ kinh doanh: Cửa hàng tạp hóa {p} "
    "Ngành nghề kinh doanh: bán lẻ lương thực, thực phẩm. Vốn kinh doanh: 100.000.000 đồng",
    "giay_phep_xay_dung": "Được phép xây dựng công trình nhà ở riêng lẻ, diện tích xây dựng "
    "tầng 1: 80 m2, tổng diện tích sàn 240 m2, chiều cao công trình 12 m, số tầng: 3",
    "trich_luc_khai_tu": "Đã chết vào lúc 10 giờ 30 phút. Nơi chết: tại nhà. Nguyên nhân "
    "chết: bệnh. Người đi khai tử: {other}",
    "giay_chung_nhan_quyen_su_dung_dat": "Thửa đất số 125, tờ bản đồ số 12, diện tích "
    "120 m2, hình thức sử dụng: riêng, mục đích sử dụng: đất ở tại đô thị, thời hạn: lâu dài",
}


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    birth_date: str
    sex: str


def _person(rng: random.Random, with_id: bool = True) -> Person:
    female = rng.random() < 0.5
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    name = f"{rng.choice(FAMILY)} {middle} {given}"
    year = rng.randint(1940, 2020)
    birth = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    century_sex = (0 if year < 2000 else 2) + (1 if female else 0)
    id_number = (
        f"{rng.choice(PROVINCE_CODES)}{century_sex}{year % 100:02d}{rng.randrange(10**6):06d}"
        if with_id
        else ""
    )
    return Person(name, id_number, birth, "Nữ" if female else "Nam")


def _ocr_slip(rng: random.Random, text: str) -> str:
    """Replace one letter of one long word, as a misread glyph would."""
    words = text.split(" ")
    for _ in range(10):
        i = rng.randrange(len(words))
        if len(words[i]) >= 5 and words[i].isalpha():
            word = words[i]
            j = rng.randrange(len(word))
            words[i] = word[:j] + rng.choice(LETTERS) + word[j + 1 :]
            break
    return " ".join(words)


def issuer_for(rng: random.Random) -> str:
    return f"UBND {rng.choice(WARDS)}, {rng.choice(DISTRICTS)}"


def generate(n: int, seed: int = 7) -> Iterator[tuple[Record, Person]]:
    """``n`` records and the main subject of each (for choosing lookups)."""
    rng = random.Random(seed)
    types = list(DOC_TYPES)
    for i in range(n):
        doc_type = types[i % len(types)]
        main = _person(rng, with_id=rng.random() < 0.9)
        other = _person(rng)
        subjects = [
            Subject(
                name=main.name,
                id_number=main.id_number or None,
                birth_date=main.birth_date,
                role="subject",
                sex=main.sex,
            )
        ]
        if doc_type == "giay_chung_nhan_ket_hon":
            subjects.append(
                Subject(
                    name=other.name,
                    id_number=other.id_number,
                    birth_date=other.birth_date,
                    role="spouse",
                )
            )
        year = rng.randint(2000, 2024)
        issued = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        issuer = issuer_for(rng)
        number = f"{rng.randint(1, 999)}/{year}/{rng.choice(['QĐ-UBND', 'TLKS', 'GP', 'CN'])}"
        title = DOC_TYPES[doc_type]
        text = TEMPLATE.format(
            title_upper=title.upper(),
            number=number,
            name_upper=main.name.upper(),
            birth=main.birth_date,
            sex=main.sex,
            id_number=main.id_number or "không có",
            address=f"{rng.randint(1, 300)} đường Lê Lợi, {rng.choice(WARDS)}",
            extra=EXTRA[doc_type].format(other=other.name.upper(), p=main.name),
            issuer=issuer,
            issued_day=issued[8:],
            issued_month=issued[5:7],
            issued_year=year,
            signer_upper=_person(rng).name.upper(),
        )
        if rng.random() < 0.02:
            text = _ocr_slip(rng, text)
        roll = rng.random()
        status = (
            Status.READY if roll < 0.9 else Status.NEEDS_REVIEW if roll < 0.99 else Status.FAILED
        )
        record = Record(
            id=f"{i:024x}",
            agency=rng.choice(AGENCIES),
            source=Source(
                filename=f"scan-{i}.pdf",
                sha256=f"{i:064x}",
                media_type="application/pdf",
                size=250_000,
                pages=1,
            ),
            status=status,
            doc_type=doc_type,
            title=title,
            document_number=number,
            issuer=issuer,
            issued_on=issued,
            subjects=subjects,
            text=text,
            shared=rng.random() < 0.1,
            created_at="2025-01-01T00:00:00+00:00",
        )
        yield record, main
