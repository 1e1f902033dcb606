"""A paper's number ending in the symbol its type prints (catalog ``number_symbols``).

The title types the paper apart from the header's number, so a symbol read as the type's
own was read right: its letters need no more confidence than the digits do, and a slash
OCR read as a letter or a space right before it is where the template prints one.
"""

from __future__ import annotations

from records.result_types import cached_result_types
from tests.extract.test_header_recovery import CRIMINAL
from tests.support.extract import analyze_lines as read


def _criminal(number: str, confidence: float | None = None) -> list[str]:
    return [ln.replace("Số: 1434/STP", f"Số: {number}") for ln in CRIMINAL]


def test_the_catalog_lists_each_types_symbols() -> None:
    catalog = cached_result_types()
    assert catalog["criminal_record_certificate"].number_symbols == ("LLTP", "STP-LLTP")
    assert catalog["construction_permit"].number_symbols == ("GPXD",)
    assert catalog["birth_certificate"].number_symbols == ("KS",)


def test_the_types_own_symbol_read_weakly_keeps_the_digits_threshold() -> None:
    # "2783/LLTP" at 61: under the 70 a symbol's letters need, over the 55 of digits. No
    # ``low_confidence``; the figures, read once below NUMBER_SURE, wait for the second
    # reading of the line (``number_unconfirmed``, tests/extract/test_number_read_once.py).
    unconfirmed = ["number_unconfirmed:document_number"]
    assert read(_criminal("2783/LLTP"), {"2783/LLTP": 61.0}).review_reasons == unconfirmed
    assert read(_criminal("23/STP-LLTP"), {"23/STP-LLTP": 58.0}).review_reasons == unconfirmed
    # The digits' own threshold still holds.
    assert "low_confidence:document_number" in (
        read(_criminal("2783/LLTP"), {"2783/LLTP": 50.0}).review_reasons
    )


def test_another_symbol_read_weakly_is_still_doubted() -> None:
    # "LUTP" (a slip of LLTP) and "KS" (a birth certificate's) are not this paper's.
    for number in ("2783/LUTP", "2783/KS", "1434/STP"):
        reasons = read(_criminal(number), {number: 61.0}).review_reasons
        assert "low_confidence:document_number" in reasons, number


def test_a_slash_read_as_a_letter_or_space_before_the_types_symbol_is_no_guess() -> None:
    for printed in ("2783ILLTP", "2783lLLTP", "2783 LLTP", "2783|STP-LLTP"):
        got = read(_criminal(printed))
        assert got.document_number == printed.replace("I", "/").replace("l", "/").replace(
            " ", "/"
        ).replace("|", "/"), printed
        assert got.review_reasons == [], printed


def test_other_repairs_of_the_number_stay_guesses() -> None:
    # Before a symbol the type does not print ("STP" alone), the slash is a guess.
    for printed, number in (("1434 STP", "1434/STP"), ("1434ISTP", "1434/STP")):
        got = read(_criminal(printed))
        assert got.document_number == number
        assert "number_format:document_number" in got.review_reasons, printed
    # A number torn at a space, or cut by a mark, is not confirmed by its symbol.
    torn = read(_criminal("27 83/LLTP"))
    assert torn.document_number == "2783/LLTP"
    assert "number_format:document_number" in torn.review_reasons
    # Digits alone on a type that numbers with a symbol: the symbol was lost.
    assert "number_format:document_number" in read(_criminal("2783")).review_reasons


def test_a_dot_or_a_figure_among_the_symbols_letters_is_a_misread() -> None:
    # Draw 3697 e0043: "Số: 9471/STP-I.LTP" read at 74 (over the symbol's 70) for
    # STP-LLTP was marked ready; a symbol is capitals joined by hyphens.
    for number in ("9471/STP-I.LTP", "2578/L1.TP", "12/2021/K5"):
        reasons = read(_criminal(number), {number: 90.0}).review_reasons
        assert "number_format:document_number" in reasons, number
    for number in ("9471/STP-LLTP", "12/2021/LLTP", "1434/STP"):
        reasons = read(_criminal(number), {number: 90.0}).review_reasons
        assert "number_format:document_number" not in reasons, number
