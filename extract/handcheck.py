"""What a handwritten field may hold: a reading that passes is proposed, one that fails is
left for keying.

No check here makes a reading certain: a recognizer that misreads one digit of a birth
date still gives a valid, plausible date, a name misread as another real name still
spells Vietnamese syllables, and a ward's name misread as a neighbouring ward's still
matches the official list. So every handwritten value is proposed for a person to
confirm (``handwriting_unconfirmed``), never marked ready by itself.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from extract.names import is_listed_family_name, restore_name
from extract.places import Unit, distance, index_for, key_of, match_issuer
from extract.syllables import invalid_words
from extract.text import clean_digits, fix_digit_runs
from records.folding import fold_aligned

# The oldest birth a birth-certificate form of a living archive may record, in years
# before its issue (late registrations of adults happen; a century does not).
MAX_AGE_YEARS = 100
HOSPITAL = re.compile(r"^(Bệnh viện|Trung tâm Y tế|Trạm Y tế|Nhà hộ sinh|Phòng khám)\b",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Checked:
    """A reading after its field's checks: ``value`` is what would be proposed (None when
    the reading fails, with ``problem`` an English code saying why)."""

    value: str | None
    problem: str | None = None
    # A value the field's grammar and checks allowed but a rule about how likely it is
    # (a rare name's syllable, a weak reading) held back: a second reading of the same
    # ink that gives the same value may overrule it (``handfields.read_fields``).
    held: str | None = None


def _text(raw: str) -> str:
    # Dots of the dotted line and quotes read at the ends are not part of the value.
    text = unicodedata.normalize("NFC", raw)
    return " ".join(text.strip(" .,:;'\"_-–—|").split())


def _name_text(raw: str) -> str:
    """The name without what the line model added around it: anything not a letter, and
    lower-case letters trailing a word written in capitals ("ĐẠTrp", the dots' tails)."""
    words = []
    for word in re.sub(r"[^\w\s]|\d|_", " ", unicodedata.normalize("NFC", raw)).split():
        caps = len(word) - len(word.lstrip("".join(c for c in word if c.isupper())))
        if caps >= 2 and word[caps:].islower():
            word = word[:caps]
        words.append(word)
    return " ".join(words)


def check_name(raw: str) -> Checked:
    # The label's tail up to its colon ("tên: Phạm Thùy Linh") is not part of the name.
    _, colon, tail = raw.rpartition(":")
    words = _name_text(tail if colon and len(tail.split()) >= 2 else raw).upper().split()
    # The label's last letters ("tên:" → "n:") read before the name: one or two letters
    # that are no family name, before one that is.
    while len(words) > 2 and len(words[0]) <= 2 and not is_listed_family_name(words[0]) \
            and is_listed_family_name(words[1]):
        words = words[1:]
    # The family name and the middle Văn/Thị in their spelling when the reading lost a
    # mark (the same restoration printed names get).
    name = restore_name(" ".join(words))[0].upper()
    if not 2 <= len(words) <= 6:
        return Checked(None, "name_words")
    if invalid_words(name):
        return Checked(None, "name_invalid")
    if not is_listed_family_name(words[0]):
        return Checked(None, "name_family")
    return Checked(name)


# Day, month, year with one to three separators between them (a line model reads a
# slash as "/", "./", "-" or "."), anywhere in the reading: it often keeps the label's
# last letters ("h: 17/03/1981") or the dots after the value.
_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-:,]{1,3}\s*(\d{1,2})\s*[/.\-:,]{1,3}\s*(\d{4})")


def check_date(raw: str, issued_on: date | None) -> Checked:
    """A birth date: d/m/yyyy (any of / . -), a real day, not after the paper was issued
    and not a century before it."""
    text = fix_digit_runs(_text(raw))
    m = _DATE.search(text)
    if not m:
        return Checked(None, "date_format")
    try:
        value = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return Checked(None, "invalid_date")
    bounds = date_bounds(issued_on)
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        return Checked(None, "date_order")
    return Checked(value.isoformat())


def date_bounds(issued_on: date | None) -> tuple[date, date] | None:
    """The first and last days a birth date on a paper issued on ``issued_on`` may be:
    not after the issue, not a century before it."""
    if issued_on is None:
        return None
    return (issued_on.replace(year=issued_on.year - MAX_AGE_YEARS, day=min(issued_on.day, 28)),
            issued_on)


