"""Vietnamese personal identity numbers: the 12-digit CCCD / số định danh cá nhân and the
old 9-digit CMND.

CCCD layout (Decree 137/2015, Circular 59/2021/TT-BCA): 3 digits of the birth province,
1 digit for century and sex, 2 digits of the birth year, 6 random digits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

# Century → digit for a man; a woman's digit is one more.
_CENTURY_DIGIT = {1900: 0, 2000: 2, 2100: 4, 2200: 6, 1800: 8}
_DIGIT_CENTURY = {digit + offset: century
                  for century, digit in _CENTURY_DIGIT.items() for offset in (0, 1)}


@dataclass(frozen=True)
class CccdInfo:
    province_code: str
    sex: str  # "nam" / "nữ"
    birth_year: int


def make_cccd(rng: random.Random, province_code: str, birth: date, sex: str) -> str:
    """A CCCD number that agrees with the holder's birth province, year and sex."""
    if len(province_code) != 3 or not province_code.isdigit():
        raise ValueError(f"province code must be 3 digits, got {province_code!r}")
    century = birth.year // 100 * 100
    digit = _CENTURY_DIGIT[century] + (1 if sex == "nữ" else 0)
    return f"{province_code}{digit}{birth.year % 100:02d}{rng.randrange(10**6):06d}"


def make_cmnd(rng: random.Random, prefix: str) -> str:
    """An old 9-digit CMND number starting with the issuing province's 2-digit prefix."""
    return f"{prefix}{rng.randrange(10**7):07d}"


def decode_cccd(number: str) -> CccdInfo:
    """What a CCCD number says about its holder; ``ValueError`` if it is not one."""
    if len(number) != 12 or not number.isdigit():
        raise ValueError(f"a CCCD number has 12 digits, got {number!r}")
    digit = int(number[3])
    century = _DIGIT_CENTURY[digit]
    return CccdInfo(
        province_code=number[:3],
        sex="nữ" if digit % 2 else "nam",
        birth_year=century + int(number[4:6]),
    )


def cccd_matches(number: str, birth_date: str, sex: str) -> bool:
    """True when the CCCD number agrees with an ISO birth date and a sex ("nam"/"nữ")."""
    try:
        info = decode_cccd(number)
    except ValueError:
        return False
    return info.birth_year == date.fromisoformat(birth_date).year and info.sex == sex
