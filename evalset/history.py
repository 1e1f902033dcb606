"""When the units of the official list stood as the list names them.

`vietnamadminunits` holds two states only: ``admin_units_legacy`` (the units just before
the 2025-07-01 reorganisation, i.e. as of the first half of 2025) and ``admin_units``
(after it).  A paper names the units standing on its issue date, so a 2010 paper cannot
print "thành phố Huế" (a province only since 2025-01-01) or "thành phố Thủ Đức" (2021).
This module says, for a unit of the legacy list, from which day it is known to have
stood under that name and parent, and what the province was called before a rename.

Written for `evalset` alone from the laws cited (nothing is read from `extract`, whose
resolution it checks). Three kinds of knowledge, most certain first:

- provinces: the splits since 1976 (a province made by a split did not stand before it)
  and the one rename that keeps code and area (Thừa Thiên Huế → thành phố Huế);
- districts created or re-formed on a known day (Hà Nội's and Hồ Chí Minh City's, the
  districts of Hà Tây that joined Hà Nội, Huế's 2025 districts…), and districts raised
  (huyện → thị xã → thành phố) or made by a split since 1976, by the year of the
  decision;
- evidence in the list itself, with the day unknown: a ward whose aliases name a unit of
  another name or kind (it was merged, renamed or raised from xã to phường in one of the
  2019-2025 rounds), a district whose aliases name another district (merged), a quận /
  thị xã / thành phố where a third of its wards or more were communes (raised lately:
  quận An Dương, thị xã Phong Điền, thành phố Thủy Nguyên…). These are
  taken to stand only from ``EVIDENCE_SINCE``, the day the last round took effect: too
  late for some (never an anachronism, only fewer old papers from those units).

A unit none of these name is taken to have stood as listed over the whole period: the
list has no dates, so changes it keeps no trace of (a ward split off, a district raised
with no commune made a ward) are not known here.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import json
import sqlite3
from dataclasses import dataclass

D = dt.date
REFORM = D(2025, 7, 1)  # districts abolished, provinces merged
# The last round of ward mergers and town upgrades before the reform took effect on
# 2025-01-01 (resolutions of the Standing Committee, Oct–Dec 2024, one per province).
EVIDENCE_SINCE = D(2025, 1, 1)

# Provinces made by a split after 1976: they did not stand (with that name and area)
# before the day the split took effect.  Codes are the list's (GSO) codes.
_PROVINCE_SINCE: dict[str, dt.date] = {
    # Cao Lạng split (Nghị quyết Quốc hội 29/12/1978).
    "04": D(1979, 1, 1), "20": D(1979, 1, 1),
    # Bình Trị Thiên, Nghĩa Bình, Phú Khánh split (Nghị quyết 30/6/1989).
    "44": D(1989, 7, 1), "45": D(1989, 7, 1), "46": D(1989, 7, 1), "51": D(1989, 7, 1),
    "52": D(1989, 7, 1), "54": D(1989, 7, 1), "56": D(1989, 7, 1),
    # Hà Tuyên, Hoàng Liên Sơn, Hà Sơn Bình, Nghệ Tĩnh, Gia Lai - Kon Tum split and Bà Rịa -
    # Vũng Tàu made (Nghị quyết 12/8/1991; effective Oct 1991 at the latest).
    "02": D(1991, 10, 1), "08": D(1991, 10, 1), "10": D(1991, 10, 1), "15": D(1991, 10, 1),
    "17": D(1991, 10, 1), "40": D(1991, 10, 1), "42": D(1991, 10, 1), "62": D(1991, 10, 1),
    "64": D(1991, 10, 1), "77": D(1991, 10, 1),
    # Hà Nam Ninh, Cửu Long, Hậu Giang, Thuận Hải split (Nghị quyết 26/12/1991; effective
    # Apr-May 1992).
    "37": D(1992, 5, 1), "84": D(1992, 5, 1), "86": D(1992, 5, 1), "94": D(1992, 5, 1),
    "58": D(1992, 5, 1), "60": D(1992, 5, 1),
    # Bắc Thái, Vĩnh Phú, Hà Bắc, Hải Hưng, Nam Hà, Quảng Nam - Đà Nẵng, Sông Bé, Minh Hải
    # split (Nghị quyết 6/11/1996, effective 1/1/1997).
    "06": D(1997, 1, 1), "19": D(1997, 1, 1), "25": D(1997, 1, 1), "26": D(1997, 1, 1),
    "24": D(1997, 1, 1), "27": D(1997, 1, 1), "30": D(1997, 1, 1), "33": D(1997, 1, 1),
    "35": D(1997, 1, 1), "36": D(1997, 1, 1), "48": D(1997, 1, 1), "49": D(1997, 1, 1),
    "70": D(1997, 1, 1), "74": D(1997, 1, 1), "95": D(1997, 1, 1), "96": D(1997, 1, 1),
    # Lai Châu, Đắk Lắk, Cần Thơ split (Nghị quyết 22/2003/QH11, effective 1/1/2004):
    # Điện Biên, Đắk Nông, Hậu Giang and thành phố Cần Thơ made, Lai Châu re-formed.
    "11": D(2004, 1, 1), "12": D(2004, 1, 1), "66": D(2004, 1, 1), "67": D(2004, 1, 1),
    "92": D(2004, 1, 1), "93": D(2004, 1, 1),
}


@dataclass(frozen=True)
class FormerName:
    until: dt.date  # the last day of the former name
    name: str
    short: str


# Renames that keep the code and the area: the former name is printed before the day.
_PROVINCE_FORMER: dict[str, FormerName] = {
    # Nghị quyết 175/2024/QH15: thành phố Huế (trực thuộc trung ương) from 1/1/2025.
    "46": FormerName(D(2024, 12, 31), "Tỉnh Thừa Thiên Huế", "Thừa Thiên Huế"),
}

# Districts of the list created or re-formed on a known day (they, and their wards as
# listed under them, did not stand so before).
_DISTRICT_SINCE: dict[str, dt.date] = {
    # Hà Nội: Tây Hồ (Nghị định 69/CP, 28/10/1995), Cầu Giấy and Thanh Xuân (Nghị định
    # 74/CP, 1997), Long Biên and Hoàng Mai (Nghị định 132/2003), Bắc and Nam Từ Liêm
    # (Nghị quyết 132/NQ-CP, 1/4/2014); Mê Linh and Hà Tây's districts joined Hà Nội on
    # 1/8/2008 (Nghị quyết 15/2008/QH12), Hà Đông as a quận, Sơn Tây as a thị xã.
    "003": D(1995, 11, 1), "005": D(1997, 1, 1), "009": D(1997, 1, 1),
    "004": D(2004, 1, 1), "008": D(2004, 1, 1), "019": D(2014, 4, 1), "021": D(2014, 4, 1),
    "250": D(2008, 8, 1), **{str(c): D(2008, 8, 1) for c in (268, 269, *range(271, 283))},
    # Hồ Chí Minh City: Quận 7 and 12 (Nghị định 03/CP, 1997), Bình Tân and Tân Phú
    # (Nghị định 130/2003), thành phố Thủ Đức (Nghị quyết 1111/NQ-UBTVQH14, 1/1/2021).
    "778": D(1997, 4, 1), "761": D(1997, 4, 1), "777": D(2004, 1, 1), "767": D(2004, 1, 1),
    "769": D(2021, 1, 1),
    # Huế: thị xã Hương Thủy (Nghị quyết 08/NQ-CP, 2010) and Hương Trà (Nghị quyết
    # 99/NQ-CP, 2011); quận Thuận Hóa, Phú Xuân and thị xã Phong Điền (Nghị quyết
    # 1314/NQ-UBTVQH15, 1/1/2025).
    "479": D(2010, 3, 1), "480": D(2011, 12, 1),
    "474": D(2025, 1, 1), "475": D(2025, 1, 1), "476": D(2025, 1, 1),
    # Đà Nẵng: quận Cẩm Lệ (Nghị định 102/2005/NĐ-CP).
    "495": D(2005, 9, 1),
    # Hà Nam: thị xã Kim Bảng; Hải Phòng: thành phố Thủy Nguyên (was huyện) — both of the
    # 2025 round.
    "350": EVIDENCE_SINCE, "311": EVIDENCE_SINCE,
}

# Districts raised (huyện → thị xã, thị xã → thành phố) or made after 1976, by the year of
# the decision: before it the paper printed another kind or name ("thị xã Bến Tre" in
# 2006), or the district did not exist (huyện Mỏ Cày Bắc, 2009).  The day is taken as
# 1 January of the next year (never earlier than the real day when the year is right).
_RAISED_OR_MADE_IN: dict[str, int] = {
    # provincial cities (thành phố thuộc tỉnh)
    "024": 2010, "040": 2012, "058": 2015, "070": 2010, "080": 2004, "094": 2003,
    "105": 2013, "116": 2008, "132": 2002, "148": 2006, "165": 2015, "172": 2022,
    "178": 2002, "193": 1993, "194": 2008, "195": 2012, "196": 2011, "213": 2005,
    "243": 2006, "256": 2006, "261": 2021, "288": 1997, "290": 2019, "323": 2009,
    "336": 2004, "347": 2008, "370": 2015, "380": 1994, "382": 2017, "436": 2007,
    "450": 2004, "461": 2009, "502": 2006, "503": 2008, "522": 2005, "555": 2005,
    "569": 2010, "582": 2007, "593": 1999, "608": 2009, "622": 1999, "643": 1995,
    "673": 2010, "703": 2013, "718": 2012, "747": 1991, "748": 2012, "794": 2009,
    "829": 2009, "842": 2010, "866": 2007, "867": 2013, "883": 1999, "884": 2013,
    "899": 2005, "900": 2018, "911": 2020, "930": 2010, "931": 2020, "941": 2007,
    "954": 2010, "964": 1999,
    # thị xã
    "414": 2007, "644": 2008, "690": 2009, "688": 2009, "572": 2010, "549": 2011,
    "950": 2011, "948": 2013, "458": 2013, "432": 2013, "449": 2015, "507": 2015,
    "959": 2015, "937": 2015, "851": 2015, "088": 2019, "564": 2020, "534": 2020,
    "206": 2011, "861": 2012, "817": 2013, "795": 2013, "887": 2009, "557": 2009,
    "624": 2007, "594": 2005, "349": 2019,
    # huyện made by a split
    "838": 2009, "833": 2009, "071": 2011, "112": 2012, "103": 2012, "618": 2015,
    "667": 2006, "102": 2006, "825": 2008, "694": 2009, "698": 2015, "726": 2013,
    "719": 2013, "562": 2005, "927": 2008, "617": 2005, "657": 2007, "111": 2008,
    "128": 2013,
}

# Wards of the list re-formed on a known day whose aliases do not show it.
_WARD_SINCE: dict[str, dt.date] = {
    # Đà Nẵng: phường Hải Châu (quận Hải Châu), made of Hải Châu I and II in the 2025 round.
    "20236": EVIDENCE_SINCE,
}

# 2025 province (code) each legacy province became part of (Nghị quyết 202/2025/QH15:
# whole provinces merged; the merged province keeps one of their codes).
PROVINCE_2025: dict[str, str] = {
    "01": "01", "02": "08", "04": "04", "06": "19", "08": "08", "10": "15", "11": "11",
    "12": "12", "14": "14", "15": "15", "17": "25", "19": "19", "20": "20", "22": "22",
    "24": "24", "25": "25", "26": "25", "27": "24", "30": "31", "31": "31", "33": "33",
    "34": "33", "35": "37", "36": "37", "37": "37", "38": "38", "40": "40", "42": "42",
    "44": "44", "45": "44", "46": "46", "48": "48", "49": "48", "51": "51", "52": "52",
    "54": "66", "56": "56", "58": "56", "60": "68", "62": "51", "64": "52", "66": "66",
    "67": "68", "68": "68", "70": "75", "72": "80", "74": "79", "75": "75", "77": "79",
    "79": "79", "80": "80", "82": "82", "83": "86", "84": "86", "86": "86", "87": "82",
    "89": "91", "91": "91", "92": "92", "93": "92", "94": "92", "95": "96", "96": "96",
}

_KINDS = ("xa", "phuong", "thitran")
_RAISED_SHARE = 1 / 3  # of a town's wards once communes: the town itself was raised


@functools.cache
def _evidence() -> tuple[frozenset[str], frozenset[str]]:
    """(ward codes, district codes) the list's aliases show were re-formed lately."""
    path = importlib.resources.files("vietnamadminunits") / "data" / "dataset.db"
    with importlib.resources.as_file(path) as file:
        con = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT wardCode, wardKey, wardType, wardAlias, districtCode, districtType,"
                " districtAlias FROM admin_units_legacy WHERE ward IS NOT NULL"
                " AND wardType IS NOT NULL").fetchall()
        finally:
            con.close()
    wards: set[str] = set()
    districts: set[str] = set()
    size: dict[str, int] = {}
    raised: dict[str, int] = {}
    for code, key, kind, alias, dcode, dkind, dalias in rows:
        size[dcode] = size.get(dcode, 0) + 1
        if dalias:
            districts.add(dcode)  # another district merged into it (Nam Đông → Phú Lộc)
        former = [a for a in json.loads(alias or "[]") if a.startswith(_KINDS) and a != key]
        if not former:
            continue  # no alias, or only spellings of its own name
        wards.add(code)
        if (dkind in ("Quận", "Thị xã", "Thị Xã", "Thành phố") and kind == "Phường"
                and any(a.startswith(("xa", "thitran")) for a in former)):
            raised[dcode] = raised.get(dcode, 0) + 1
    districts |= {d for d, n in raised.items() if n >= _RAISED_SHARE * size[d]}
    return frozenset(wards), frozenset(districts)


def province_since(code: str) -> dt.date | None:
    """The first day the legacy province `code` stood (None: before 1976)."""
    return _PROVINCE_SINCE.get(code)


def province_name_on(code: str, name: str, short: str, on: dt.date) -> tuple[str, str]:
    """The province's (name, short name) on `on`: the former one before a rename."""
    former = _PROVINCE_FORMER.get(code)
    if former is not None and on <= former.until:
        return former.name, former.short
    return name, short


def district_since(code: str) -> dt.date | None:
    """The first day the district stood as listed: the latest of what is known of it (a
    known day never loosens the list's evidence of a later merger)."""
    days = [d for d in (_DISTRICT_SINCE.get(code),
                        D(_RAISED_OR_MADE_IN[code] + 1, 1, 1) if code in _RAISED_OR_MADE_IN
                        else None,
                        EVIDENCE_SINCE if code in _evidence()[1] else None) if d is not None]
    return max(days, default=None)


def ward_since(code: str) -> dt.date | None:
    known = _WARD_SINCE.get(code)
    if known is not None:
        return known
    return EVIDENCE_SINCE if code in _evidence()[0] else None


def stood(since: dt.date | None, on: dt.date) -> bool:
    return since is None or on >= since