# The civil-status registers' symbols a number may end with ("123/KS": khai sinh; khai
# tử, kết hôn). Any other letters after the slash are a misreading ("212/RS", "41/KSS").
REGISTER_SYMBOLS = ("KS", "KT", "KH")
_NUMBER = re.compile(r"^(\d{1,5})(?:/(\d{4}))?(?:/(" + "|".join(REGISTER_SYMBOLS) + r"))?$")


# The most digits of a register's entry whose slash before the year a reading may have
# lost: a ward registers a few hundred births a year.
SLASH_LOST_DIGITS = 3


def _slash_lost(text: str, issued_on: date | None) -> str:
    """Digits that end with the paper's year (or the one before, as a year after a slash
    may be) after one to ``SLASH_LOST_DIGITS`` others are a number and its year whose
    slash the reading lost ("321985" for 32/1985 on a form of 1985); a misreading ending
    in the paper's own year by chance is rare."""
    if issued_on is None or not text.isdigit() or not 5 <= len(text) <= 4 + SLASH_LOST_DIGITS:
        return text
    if int(text[-4:]) in (issued_on.year, issued_on.year - 1) and text[0] != "0":
        return f"{text[:-4]}/{text[-4:]}"
    return text


# A word of up to three letters, then a space or a mark, before the first digit.
_LABEL_WORD = re.compile(r"^[^\W\d_]{1,3}[\s.,;'\"]+(?=\d)")


def check_number(raw: str, issued_on: date | None) -> Checked:
    """A register number: ``123``, ``123/KS``, ``12/1998`` (the year, if any, the issue
    year or the one before, for papers numbered late)."""
    # The label's tail read as a short word before the number without its colon ("sa 129",
    # "eơ,72": the grammar lets letters through before the digits, the check did not).
    text = _LABEL_WORD.sub("", _text(raw)).upper().replace(" ", "")
    # The label's tail ("Số:" → "5:", "ố:") read before the number.
    text = text.rsplit(":", 1)[-1].strip(".,;'\"")
    # A dot read for the slash before a year or a register's symbol ("45.1984", "387.KS").
    text = re.sub(r"^(\d{1,5})\.(\d{4}\b|(?:" + "|".join(REGISTER_SYMBOLS) + r")(?![A-Z]))",
                  r"\1/\2", text)
    text = _slash_lost(text, issued_on)
    m = re.match(r"[0-9OQILl]{1,5}(?:/(?:\d{4}|[A-ZĐ]{1,6}))*", text)
    text = m.group(0) if m else text
    parts = text.split("/")
    parts[0] = clean_digits(parts[0])
    text = "/".join(parts)
    m = _NUMBER.match(text)
    if not m or int(m.group(1)) == 0:
        return Checked(None, "number_format")
    if m.group(2) and issued_on is not None and int(m.group(2)) not in (
            issued_on.year, issued_on.year - 1):
        return Checked(None, "number_year_mismatch")
    return Checked(text)


# The label's tail read before a place ("1: " or "h: " of "sinh:"): up to three letters
# or digits and a colon.
_LABEL_TAIL = re.compile(r"^\w{0,3}\s*:\s*")


def _place_text(raw: str) -> str:
    return _LABEL_TAIL.sub("", _text(raw))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# Unit words, folded, as a line model may read them without the comma before them or
# with a mark slipped ("tịnh" for "tỉnh", "thạnh phố").
_UNIT_WORD = re.compile(
    r"(?<=\S)[\s.,]+(?=(xa|phuong|thi tran|huyen|quan|thi xa|thanh pho|tinh)\b)", re.IGNORECASE)


def _unit_commas(text: str) -> str:
    """"Xã Tuyên Thạnh thị xã Kiến Tường tỉnh Long An" with the commas the forms put
    before each unit ("…, thị xã …, tỉnh …"); dots read between words become spaces."""
    folded = fold_aligned(text)
    out, last = [], 0
    for m in _UNIT_WORD.finditer(folded):
        if "thi" in folded[max(0, m.start() - 4):m.start()].lower():
            continue  # the "xã" of "thị xã"
        out.append(text[last:m.start()])
        out.append(", ")
        last = m.end()
    out.append(text[last:])
    joined = re.sub(r"(?<=\w)\.+(?=\w)", " ", "".join(out))
    # No comma right after a type word ("Phường, Xuân Sơn").
    joined = re.sub(r"(?i)\b(xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh)\s*,\s*", r"\1 ",
                    joined)
    return " ".join(joined.split())


_KINDS = {"benh vien": "Bệnh viện", "trung tam y te": "Trung tâm Y tế", "tram y te": "Trạm Y tế",
          "nha ho sinh": "Nhà hộ sinh", "phong kham": "Phòng khám"}


