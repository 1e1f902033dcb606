"""Numbers and dates written out in Vietnamese words, as civil status papers repeat them
("ghi bằng chữ") and business papers spell out amounts of money."""

from __future__ import annotations

from datetime import date

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _below_hundred(n: int) -> str:
    tens, unit = divmod(n, 10)
    if tens == 0:
        return _DIGITS[unit]
    head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
    if unit == 0:
        return head
    # Spoken forms after a ten: 5 → "lăm"; after "mươi" also 1 → "mốt", 4 → "tư".
    tail = {5: "lăm"}.get(unit) if tens == 1 else {1: "mốt", 4: "tư", 5: "lăm"}.get(unit)
    return f"{head} {tail or _DIGITS[unit]}"


def _below_thousand(n: int, *, full: bool) -> str:
    """``full`` spells the hundreds even when zero ("không trăm"), as inside a larger number."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not full:
        return _below_hundred(rest)
    head = f"{_DIGITS[hundreds]} trăm"
    if rest == 0:
        return head
    if rest < 10:
        return f"{head} linh {_DIGITS[rest]}"
    return f"{head} {_below_hundred(rest)}"


def number_words(n: int) -> str:
    """0 ≤ n < 10^12 in words: 2013 → "hai nghìn không trăm mười ba"."""
    if not 0 <= n < 10**12:
        raise ValueError(f"out of range: {n}")
    if n == 0:
        return _DIGITS[0]
    groups: list[str] = []
    for scale, name in ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn"), (1, "")):
        value, n = divmod(n, scale)
        if value:
            words = _below_thousand(value, full=bool(groups))
            groups.append(f"{words} {name}".strip())
    return " ".join(groups)


def date_words(day: date) -> str:
    """12/05/2019 → "Ngày mười hai, tháng năm, năm hai nghìn không trăm mười chín"."""
    return (f"Ngày {number_words(day.day)}, tháng {number_words(day.month)}, "
            f"năm {number_words(day.year)}")


def money_words(vnd: int) -> str:
    """150000000 → "Một trăm năm mươi triệu đồng"."""
    words = number_words(vnd)
    return f"{words[0].upper()}{words[1:]} đồng"
