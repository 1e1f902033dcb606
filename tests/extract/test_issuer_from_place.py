"""An issuer read from the registration place ("Nơi đăng ký: Ủy ban nhân dân …") when the
header's block is unreadable is judged word by word, as a header read so would be: a word
under the issuer's threshold that the page does not print again puts it in doubt."""

from __future__ import annotations

from tests.extract.test_header_recovery import MARRIAGE
from tests.support.extract import analyze_lines as read

ISSUER = "Ủy ban nhân dân phường 1, thành phố Cao Lãnh, tỉnh Đồng Tháp"
PLACE = "Nơi đăng ký: Ủy ban nhân dân phường 1, thành phố Cao Lãnh, tỉnh Đồng Tháp"


def _page(place: list[str], header: str = "EÝ BẠN NHẪN ĐẪN") -> list[str]:
    """The marriage certificate registered in a numbered ward, its header's block read as
    nothing a unit is named by, its registration place printed as ``place``."""
    out: list[str] = []
    for line in MARRIAGE:
        if line == "ỦY BAN NHÂN DÂN XÃ MẬU A":
            out.append(header)
        elif line.startswith("Nơi đăng ký:"):
            out += place
        elif line.startswith("Ngày, tháng, năm đăng ký:"):
            out.append("Ngày, tháng, năm đăng ký: 30/10/2023")
        else:
            out.append(line)
    return out


def test_a_place_read_clearly_names_the_issuer() -> None:
    got = read(_page([PLACE]))
    assert got.fields["issuer_from"] == "registration_place"
    assert got.issuer == ISSUER
    assert got.review_reasons == []


def test_a_weak_word_of_the_place_puts_the_issuer_in_doubt() -> None:
    # The ward's figure read at 16 ("phường +1." for "phường 4" names another ward as
    # clearly as the right one would).
    got = read(_page([PLACE]), {"1,": 16.0})
    assert got.issuer == ISSUER
    assert "low_confidence:issuer" in got.review_reasons


def test_a_weak_word_the_page_prints_again_is_confirmed() -> None:
    # The dateline prints "Cao Lãnh" too: a weak "Lãnh," of the place is read right there.
    page = _page([PLACE])
    page.insert(page.index("TM. ỦY BAN NHÂN DÂN"), "Cao Lãnh, ngày 30 tháng 10 năm 2023")
    got = read(page, {"Lãnh,": 16.0})
    assert got.issuer == ISSUER
    assert "low_confidence:issuer" not in got.review_reasons


def test_a_weak_word_on_the_first_line_of_a_wrapped_place_is_seen() -> None:
    # "…, tỉnh Đồng" / "Tháp": the place's words are those of both lines.
    got = read(_page([PLACE[: -len(" Tháp")], "Tháp"]), {"1,": 16.0})
    assert got.issuer == ISSUER
    assert "low_confidence:issuer" in got.review_reasons