def _facility_kind(text: str) -> str:
    """A facility's kind in its spelling ("Bệnh viên" → "Bệnh viện", "Trạm Ytế", "Bệnh
    xiên", "ệnh viện"): the kind is a closed list, its letters and marks carry no
    information, so a prefix of the reading within an edit or two of one is that kind."""
    folded = fold_aligned(text).lower()
    # A ward's kind spelled right is no facility's a letter or two off ("Phường Phạm
    # Thái" is no "Phòng khám Thái").
    if re.match(r"(phường|xã|thị trấn) ", text.lower()):
        return text
    # The reading's letters with where each ends in ``text`` (spaces and dots skipped).
    letters = [(c, i + 1) for i, c in enumerate(folded) if c not in " ._,:;'\""]
    squeezed = "".join(c for c, _ in letters)
    best: tuple[int, int, int, str] | None = None
    for key, kind in _KINDS.items():
        want = key.replace(" ", "")
        edits = 1 if len(want) <= 7 else 2
        for n in range(max(1, len(want) - edits), min(len(squeezed), len(want) + edits) + 1):
            d = distance(squeezed[:n], want, edits)
            if d <= edits and (best is None or (d, abs(n - len(want))) < best[:2]):
                best = (d, abs(n - len(want)), letters[n - 1][1], kind)
    if best is None:
        return text
    return best[3] + " " + text[best[2]:].lstrip(" .")


def check_place(raw: str, issued_on: date | None) -> Checked:
    """A birth place: an address whose units are on the official list of the time (the
    units' official spelling is proposed), or a health facility followed by such units."""
    text = _unit_commas(_facility_kind(_place_text(raw)))
    facility = ""
    if HOSPITAL.match(text):
        # "Bệnh viện đa khoa Nam Định, tỉnh Nam Định": the facility's own name is not on
        # any list; the units after it must be.
        head, sep, rest = text.partition(",")
        if not sep:
            return Checked(None, "place_unmatched")
        facility, text = head.strip(), rest.strip()
        if _care_misread(facility):
            return Checked(None, "place_care_misread")
    match = match_issuer("Ủy ban nhân dân " + text, issued_on)
    if match.official is None:
        return Checked(None, "place_ambiguous" if match.candidates else "place_unmatched")
    if not facility and match.unit is not None and match.unit.level == "province":
        return Checked(None, "place_too_vague")  # a province alone is no birth place
    # The list's spelling is proposed: it corrects a letter or a mark the reading lost.
    units = match.official.removeprefix("Ủy ban nhân dân ").strip()
    return Checked(f"{facility}, {units}" if facility else _cap(units))


def _care_misread(facility: str) -> bool:
    """A hospital whose kind of care, as read, is a letter or a mark from a usual one
    without being it ("đa khaa", "Phụ Sơn"): misread, whatever its place reads as (fresh
    draw 3301: "Bệnh viện đa khaa Hãu I" was proposed, its place matching no unit, so
    ``_facility_names`` did not replace it)."""
    if not facility.startswith("Bệnh viện "):
        return False
    words = facility[len("Bệnh viện "):].split()
    heads = {care: " ".join(words[:len(care.split())]) for care in HOSPITAL_CARE}
    if any(head.lower() == care.lower() for care, head in heads.items()):
        return False
    # Not "Nhi": a letter from it are names of their own ("Bệnh viện Nhà Bè").
    return any(_care_near(key_of(head), key_of(care)) for care, head in heads.items()
               if len(key_of(care)) >= 5)


# Letters a kind of care of six letters or more may be off by and still be that kind
# misread: fresh draw 1223 proposed "Bệnh viện Phai sản Hồ Chí Minh" (two from "Phụ
# sản"); a shorter one ("Nhi") one letter.
CARE_EDITS = 2


def _care_near(read: str, care: str) -> bool:
    edits = CARE_EDITS if len(care) >= 6 else 1
    return distance(read, care, edits) <= edits


def check(key: str, raw: str, issued_on: date | None) -> Checked:
    if key in ("name", "mother_name", "father_name"):
        return check_name(raw)
    if key == "birth_date":
        return check_date(raw, issued_on)
    if key == "number":
        return check_number(raw, issued_on)
    if key == "birth_place":
        return check_place(raw, issued_on)
    raise ValueError(f"no check for {key!r}")


# ---------------------------------------------------------------- place candidates

