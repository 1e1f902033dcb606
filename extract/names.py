"""Restoring the diacritics OCR most often loses in Vietnamese names.

Only where the folded form is unambiguous in practice: the common family names
(Nguyen → Nguyễn; "Nguyên" as a family name is vanishingly rare, while tesseract
confuses Ê/Ễ all the time) and the two dominant middle names Văn and Thị.
"""

from __future__ import annotations

from extract.text import fold

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

_FAMILY = {fold(name): name for name in FAMILY_NAMES}
_MIDDLE = {fold(name): name for name in MIDDLE_NAMES}


def restore_name(name: str) -> str:
    """``Nguyên Văn Hùng`` → ``Nguyễn Văn Hùng``; other words are left as read."""
    words = name.split()
    if not words:
        return name
    words[0] = _FAMILY.get(fold(words[0]), words[0])
    if len(words) > 2:
        words[1] = _MIDDLE.get(fold(words[1]), words[1])
    return " ".join(words)


def is_family_name(word: str) -> bool:
    """Whether ``word`` (as read, any case or diacritics) folds to a common family name."""
    return fold(word).strip(" .,:;-_") in _FAMILY
