"""The signer's block (title, seal, pen signature, the signer's name) read once more
where the page's reading of it is in doubt, and that reading kept only where it reads
clearly more."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import ocr
from evalset.generate import doc_seed, make_document
from ocr import engine
from ocr.plan import plan_pages

Word = engine.Word


def _line(texts: tuple[str, ...], y: int, confidence: float | tuple[float, ...],
          key: int) -> list[Word]:
    """One line of words at height ``y``; ``key`` its block (a second reading's lines
    are told apart by their paragraph, as ``read_despeckled`` numbers them)."""
    confidences = (confidence if isinstance(confidence, tuple)
                   else (confidence,) * len(texts))
    return [Word(text=t, confidence=c, bbox=(900 + 110 * k, y, 1000 + 110 * k, y + 30),
                 line=(key, key, 1))
            for k, (t, c) in enumerate(zip(texts, confidences, strict=True))]


PAGE = Image.new("L", (1654, 2339), 255)
DATE = _line(("Hà", "Nội,", "ngày", "01", "tháng", "10", "năm", "2024"), 1500, 95.0, 1)
TITLE = _line(("CHỦ", "TỊCH"), 1550, 95.0, 2)


def test_a_signers_name_under_a_seal_and_a_pen_stroke_is_read(tmp_path: Path) -> None:
    """Dev e0071 (a household business registration, ink bleed, made with the
    generator): the layout takes the signer's block for a picture and the skipped
    patch reads as "cm, Ý"; read once more with what is lighter than print lifted, the
    name is there. (Since the generator prints units of the paper's date, this page
    names a district's office; its block is still read again, 2 lines replaced.)"""
    truth = make_document(tmp_path, "e0071", doc_seed(13, 71), "ink_bleed",
                          "household_business_registration", "dev")
    path = tmp_path / truth.file
    result = ocr.run_page(plan_pages(str(path), "image/png", out_dir=str(tmp_path))[0])
    tail = engine._fold(" ".join(result.text.splitlines()[-6:]))
    assert "MINH KHOI" in tail
    # The title the page read stays. Taken from the truth: the generator prints the
    # agency of the paper's date, so the title follows the unit drawn ("CHỦ TỊCH" for a
    # commune's committee, "TRƯỞNG PHÒNG" for a district's office).
    lines = truth.pages[0].splitlines()
    title = lines[lines.index("(Ký, ghi rõ họ tên, đóng dấu)") - 1]
    assert engine._fold(title) in tail


def test_a_block_read_well_is_not_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A confidently read name under the title: no second reading (no tesseract call)."""
    def never(*_args: object, **_kwargs: object) -> list[Word]:
        raise AssertionError("read again")

    monkeypatch.setattr(engine, "read_despeckled", never)
    words = DATE + TITLE + _line(("Nguyễn", "Văn", "An"), 1800, 93.0, 3)
    assert engine.signer_read_again(PAGE, words, tmp_path, dpi=200,
                                    languages="vie") == (words, ())


def test_a_name_lost_under_the_seal_is_replaced_by_the_clearer_reading(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page read the name's place as noise; the second reading holds the name: its
    line replaces the noise, the title the page read stays the page's (the second
    reading of it differs by a mark, which is no reason to trade)."""
    noise = _line(("cm,", "Ý"), 1800, (0.0, 37.0), 3)
    again = (_line(("CHU", "TỊCH"), 1550, 97.0, 1)
             + _line(("NGUYÊN", "MINH", "KHÔI"), 1802, 94.0, 2))
    monkeypatch.setattr(engine, "read_despeckled", lambda *_a, **_k: again)
    words, notes = engine.signer_read_again(PAGE, DATE + TITLE + noise, tmp_path, dpi=200,
                                            languages="vie")
    assert [w.text for w in words] == [w.text for w in DATE + TITLE] + ["NGUYÊN", "MINH",
                                                                        "KHÔI"]
    assert notes


def test_a_second_reading_no_clearer_leaves_the_page_as_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name read with one doubtful piece ("w n Quỳnh Hoa") and a second reading no
    more confident ("N n Quynh Hoa"): the page's reading stands."""
    name = _line(("w", "n", "Quỳnh", "Hoa"), 1800, (76.0, 63.0, 96.0, 96.0), 3)
    again = _line(("N", "n", "Quynh", "Hoa"), 1800, (1.0, 90.0, 86.0, 96.0), 2)
    monkeypatch.setattr(engine, "read_despeckled", lambda *_a, **_k: again)
    words = DATE + TITLE + name
    assert engine.signer_read_again(PAGE, words, tmp_path, dpi=200,
                                    languages="vie") == (words, ())


def test_a_failed_second_reading_keeps_the_page_as_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object, **_kwargs: object) -> list[Word]:
        raise RuntimeError("tesseract failed (1)")

    monkeypatch.setattr(engine, "read_despeckled", refused)
    words = DATE + TITLE + _line(("cm,", "Ý"), 1800, (0.0, 37.0), 3)
    assert engine.signer_read_again(PAGE, words, tmp_path, dpi=200,
                                    languages="vie") == (words, ())


