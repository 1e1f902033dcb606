"""Restoring lost diacritics in names never rewrites diacritics OCR did read."""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze
from extract.names import restore_name
from records import ReviewReason
from specimens import generate
from tests.support.extract import words_from_lines

# Criminal record certificate, seed 3, issued to TRẦN THANH LAN.
CERTIFICATE = generate("criminal_record_certificate", 3).text


def name_read(printed: str) -> tuple[str | None, list[ReviewReason]]:
    text = CERTIFICATE.replace("TRẦN THANH LAN", printed)
    got = analyze([text], [words_from_lines(text.split("\n"))], today=date(2025, 1, 1))
    return got.subjects[0].name, got.review_reasons


@pytest.mark.parametrize(
    ("printed", "stored"),
    [
        ("NGUYỄN VÂN ANH", "Nguyễn Vân Anh"),  # Vân is not a lost Văn
        ("ĐƯỜNG VĂN AN", "Đường Văn An"),  # đ is never turned into d
        ("NGUYỄN THI NGỌC", "Nguyễn Thị Ngọc"),  # a guess: flagged below
    ],
)
def test_read_diacritics_are_kept(printed: str, stored: str) -> None:
    assert name_read(printed)[0] == stored


def test_correctly_read_names_go_through_without_review() -> None:
    assert name_read("NGUYỄN VÂN ANH")[1] == []
    assert name_read("ĐƯỜNG VĂN AN")[1] == []


def test_a_guessed_middle_name_goes_to_review() -> None:
    name, reasons = name_read("LÊ THI NGỌC")
    assert name == "Lê Thị Ngọc"
    assert reasons == ["name_guessed:subjects[0].name"]


def test_only_lost_marks_are_added_silently() -> None:
    assert restore_name("Nguyen Van Hung") == ("Nguyễn Văn Hung", True)  # Van: Văn or Vân
    assert restore_name("Nguyên Thị Duyên") == ("Nguyễn Thị Duyên", False)  # Ê read, ~ lost
    assert restore_name("Dang Thu Ha") == ("Đặng Thu Ha", False)  # d → đ adds a stroke
    assert restore_name("Vân Anh") == ("Vân Anh", False)
    assert restore_name("Đương Văn An") == ("Đương Văn An", False)
    assert restore_name("Nguyễn Vấn An") == ("Nguyễn Vấn An", False)  # a middle mark read


def test_a_family_name_whose_read_mark_changes_is_restored_but_reported() -> None:
    # Tesseract's usual tone slip on capitals; Lường is a real (rare) family name, hence review.
    assert restore_name("Trấn Văn Nam") == ("Trần Văn Nam", True)
    assert restore_name("Lường Văn Nam") == ("Lương Văn Nam", True)
