"""Restoring the diacritics OCR most often loses in Vietnamese names.

Only where the folded form is unambiguous in practice: the common family names
(Nguyen → Nguyễn; "Nguyên" as a family name is vanishingly rare, while tesseract
confuses Ê/Ễ all the time) and the two dominant middle names Văn and Thị. An Đ read
is never turned into D; middle names only gain marks (Vân and Thi are real names too);
a restoration that is a guess is reported, so the name goes to review.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import json
import re
import unicodedata
from collections.abc import Sequence

from extract.syllables import TONES, is_syllable, split_tone
from extract.text import title_case
from records.folding import fold_phrase

FAMILY_NAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Đào",
    "Mai",
    "Lương",
    "Tạ",
    "Cao",
    "Quách",
    "Lưu",
    "Đoàn",
    "Vương",
    "Trương",
    "Hà",
    "Tô",
    "Châu",
    "Lâm",
    "Thái",
)
MIDDLE_NAMES = ("Văn", "Thị")

# Other family names of the Kinh, from the published lists ("Danh sách các họ dân tộc Kinh"
# in Văn Hạnh, "Văn hóa dòng họ"; Wikipedia tiếng Việt, "Họ người Việt Nam").
# Recognised only as spelled, marks included, and never used to restore marks: several
# fold alike (Lã/La, Lữ/Lư; "Từ" folds as Tú and Tư do). Left out: those far more often
# middle or given names (An, Bá, Công, Đức, Giang, Hồng, Kim, Ngọc, Quang, Sơn, Thành,
# Văn, Xuân), which a reading that lost the family name would otherwise start with.
OTHER_FAMILY_NAMES = (
    "Âu", "Bạch", "Bành", "Bế", "Bì", "Bồ", "Ca", "Cái", "Cam", "Cấn", "Chẩu", "Chế",
    "Chu", "Chung", "Chử", "Cù", "Cung", "Diêm", "Diệp", "Doãn", "Dư", "Đái", "Đàm", "Đan",
    "Đầu", "Đậu", "Địch", "Điền", "Điêu", "Đới", "Đồng", "Đống", "Đường", "Giáp",
    "Hạ", "Hàn", "Hán", "Hầu", "Hứa", "Kha", "Khổng", "Khúc", "Khuất", "Khương", "Khưu",
    "Kiều", "La", "Lã", "Lạc", "Lại", "Lều", "Liễu", "Lò", "Lục", "Lữ", "Lư", "Ma",
    "Mã", "Mạc", "Mạch", "Mẫn", "Mông", "Nghiêm", "Ngọ", "Ngụy", "Nhâm", "Nhữ", "Ninh",
    "Nông", "Ông", "Phí", "Phó", "Phù", "Phùng", "Quan", "Quản", "Sầm", "Sử", "Tăng",
    "Tào", "Tần", "Thạch", "Thân", "Thẩm", "Thiều", "Tiêu", "Tôn", "Tống", "Trầm", "Triệu",
    "Trình", "Từ", "Tưởng", "Ung", "Uông", "Ứng", "Vi", "Viên", "Xa",
)

_FAMILY = {fold_phrase(name): name for name in FAMILY_NAMES}
_MIDDLE = {fold_phrase(name): name for name in MIDDLE_NAMES}


def _marks(char: str) -> set[str]:
    return set(unicodedata.normalize("NFD", char)[1:])


def _keeps_stroke(read: str, known: str) -> bool:
    """An Đ OCR read stays: it does not come from a D ("Đường" is not "Dương")."""
    return all(r != "đ" or k == "đ" for r, k in zip(read.lower(), known.lower(), strict=True))


def _only_adds_marks(read: str, known: str) -> bool:
    """``known`` is ``read`` with diacritics added, none changed or taken away."""
    return _keeps_stroke(read, known) and all(
        _marks(r) <= _marks(k) for r, k in zip(read.lower(), known.lower(), strict=True)
    )


def _restore_family(word: str) -> tuple[str, bool]:
    """The listed family name ``word`` folds to, and whether that changed a mark OCR read.

    Tesseract swaps tones on capitals (TRẤN, HƯỲNH for TRẦN, HUỲNH), so a changed mark is
    still restored, but reported: rare family names fold alike too (Lường, Lương).
    """
    known = _FAMILY.get(fold_phrase(word))
    if known is None or len(known) != len(word) or not _keeps_stroke(word, known):
        return word, False
    return known, not (_only_adds_marks(word, known) or _sole_spelling(word, known))


# The shapes a vowel letter takes apart from its tone: OCR slips from one to another
# (a horn read on a U, a circumflex lost), keeping the tone mark it read.
_VOWEL_SHAPES = {
    "a": "aăâ", "ă": "aăâ", "â": "aăâ", "e": "eê", "ê": "eê",
    "o": "oôơ", "ô": "oôơ", "ơ": "oôơ", "u": "uư", "ư": "uư",
}


def _sole_spelling(read: str, known: str) -> bool:
    """Whether ``known`` is the only Vietnamese syllable spelled with the letters of
    ``read`` and the one tone mark read ("NGƯYỄN": of ngu/ngư + yẽ/yễ + n with the tilde,
    only "Nguyễn" is a syllable; "HƯỲNH": only "Huỳnh").

    The mark OCR changed was then a vowel's shape no syllable allows, and the tone it read
    is the known name's: no other name, rare or not, is spelled so, and nothing is guessed.
    A reading that is itself a syllable ("TRẤN" for Trần), one whose tone is not the known
    name's, or whose letters make two syllables with that tone ("ĐÕ": Đỗ or Đỡ), stays a
    guess.
    """
    base, tones = split_tone(read)
    if len(tones) != 1 or split_tone(known)[1] != tones:
        return False
    mark = next(m for m, name in TONES.items() if name == tones[0])
    spelled = {
        letters
        for letters in map("".join, itertools.product(*(_VOWEL_SHAPES.get(c, c) for c in base)))
        # Where the mark stands does not change what syllable the letters spell.
        if is_syllable(letters + mark)
    }
    return spelled == {split_tone(known)[0]}


def _restore_middle(word: str) -> tuple[str, bool]:
    """Văn/Thị for a middle name read without their marks, and whether one was added.

    Only added: "Vân" is not a misread "Văn". An added one is a guess ("Van" may be Vân,
    "Thi" may be Thi), reported for an officer to confirm.
    """
    known = _MIDDLE.get(fold_phrase(word))
    if known is None or len(known) != len(word) or not _only_adds_marks(word, known):
        return word, False
    return known, known != word


def restore_name(name: str) -> tuple[str, bool]:
    """``Nguyên Văn Hùng`` → ``Nguyễn Văn Hùng``; other words are left as read.

    Also says whether the restoration was a guess an officer should confirm (see
    ``_restore_family`` and ``_restore_middle``).
    """
    words = name.split()
    if not words:
        return name, False
    words[0], guessed = _restore_family(words[0])
    if len(words) > 2:
        words[1], middle_guessed = _restore_middle(words[1])
        guessed = guessed or middle_guessed
    return " ".join(words), guessed


def guessed_family_only(read: str) -> str | None:
    """The family name ``restore_name`` supplied marks to in ``read`` (the name as OCR read
    it), when that was its only guess ("HƯỲNH TRỌNG TIẾN" → "Huỳnh"); ``None`` otherwise."""
    words = read.split()
    if not words:
        return None
    family, guessed = _restore_family(words[0])
    if not guessed or (len(words) > 2 and _restore_middle(words[1])[1]):
        return None
    return family


def is_family_name(word: str) -> bool:
    """Whether ``word`` (as read, any case or diacritics) folds to a common family name."""
    return fold_phrase(word).strip(" .,:;-_") in _FAMILY


_OTHER_FAMILY = frozenset(unicodedata.normalize("NFC", n).lower() for n in OTHER_FAMILY_NAMES)


def is_listed_family_name(word: str) -> bool:
    """Whether ``word`` folds to a common family name or is spelled as one of the others
    (``OTHER_FAMILY_NAMES``: "ÔNG", "Từ"; not "Tư", "Ong")."""
    spelled = unicodedata.normalize("NFC", word).strip(" .,:;-_").lower()
    return is_family_name(word) or spelled in _OTHER_FAMILY


def family_name_rank(word: str) -> int | None:
    """Where ``word``'s family name stands by how many bear it: its place in
    ``FAMILY_NAMES`` (ordered by frequency, Nguyễn first) for a common one, any marks; one
    past the list for the others (``OTHER_FAMILY_NAMES``, as spelled); None otherwise."""
    known = _FAMILY.get(fold_phrase(word).strip(" .,:;-_"))
    if known is not None:
        return FAMILY_NAMES.index(known) + 1
    return len(FAMILY_NAMES) + 1 if is_listed_family_name(word) else None


_WORD = re.compile(r"[^\W\d_]+")


def page_words(lines: Sequence[str]) -> list[list[tuple[str, str]]]:
    """Each line's words as printed with their folded form, for ``name_mentions``."""
    return [[(m.group(0), fold_phrase(m.group(0))) for m in _WORD.finditer(line)] for line in lines]