def test_the_block_lies_under_the_last_place_and_date_line() -> None:
    """Not under a date of birth in the paper's body ("Ngày, tháng, năm sinh")."""
    body = _line(("Ngày,", "tháng,", "năm", "sinh:", "01/02/1990"), 600, 95.0, 9)
    box = engine.signer_block(PAGE, body + DATE + TITLE)
    assert box is not None
    assert box[1] == 1530 and box[0] < 900 and box[2] == PAGE.width  # a text height more
    assert engine.signer_block(PAGE, body) is None


def test_a_block_read_down_to_its_titles_only_gets_its_short_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh draw 7127's e0018: the titles read, nothing under them (the name lost
    under the seal); read again, the name is three two-letter words read surely, which
    a pen signature's scatter of letters never is."""
    name = _line(("VŨ", "MỸ", "MỸ"), 1800, 96.0, 2)
    monkeypatch.setattr(engine, "read_despeckled", lambda *_a, **_k: name)
    words, _ = engine.signer_read_again(PAGE, DATE + TITLE, tmp_path, dpi=200,
                                        languages="vie")
    assert [w.text for w in words][-3:] == ["VŨ", "MỸ", "MỸ"]
    scatter = _line(("V", "x", "MỸ"), 1800, (40.0, 30.0, 60.0), 2)
    monkeypatch.setattr(engine, "read_despeckled", lambda *_a, **_k: scatter)
    assert engine.signer_read_again(PAGE, DATE + TITLE, tmp_path, dpi=200,
                                    languages="vie") == (DATE + TITLE, ())


def test_a_misread_date_line_still_heads_the_block() -> None:
    """Fresh draw 4703's ink-bleed pages read the place-and-date line "Kơn Tum, ngày 26
    thông 11 năm 2019" and "Tây "'“" ¬¬ày 18 tháng 11 năm 2026": a day, a word, a month,
    a word and a year still make it the block's head (their names were read again
    there: e0023 95 -> 79, e0041 110 -> 99 errors). A date in the body ("Ngày, tháng,
    năm đăng ký: 04/10/2026") does not."""
    misread = _line(("Kơn", "Tum,", "ngày", "26", "thông", "11", "năm", "2019"), 1500, 80.0, 1)
    box = engine.signer_block(PAGE, misread + TITLE)
    assert box is not None and box[1] == 1530
    smudged = _line(("Tây", "¬¬ày", "18", "tháng", "11", "năm", "2026"), 1500, 80.0, 1)
    assert engine.signer_block(PAGE, smudged + TITLE) is not None
    body = _line(("Ngày,", "tháng,", "năm", "đăng", "ký:", "04/10/2026"), 1500, 95.0, 1)
    box = engine.signer_block(PAGE, body + TITLE)
    assert box is not None and box[1] != 1530  # hung from the title, not from that date


