from __future__ import annotations

from datetime import date

import pytest

from specimens import date_words, generate, money_words, number_words


@pytest.mark.parametrize(("n", "words"), [
    (0, "không"), (10, "mười"), (15, "mười lăm"), (21, "hai mươi mốt"),
    (24, "hai mươi tư"), (105, "một trăm linh năm"), (110, "một trăm mười"),
    (1988, "một nghìn chín trăm tám mươi tám"), (2005, "hai nghìn không trăm linh năm"),
    (2013, "hai nghìn không trăm mười ba"), (1_250_000_000, "một tỷ hai trăm năm mươi triệu"),
])
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_dates_and_money_in_words() -> None:
    assert date_words(date(2019, 5, 12)) == (
        "Ngày mười hai, tháng năm, năm hai nghìn không trăm mười chín")
    assert money_words(150_000_000) == "Một trăm năm mươi triệu đồng"
    with pytest.raises(ValueError):
        number_words(-1)


def test_birth_certificates_repeat_the_birth_date_in_words() -> None:
    spec = generate("birth_certificate", 8)
    birth = date.fromisoformat(spec.subjects[0]["birth_date"] or "")
    flat = " ".join(line.strip() for line in spec.lines)
    assert f"Ghi bằng chữ: {date_words(birth)}" in flat
