"""Personal ID numbers: the 12-digit CCCD / số định danh cá nhân and the old 9-digit CMND.

A CCCD is not random: digits 1–3 are the province of birth registration, digit 4 the
century and sex, digits 5–6 the last two digits of the birth year (Circular
07/2016/TT-BCA, art. 7). Checking them against the birth date and sex read elsewhere
on the paper catches most one-digit OCR slips in the first half of the number.
"""

from __future__ import annotations

from dataclasses import dataclass

from records.folding import fold_phrase

# Province codes used in CCCD numbers (Circular 07/2016/TT-BCA, annex).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

MALE, FEMALE = "nam", "nữ"

# Every code ``id_problems`` can return: why a number cannot be this person's ID.
ID_PROBLEMS = (
    "id_format",
    "id_province",
    "id_century",
    "id_birth_year_mismatch",
    "id_sex_mismatch",
    "id_not_cmnd",
    "id_cmnd_age",
)

# CMND were issued until 2021, from the age of 14: someone born in 2007 or later cannot
# hold one (the 2007 cohort only in the last months; left out to be safe). Nine digits
# for them are a 12-digit number OCR cut short.
LAST_CMND_BIRTH_YEAR = 2006
# Labels that name only the 12-digit number: nine digits under them are a cut-short read.
_CCCD_ONLY = ("dinh danh", "can cuoc", "cccd")


@dataclass(frozen=True)
class CccdParts:
    province: str
    century_start: int  # 1900, 2000, …
    sex: str  # MALE or FEMALE
    birth_year: int


def decode_cccd(number: str) -> CccdParts | None:
    """What a 12-digit number encodes, or ``None`` when it is not 12 digits."""
    if len(number) != 12 or not number.isdigit():
        return None
    gender_digit = int(number[3])
    century_start = 1900 + 100 * (gender_digit // 2)
    sex = MALE if gender_digit % 2 == 0 else FEMALE
    return CccdParts(number[:3], century_start, sex, century_start + int(number[4:6]))


def cmnd_label(label: str | None) -> bool:
    """Whether a number printed under ``label`` (folded) may be a 9-digit CMND.

    Labels naming both or neither ("Số CCCD/CMND", "Giấy tờ tùy thân") may; a label
    naming only the CCCD or số định danh may not. No label known: may.
    """
    if label is None or "cmnd" in label:
        return True
    return not any(word in label for word in _CCCD_ONLY)


def _cmnd_problems(birth_year: int | None, cmnd_allowed: bool) -> list[str]:
    if not cmnd_allowed:
        return ["id_not_cmnd"]
    if birth_year is not None and birth_year > LAST_CMND_BIRTH_YEAR:
        return ["id_cmnd_age"]
    return []


def id_problems(
    number: str, birth_year: int | None, sex: str | None, *, cmnd_allowed: bool = True
) -> list[str]:
    """Why ``number`` cannot be this person's ID (English codes); empty when it can.

    9 digits is an old CMND: it encodes nothing checkable, but only someone old enough
    can hold one, and only where the label allows one (``cmnd_allowed``).
    """
    if len(number) == 9 and number.isdigit():
        return _cmnd_problems(birth_year, cmnd_allowed)
    parts = decode_cccd(number)
    if parts is None:
        return ["id_format"]
    problems = []
    if parts.province not in PROVINCE_CODES:
        problems.append("id_province")
    if birth_year is not None:
        if parts.birth_year != birth_year:
            problems.append("id_birth_year_mismatch")
    elif parts.century_start > 2100:
        problems.append("id_century")
    if sex is not None and parts.sex != sex:
        problems.append("id_sex_mismatch")
    return problems


def normalize_sex(value: str | None) -> str | None:
    """``Nam``/``Nữ`` (any case, with or without diacritics) → ``nam``/``nữ``."""
    if not value:
        return None
    # The whole first word must be the word: a prefix would take "Num" (a misread
    # "Nam") for "nữ", and a sex read wrong turns a right ID into a mismatch. A word
    # that is neither is no sex, so nothing is checked against it.
    words = fold_phrase(value).split()
    first = "".join(ch for ch in words[0] if ch.isalpha()) if words else ""
    if first == "nam":
        return MALE
    if first == "nu":
        return FEMALE
    return None