# Units kept per level when a reading is matched down the hierarchy (province, then its
# districts, then their wards): enough for a letter or two misread in each name.
PLACE_SHORTLIST = 3
PLACE_NAME_EDITS = 2  # folded letters a facility's place name may be off by
_KIND_PREFIX = re.compile(r"^(thanh pho|thi xa|thi tran|tinh|huyen|quan|phuong|xa)\s+",
                          re.IGNORECASE)


def _segment_keys(segment: str) -> set[str]:
    """A unit's segment as keys of its name: without its kind, and also without a first
    word or two read a letter off a kind ("tinMH Đến Tre", "tảnh Thanh Hứa") or a stray
    letter before a kind (the label's or the dots' remains: "r Xã Thiểu Tác"), which
    otherwise count as letters of the name and take the nearest units elsewhere. Both,
    since a name may itself be a letter off a kind ("Quảng Ninh", "Thạnh Phú")."""
    words = fold_aligned(segment).strip().split()
    keys = {key_of(_KIND_PREFIX.sub("", " ".join(words)))}
    while len(words) > 1 and len(key_of(words[0])) <= 2 and _kind_words(words[1:]):
        words.pop(0)
    keys.add(key_of(_KIND_PREFIX.sub("", " ".join(words[_kind_words(words):]))))
    return keys


def _kind_words(words: list[str]) -> int:
    """How many of ``words`` (folded) at their start are a unit's kind, as spelled or a
    letter off for a kind of four letters or more; 0 when they are none."""
    for n in (2, 1):
        head = " ".join(w.lower().strip(".,;:") for w in words[:n])
        if len(words) > n and any(
                k.count(" ") == n - 1 and (head == k or (len(k) >= 4 and distance(head, k, 1) <= 1))
                for k in (*_UNIT_WORDS, "xa")):
            return n
    return 0


def _nearest(units: list[Unit], segment: str) -> list[Unit]:
    keys = _segment_keys(segment)
    return sorted(units, key=lambda u: min(distance(k, u.key) for k in keys))[:PLACE_SHORTLIST]


def _lower_kind(name: str) -> str:
    words = name.split()
    kind = 2 if fold_aligned(" ".join(words[:2])).lower() in (
        "thanh pho", "thi xa", "thi tran") else 1
    return " ".join([w.lower() for w in words[:kind]] + words[kind:])


@functools.cache
def units_by_group() -> dict[tuple[str, str], list[Unit]]:
    """Every unit of the legacy list, whenever it stood: ("province", "") → provinces,
    ("in", code) → the province's units (itself, its districts, its wards)."""
    out: dict[tuple[str, str], list[Unit]] = {("province", ""): []}
    for units in index_for("legacy").by_key.values():
        for u in units:
            out.setdefault(("in", u.province_code), []).append(u)
            if u.level == "province":
                out[("province", "")].append(u)
    return out


class _UnitsOn:
    """The units standing on a day, by group (``units_by_group``), each group filtered
    when it is asked for: filtering the whole list for each form's day cost 60 ms a page
    (fresh draw 3301), and a place needs the provinces and two or three of them."""

    def __init__(self, issued_on: date | None) -> None:
        self.issued_on = issued_on
        self.groups: dict[tuple[str, str], list[Unit]] = {}

    def __getitem__(self, key: tuple[str, str]) -> list[Unit]:
        if key not in self.groups:
            self.groups[key] = [u for u in units_by_group().get(key, [])
                                if u.stands_on(self.issued_on)]
        return self.groups[key]


@functools.lru_cache(maxsize=64)
def _units_on(issued_on: date | None) -> _UnitsOn:
    """The units standing on a day: ("province", "") → provinces, ("in", code) → the
    province's units (itself, its districts, its wards)."""
    return _UnitsOn(issued_on)


def _short(name: str) -> str:
    """A unit's name without its kind: "Thị xã Kiến Tường" → "Kiến Tường"."""
    kind = _lower_kind(name).split()
    return " ".join(w for w in kind if not w.islower() or w[:1].isdigit()) or name