def name_mentions(name: str, words: list[list[tuple[str, str]]]) -> list[str]:
    """Every run of words on the page that folds to ``name``, as printed.

    A holder's name is usually printed twice: in capitals under "Họ và tên" and in mixed
    case in "Xét đề nghị của bà …" (or on a second page). Folding finds both however OCR
    read their marks; the marks are then compared.
    """
    target = [fold_phrase(w) for w in name.split()]
    if not target:
        return []
    found = []
    for line in words:
        folded = [f for _, f in line]
        for start in range(len(line) - len(target) + 1):
            if folded[start : start + len(target)] == target:
                found.append(" ".join(w for w, _ in line[start : start + len(target)]))
    return found


def name_readings(name: str, words: list[list[tuple[str, str]]]) -> list[str]:
    """The distinct readings of ``name`` on the page (case folded, diacritics kept).

    Family names and Văn/Thị are compared as ``restore_name`` writes them, so "NGUYÊN"
    and "Nguyễn" agree; any other mark that differs ("HÔNG" / "Hồng") is a disagreement
    only an officer can settle.
    """
    readings = {restore_name(title_case(m))[0] for m in name_mentions(name, words)}
    readings.add(name)
    return sorted(readings)


NAME_SYLLABLES_FILE = "name_syllables.json"


