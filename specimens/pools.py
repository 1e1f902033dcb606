"""Pools of realistic Vietnamese names, places and phrases the generators draw from.

Plain data only. Administrative units are kept as a small, internally consistent tree
(province → district → ward) so an address, an issuing agency and a CCCD province code
on the same paper agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    # (name, weight): roughly the national distribution, Nguyễn dominating.
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
    ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Đào", 1),
    ("Mai", 1), ("Lương", 1), ("Tạ", 1), ("Cao", 1), ("Quách", 1), ("Lưu", 1),
)

MALE_MIDDLE = ("Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân",
               "Ngọc", "Anh", "Tuấn", "Gia", "Đình", "Quốc", "Trọng", "Bá", "Mạnh")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng",
                 "Kim", "Bảo", "Diệu", "Thùy", "Khánh", "Mỹ", "Hoài")
MALE_GIVEN = ("Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Long", "Hải", "Sơn", "Thắng", "Cường",
              "Quân", "Đạt", "Khôi", "Phúc", "Huy", "Trung", "Hiếu", "Lâm", "Việt", "Bình",
              "Đông", "Kiên", "Tùng", "Vinh", "Thịnh", "Hưng", "Lộc", "Hoàng", "Đức", "Toàn",
              "Nghĩa", "Phong", "Khải", "Thành", "Tiến", "Quý", "Duy", "Hậu", "Lực", "Chiến")
FEMALE_GIVEN = ("Đào", "Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Hằng", "Thảo", "Ngọc",
                "Yến", "Nhung", "Phượng", "Huyền", "Vân", "Hạnh", "Loan", "Thủy", "Quỳnh", "Ánh",
                "Giang", "Nga", "Oanh", "Diệp", "Thơ", "Liên", "Hà", "Tuyết", "Dung", "Uyên",
                "Nhàn", "Xuân", "Thư", "Trâm", "Vy", "My", "Hiền", "Thúy", "Duyên", "Nguyệt")

STREETS = ("Hàng Bạc", "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Lý Thường Kiệt",
           "Hai Bà Trưng", "Quang Trung", "Lạch Tray", "Điện Biên Phủ", "Trần Phú",
           "Phan Chu Trinh", "Hùng Vương", "Nguyễn Du", "Lê Duẩn", "Bạch Đằng",
           "Ngô Quyền", "Hoàng Diệu", "Nguyễn Huệ", "Lê Thánh Tông", "Tô Hiến Thành")

ETHNICITIES = (("Kinh", 92), ("Tày", 2), ("Mường", 2), ("Hoa", 2), ("Khmer", 1), ("Nùng", 1))

SEXES = ("nam", "nữ")


@dataclass(frozen=True)
class District:
    kind: str  # "quận", "huyện", "thành phố", "thị xã"
    name: str
    wards: tuple[tuple[str, str], ...]  # (kind, name): "phường", "xã", "thị trấn"


@dataclass(frozen=True)
class Province:
    kind: str  # "thành phố" (centrally governed) or "tỉnh"
    name: str
    cccd_code: str  # 3 digits, Circular 59/2021/TT-BCA
    cmnd_prefix: str  # 2 digits of the old 9-digit CMND
    business_code: str  # 2 digits heading household business codes
    districts: tuple[District, ...]


PROVINCES: tuple[Province, ...] = (
    Province("thành phố", "Hà Nội", "001", "01", "01", (
        District("quận", "Hoàn Kiếm", (("phường", "Hàng Bạc"), ("phường", "Tràng Tiền"),
                                      ("phường", "Hàng Trống"), ("phường", "Lý Thái Tổ"))),
        District("quận", "Ba Đình", (("phường", "Điện Biên"), ("phường", "Kim Mã"),
                                    ("phường", "Ngọc Hà"), ("phường", "Liễu Giai"))),
        District("quận", "Cầu Giấy", (("phường", "Dịch Vọng"), ("phường", "Quan Hoa"),
                                     ("phường", "Nghĩa Đô"))),
        District("quận", "Hoàng Mai", (("phường", "Hoàng Văn Thụ"), ("phường", "Tương Mai"),
                                      ("phường", "Định Công"))),
        District("huyện", "Đông Anh", (("thị trấn", "Đông Anh"), ("xã", "Uy Nỗ"),
                                      ("xã", "Cổ Loa"))),
    )),
    Province("thành phố", "Hải Phòng", "031", "03", "02", (
        District("quận", "Hồng Bàng", (("phường", "Hoàng Văn Thụ"), ("phường", "Minh Khai"),
                                      ("phường", "Quán Toan"))),
        District("quận", "Lê Chân", (("phường", "An Biên"), ("phường", "Dư Hàng"),
                                    ("phường", "Trại Cau"))),
        District("quận", "Ngô Quyền", (("phường", "Máy Tơ"), ("phường", "Lạch Tray"),
                                      ("phường", "Đằng Giang"))),
        District("huyện", "Thủy Nguyên", (("thị trấn", "Núi Đèo"), ("xã", "Thủy Sơn"))),
    )),
    Province("tỉnh", "Tiền Giang", "082", "31", "53", (
        District("thành phố", "Mỹ Tho", (("phường", "1"), ("phường", "4"),
                                        ("xã", "Trung An"))),
        District("huyện", "Cái Bè", (("thị trấn", "Cái Bè"), ("xã", "An Hữu"),
                                    ("xã", "Hòa Khánh"))),
        District("huyện", "Châu Thành", (("thị trấn", "Tân Hiệp"), ("xã", "Long Định"))),
    )),
    Province("tỉnh", "Quảng Nam", "049", "20", "33", (
        District("thành phố", "Tam Kỳ", (("phường", "An Mỹ"), ("phường", "Hòa Hương"),
                                        ("xã", "Tam Thăng"))),
        District("thành phố", "Hội An", (("phường", "Minh An"), ("phường", "Cẩm Phô"),
                                        ("xã", "Cẩm Hà"))),
        District("thị xã", "Điện Bàn", (("phường", "Vĩnh Điện"), ("xã", "Điện Hòa"))),
    )),
    Province("thành phố", "Hồ Chí Minh", "079", "02", "41", (
        District("quận", "1", (("phường", "Bến Nghé"), ("phường", "Đa Kao"),
                              ("phường", "Tân Định"))),
        District("quận", "Bình Thạnh", (("phường", "25"), ("phường", "Bình Thọ"))),
        District("huyện", "Củ Chi", (("thị trấn", "Củ Chi"), ("xã", "Tân Thông Hội"))),
    )),
    Province("thành phố", "Đà Nẵng", "048", "20", "32", (
        District("quận", "Hải Châu", (("phường", "Thạch Thang"), ("phường", "Hải Châu I"),
                                     ("phường", "Hòa Cường Bắc"))),
        District("quận", "Thanh Khê", (("phường", "Tân Chính"), ("phường", "Thạc Gián"))),
    )),
    Province("tỉnh", "Nghệ An", "040", "18", "27", (
        District("thành phố", "Vinh", (("phường", "Hưng Bình"), ("phường", "Lê Lợi"),
                                      ("xã", "Nghi Phú"))),
        District("huyện", "Diễn Châu", (("thị trấn", "Diễn Châu"), ("xã", "Diễn Kỷ"))),
    )),
)

# Birth places outside the issuing province, so not every person is local.
EXTRA_BIRTH_PROVINCES = (
    ("Thái Bình", "034"), ("Nam Định", "036"), ("Thanh Hóa", "038"), ("Hải Dương", "030"),
    ("Bắc Ninh", "027"), ("Long An", "080"), ("Bến Tre", "083"), ("Quảng Ngãi", "051"),
    ("Thừa Thiên Huế", "046"), ("Cần Thơ", "092"),
)

BUSINESS_TRADES = (
    ("TẠP HÓA", "Bán lẻ lương thực, thực phẩm, đồ uống, thuốc lá trong cửa hàng tổng hợp"),
    ("CƠM BÌNH DÂN", "Dịch vụ ăn uống, nhà hàng, quán ăn"),
    ("CÀ PHÊ", "Dịch vụ phục vụ đồ uống"),
    ("SỬA CHỮA XE MÁY", "Bảo dưỡng, sửa chữa mô tô, xe máy"),
    ("VẬT LIỆU XÂY DỰNG", "Bán lẻ đồ ngũ kim, sơn, kính và thiết bị lắp đặt khác"),
    ("MAY ĐO", "May trang phục (trừ trang phục từ da lông thú)"),
    ("ĐIỆN THOẠI", "Bán lẻ thiết bị công nghệ thông tin liên lạc"),
    ("THUỐC TÂY", "Bán lẻ thuốc, dụng cụ y tế trong các cửa hàng chuyên doanh"),
)

BUSINESS_BRANDS = ("MINH ANH", "HOA MAI", "PHÚC LỘC", "THÀNH ĐẠT", "TÂM AN", "HẢI YẾN",
                   "QUANG HUY", "BẢO NGỌC", "HƯNG THỊNH", "KIM NGÂN")

CAUSES_OF_DEATH = ("Bệnh già", "Bệnh lý", "Bệnh tim mạch", "Tai biến mạch máu não",
                   "Ung thư phổi", "Tai nạn giao thông")

LAND_PURPOSES = ("Đất ở tại đô thị", "Đất ở tại nông thôn", "Đất trồng cây lâu năm")
LAND_ORIGINS = ("Nhà nước giao đất có thu tiền sử dụng đất",
                "Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất",
                "Nhận chuyển nhượng đất được công nhận quyền sử dụng đất",
                "Nhận thừa kế đất được công nhận quyền sử dụng đất")