def _facility_names(facility: str, units: list[Unit]) -> list[str]:
    """The facility as read, and with the place its name ends with ("Bệnh viện đa khoa Nam
    Định", "Trạm Y tế Bình Sa") replaced by the nearest units' names in its province."""
    # Dots read between a facility's words are none of its name ("Sản.- Nhi", "Bình. Sa").
    words = re.sub(r"\s*\.+\s*", " ", facility).split()
    facility = " ".join(words)
    shorts = {_short(u.name) for u in units}
    near: list[tuple[int, str]] = []
    for k in (1, 2, 3):
        if len(words) <= k + 1:
            break
        head, tail = " ".join(words[:-k]), key_of(" ".join(words[-k:]))
        near += [(d, f"{head} {s}") for s in shorts
                 if (d := distance(tail, key_of(s), PLACE_NAME_EDITS)) <= PLACE_NAME_EDITS]
    # No unit's name near its end: the facility's own name, as read.
    names = [name for _, name in sorted(near)[:PLACE_SHORTLIST]] or [facility]
    # A hospital's kind of care as the usual names spell it, for the ink to choose from
    # ("Sản..Nhi." is "Sản - Nhi").
    if facility.startswith("Bệnh viện "):
        for name in list(names):
            place = _place_tail(name, shorts)
            if not place:
                continue
            names += [f"Bệnh viện {care} {place}" for care in HOSPITAL_CARE]
            # A kind of care a letter or a mark from a usual one is that one misread ("đa
            # khọa", "Phụ Sơn", "Sán - Nhi"): as read, the ink would choose it.
            care = name[len("Bệnh viện "):-len(place)].strip()
            if care not in HOSPITAL_CARE and any(
                    _care_near(key_of(care), key_of(c)) for c in HOSPITAL_CARE):
                names.remove(name)
    return names


# Kinds of care in hospitals' names where births are registered.
HOSPITAL_CARE = ("đa khoa", "Phụ sản", "Sản - Nhi", "Nhi", "đa khoa khu vực")


def _place_tail(name: str, shorts: set[str]) -> str:
    """The unit's name a facility's name ends with, if any."""
    return max((s for s in shorts if name.endswith(" " + s)), key=len, default="")


_UNIT_WORDS = ("huyen", "quan", "tinh", "phuong", "thanh pho", "thi xa", "thi tran")


def _fuzzy_segments(text: str) -> list[str]:
    """The address cut before each word a letter away from a unit's kind ("huyệa Tân
    Hiệp", "lỉnh Kiên Giang"), the first word (the ward's kind) left to its segment."""
    words = text.replace(",", " ").split()
    folded = [fold_aligned(w).lower().strip(".,;:") for w in words]
    cuts: list[int] = []
    for i in range(1, len(words)):
        pair = f"{folded[i]} {folded[i + 1]}" if i + 1 < len(words) else ""
        kind = any(distance(pair, k, 1) <= 1 for k in _UNIT_WORDS if " " in k) or any(
            len(folded[i]) >= 4 and distance(folded[i], k, 1) <= 1
            for k in _UNIT_WORDS if " " not in k)
        if kind and (not cuts or i - cuts[-1] >= 2):
            cuts.append(i)
    bounds = [0, *cuts, len(words)]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds) if b > a]


def place_candidates(raw: str, issued_on: date | None) -> list[str]:
    """Addresses from the official list near a birth place's reading, written as the forms
    write them ("Xã A, huyện B, tỉnh C"; "<facility as read>, tỉnh C"): a line model's
    per-character probabilities then say which of them the ink is (``handdecode``)."""
    text = _unit_commas(_facility_kind(_place_text(raw)))
    by_commas = [s.strip() for s in text.split(",") if s.strip()]
    if len(by_commas) < 3 and not HOSPITAL.match(text):
        by_commas = _fuzzy_segments(text) or by_commas
    out = _candidates_of(by_commas, issued_on)
    # The units cut where a word reads as a unit's kind as well, whatever the commas say:
    # a comma read inside a name ("Xã Hưng Bình, huyện, Hưng, Khê tnh Hà Tĩh") or a kind
    # read a letter off with no comma ("Tấm tỉình Bắc kan") left the province and the
    # district looked for in the wrong words, so the right address was no candidate
    # (fresh draw 1223: four places). The ink chooses among both lists.
    for candidate in _candidates_of(_fuzzy_segments(text), issued_on):
        if candidate not in out:
            out.append(candidate)
    # The reading itself when it is an address of the list: a name holding a unit's kind
    # ("Xã Cúc Phương, huyện Nho Quan") is cut at that word, and the ward looked for
    # under the wrong letters (read right, "Xã Phú Sơn" was proposed for it).
    # (before the commas are put at the kinds' words: "Xã Cúc, Phương, huyện Nho, Quan").
    written = " ".join(_facility_kind(_place_text(raw)).split())
    if written not in out and official_address(written, issued_on):
        out.insert(0, written)
    return out