@functools.lru_cache(maxsize=1)
def common_syllables() -> dict[str, frozenset[str]]:
    """Common middle/given-name syllables (lower case) by their folded letters."""
    path = importlib.resources.files("extract") / "data" / NAME_SYLLABLES_FILE
    words = json.loads(path.read_text(encoding="utf-8"))["common"]
    out: dict[str, set[str]] = {}
    for word in words:
        spelled = unicodedata.normalize("NFC", word).lower()
        out.setdefault(fold_phrase(spelled), set()).add(spelled)
    return {key: frozenset(value) for key, value in out.items()}


def usual_spellings(word: str) -> list[str]:
    """Common name syllables spelled with ``word``'s letters but other marks, when ``word``
    itself is not one: "Hiên" → ["Hiền"], "Hung" → ["Hùng", "Hưng"]; "Hiền" → [].

    OCR drops and swaps marks into another real syllable ("HIÊN" for "HIỀN"); nothing in
    the spelling shows it, but such a reading names someone rarely named so, while the
    usual name is one mark away. Đ read as D counts as a mark ("Dức" → "Đức").
    """
    spelled = unicodedata.normalize("NFC", word).lower()
    common = common_syllables().get(fold_phrase(spelled), frozenset())
    if not common or spelled in common:
        return []
    return sorted(title_case(w) for w in common)


def other_usual_spellings(word: str) -> list[str]:
    """The other common name syllables spelled with ``word``'s letters ("Dũng" → ["Dung"],
    "Hùng" → ["Hưng"]; "Uyên" → []), ``word`` itself being common or not."""
    spelled = unicodedata.normalize("NFC", word).lower()
    common = common_syllables().get(fold_phrase(spelled), frozenset())
    return sorted(title_case(w) for w in common - {spelled})


def sole_usual_spelling(word: str) -> bool:
    """Whether ``word`` is a common name syllable and no other common one has its letters
    ("Uyên", "Long"; not "Hùng", which "Hưng" shares, nor "Thu" / "Thư")."""
    spelled = unicodedata.normalize("NFC", word).lower()
    return common_syllables().get(fold_phrase(spelled), frozenset()) == {spelled}