def test_without_a_date_line_the_block_hangs_from_the_signers_titles() -> None:
    """Birth, death and marriage extracts have no place-and-date line over the signer
    (the date is in the body: "Ngày, tháng, năm đăng ký"): the block starts at its first
    title line ("TM. ỦY BAN NHÂN DÂN" over "CHỦ TỊCH"), as wide as a date line would be
    about the titles' middle. Titles in the page's upper part (the header's agency) or
    in mixed case in the body ("Nơi đăng ký: Ủy ban nhân dân …") head nothing."""
    agency = _line(("ỦY", "BAN", "NHÂN", "DÂN", "HUYỆN", "KẾ", "SÁCH"), 200, 95.0, 7)
    body = _line(("Ủy", "ban", "nhân", "dân", "xã", "Kế", "An"), 1400, 95.0, 8)
    office = _line(("TM.", "ỦY", "BAN", "NHÂN", "DÂN"), 1490, 95.0, 5)
    height = 30
    box = engine.signer_block(PAGE, agency + body + office + TITLE)
    assert box is not None
    assert box[1] == 1490 - height // 2  # the first title's top, half a line above
    middle = (900 + 1000 + 110 * 4) // 2
    assert box[0] < 900 and box[0] == middle - round(0.2 * PAGE.width) - height
    assert box[3] == box[1] + engine.SIGNER_BLOCK_LINES * height
    # A lone title works too ("TRƯỞNG PHÒNG" of a district's office), misread accents
    # and all ("TRƯỜNG PHÒNG").
    office_head = _line(("TRƯỜNG", "PHÒNG"), 1550, 90.0, 6)
    assert engine.signer_block(PAGE, body + office_head) is not None
    assert engine.signer_block(PAGE, agency + body) is None


def test_a_name_read_as_one_word_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dev e0091 (a photocopied business registration): under "TRƯỞNG PHÒNG" the seal
    and the pen left "MỸ" of "KIỀU PHƯƠNG MỸ", read surely. A Vietnamese name is two
    words or more: the block is in doubt, and read again."""
    calls: list[int] = []

    def again(*_args: object, **_kwargs: object) -> list[Word]:
        calls.append(1)
        return _line(("KIỀU", "PHƯƠNG", "MỸ"), 1802, 90.0, 2)

    monkeypatch.setattr(engine, "read_despeckled", again)
    title = _line(("TRƯỞNG", "PHÒNG"), 1550, 96.0, 2)
    remnant = _line(("`...", "MỸ", "-."), 1800, (19.0, 91.0, 30.0), 3)
    words, notes = engine.signer_read_again(PAGE, title + remnant, tmp_path, dpi=200,
                                            languages="vie")
    assert calls and notes
    assert [w.text for w in words][-3:] == ["KIỀU", "PHƯƠNG", "MỸ"]


def test_a_photocopys_signer_left_as_one_word_is_read_again(tmp_path: Path) -> None:
    """Dev e0091 made with the generator (a household business registration, 200-dpi
    gray photocopy, no place-and-date line over "TRƯỞNG PHÒNG"): the page read "MỸ" of
    the signer "KIỀU PHƯƠNG MỸ"; its block, hung from the title and in doubt, is read
    again and the name's first words come back (14 -> 7 errors on the page)."""
    truth = make_document(tmp_path, "e0091", doc_seed(13, 91), "photocopy",
                          "household_business_registration", "dev")
    assert "KIỀU PHƯƠNG MỸ" in truth.pages[0]
    path = tmp_path / truth.file
    assert path.suffix == ".tif"
    result = ocr.run_page(plan_pages(str(path), "image/tiff", out_dir=str(tmp_path))[0])
    tail = engine._fold(" ".join(result.text.splitlines()[-4:]))
    assert "PHUONG" in tail
    assert any(note.startswith("signer's block read again") for note in result.notes)