def _candidates_of(segments: list[str], issued_on: date | None) -> list[str]:
    """``place_candidates`` of the address cut into its units' segments."""
    # A mark or a letter or two before the address is the label's tail or the dots' ("r,
    # Xã Trng Thành, …" on fresh draw 3301: the ward was looked for as "r").
    while len(segments) > 1 and len(key_of(segments[0])) <= 2:
        segments.pop(0)
    if not segments:
        return []
    units = _units_on(issued_on)
    provinces = _nearest(units[("province", "")], segments[-1])
    if HOSPITAL.match(segments[0]):
        facility = segments[0] if len(segments) > 1 else " ".join(segments[0].split()[:-2])
        return [f"{name}, {_lower_kind(p.name)}" for p in provinces
                for name in _facility_names(facility, units[("in", p.province_code)])]
    if len(segments) < 3:
        return []
    codes = {p.province_code: p for p in provinces}
    districts = _nearest([u for c in codes for u in units[("in", c)] if u.level == "district"],
                         segments[-2])
    dcodes = {d.district_code for d in districts}
    wards = _nearest([u for c in codes for u in units[("in", c)]
                      if u.level == "ward" and u.district_code in dcodes], segments[0])
    ward_district = {d.district_code: d for d in districts}
    return [f"{w.name}, {_lower_kind(ward_district[w.district_code].name)}, "
            f"{_lower_kind(codes[w.province_code].name)}" for w in wards]


def official_address(text: str, issued_on: date | None) -> bool:
    """Whether ``text`` is a ward's full address exactly as ``place_candidates`` writes
    it from the list ("Xã A, huyện B, tỉnh C"), marks and all, of a ward standing on
    ``issued_on``. The issuer matcher ``check_place`` relies on does not trust one
    reading's marks, as OCR slips on them: two wards of one district whose names differ
    by marks alone ("Xã Trà Don" / "Xã Trà Dơn", 62 units of the list) are a tie there
    (``place_ambiguous``). A candidate written from the list carries the list's marks,
    and the ink's probability already chose it over its twin (``best_place``), so it is
    its own value. (When this was written the matcher also refused 2 % of the list's
    addresses for other causes, a unit's kind inside a name among them; it no longer
    does: tests/extract/test_place_forms.py.)"""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3:
        return False
    units = _units_on(issued_on)
    for province in units[("province", "")]:
        if _lower_kind(province.name) != parts[2]:
            continue
        inside = units[("in", province.province_code)]
        districts = {u.district_code for u in inside
                     if u.level == "district" and _lower_kind(u.name) == parts[1]}
        if any(u.level == "ward" and u.name == parts[0] and u.district_code in districts
               for u in inside):
            return True
    return False


# Addresses of the nearest provinces a misread address is compared with, when cutting it
# into its units found none (``anchored_candidates``).
ANCHOR_PROVINCES = 2
ANCHOR_SHORTLIST = 8


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)}


def anchored_candidates(raw: str, issued_on: date | None) -> list[str]:
    """Addresses ("Xã A, huyện B, tỉnh C") of the provinces nearest the reading's end,
    those whose folded letters share the most pairs with the whole reading's: for a
    reading whose units' kinds are misread past finding ("Xã Hà Cương "Thuyễn Hà Hòa,
    tỉnh Phú Thọ", "huyện" read 'nun'), so that it has no cut into units, while the
    province at its end and most of its letters are there. The ink chooses among them
    (``handfields.best_place``), under the same confidence floor."""
    text = _place_text(raw)
    key = key_of(text)
    if len(key) < 8 or HOSPITAL.match(_facility_kind(text)):
        return []
    units = _units_on(issued_on)
    provinces = sorted(units[("province", "")],
                       key=lambda p: distance(key[-len(_short_key(p.name)):],
                                              _short_key(p.name)))[:ANCHOR_PROVINCES]
    pairs = _bigrams(key)
    scored = []
    for p in provinces:
        inside = units[("in", p.province_code)]
        districts = {u.district_code: u for u in inside if u.level == "district"}
        for w in inside:
            d = districts.get(w.district_code) if w.level == "ward" else None
            if d is None:
                continue
            text = f"{w.name}, {_lower_kind(d.name)}, {_lower_kind(p.name)}"
            theirs = _bigrams(key_of(text))
            scored.append((len(pairs & theirs) / max(1, len(pairs | theirs)), text))
    scored.sort(reverse=True)
    return [t for _, t in scored[:ANCHOR_SHORTLIST]]


def _short_key(name: str) -> str:
    return key_of(_short(name))
