"""Handwritten forms through the ingest path: regions from a real OCR, values proposed for
confirmation (``SOHOA_HANDWRITING=on``), nothing without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from application import Settings
from extract.handregions import ink_box, regions
from ingest.handwriting import label_words, upright_page
from ingest.pipeline import compose, receive
from ocr.pipeline import engine_name
from records import Record, ReviewReason, Status
from tests.support.handforms import GeneratedForm, needs_hand_fonts, read_generated_form

pytestmark = needs_hand_fonts
FIELDS = ("name", "birth_date", "birth_place", "number")


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> GeneratedForm:
    return read_generated_form(tmp_path_factory.mktemp("hand") / "set", seed=3,
                               classes=("blur_yellow_skew",))


def test_each_fields_crop_holds_its_handwriting(
        form: GeneratedForm) -> None:
    path, truth, pages = form
    image = upright_page(path, "application/pdf", pages[0], 200_000_000)
    assert image is not None and image.size == (pages[0].width_px, pages[0].height_px)
    found = {r.key: r for r in regions(image, label_words(image, pages[0], "vie",
                                                          list(FIELDS)))}
    # The set's dev half finds 87 % of the labels (bench/README.md); this page must give
    # at least three, and every crop found must hold its whole value.
    assert set(found) <= set(FIELDS) and len(found) >= 3
    for key, r in found.items():
        x0, y0, x1, y1 = truth.fields["handwriting"][key]["box"]
        c = ink_box(image, r)
        # The page was scanned 2° crooked and straightened: a few pixels of slack.
        assert c[0] <= x0 + 6 and c[1] <= y0 + 6 and c[2] >= x1 - 6 and c[3] >= y1 - 6, key


def test_handwriting_on_proposes_values_for_confirmation_and_off_leaves_them(
        form: GeneratedForm, tmp_path: Path) -> None:
    pytest.importorskip("asterocr")
    path, _truth, pages = form
    settings = Settings.from_env({"SOHOA_DATA": str(path.parent.parent / "data"),
                                  "SOHOA_HANDWRITING": "on"})
    assert settings.handwriting
    received = receive(path, work=tmp_path / "work", agency=settings.agency,
                       max_bytes=settings.max_upload_bytes)
    off = compose(received, pages, engine=engine_name(), languages="vie").record
    on = compose(received, pages, engine=engine_name(), languages="vie",
                 handwriting=True).record
    assert not any(r.code.startswith("handwriting") for r in off.review.reasons)
    hand = [r for r in on.review.reasons if r.code.startswith("handwriting")]
    # Every handwritten field print did not give is either proposed or left for keying,
    # and the record waits for a person either way.
    paths = {"subjects[0].name", "subjects[0].birth_date", "document_number",
             "fields.birth_place"}
    assert {r.path for r in hand} <= paths and hand
    assert on.status == Status.NEEDS_REVIEW
    note = next(e for e in on.stages if e.stage == "handwriting")
    assert {f["field"] for f in note.detail["fields"]} == {r.path for r in hand}
    for reason in hand:
        if reason.code == "handwriting_unconfirmed":
            assert ReviewReason("handwriting_unread", reason.path) not in hand
    # Printed values are never replaced.
    assert on.issued_on == off.issued_on
    # Each field's place stays on the record (typed, through its JSON): the keying
    # screen cuts the field's image from the page with it.
    kept = {r.path: r for r in Record.from_dict(on.to_dict()).regions}
    assert set(kept) == {r.path for r in hand}
    size = (pages[0].width_px, pages[0].height_px)
    assert all(r.page == 1 and r.page_size == size and r.box[0] < r.box[2] <= size[0]
               for r in kept.values())


def test_labels_in_words_the_ocr_dropped_need_no_second_reading(
        monkeypatch: pytest.MonkeyPatch, form: GeneratedForm) -> None:
    import dataclasses

    from PIL import Image

    import ingest.handwriting as hw
    from extract.handregions import find_labels
    from ocr import Word

    _path, _truth, pages = form
    # The real OCR keeps aside what it dropped as noise, under line keys of its own.
    assert all(isinstance(w, Word) for w in pages[0].dropped_words)
    line = (20001, 1, 1)
    dropped = [Word("Ngày,", 95, (200, 700, 280, 730), line),
               Word("tháng,", 95, (290, 700, 380, 730), line),
               Word("năm", 95, (390, 700, 450, 730), line),
               Word("sinh:..12/3/1990", 20, (460, 690, 900, 735), line)]
    page = dataclasses.replace(pages[0], words=[], dropped_words=dropped)

    def no_second_reading(*args: object, **kwargs: object) -> list[list[Word]]:
        raise AssertionError("the label column was read again")

    monkeypatch.setattr(hw, "read_crops", no_second_reading)
    image = Image.new("L", (page.width_px, page.height_px), 255)
    words = label_words(image, page, "vie", ["birth_date"])
    assert [w.text for w in find_labels(words, image.size)["birth_date"]] == [
        "Ngày,", "tháng,", "năm", "sinh:..12/3/1990"]


def test_the_holders_age_is_weighed_only_on_a_paper_that_registers_a_birth(
        monkeypatch: pytest.MonkeyPatch, form: GeneratedForm,
        tmp_path: Path) -> None:
    # An adult's birth date is unlikely only where the paper registers the birth: on a
    # marriage certificate the holder's birth date is an adult's and must be read as such.
    pytest.importorskip("asterocr")
    import ingest.handwriting as hw

    path, _truth, pages = form
    settings = Settings.from_env({"SOHOA_DATA": str(path.parent.parent / "data")})
    received = receive(path, work=tmp_path / "work", agency=settings.agency,
                       max_bytes=settings.max_upload_bytes)
    asked: list[bool] = []

    def spy(*args: object, registers_birth: bool = False, **kwargs: object) -> list[object]:
        asked.append(registers_birth)
        return []

    monkeypatch.setattr(hw, "read_fields", spy)
    for doc_type in ("birth_certificate", "marriage_certificate"):
        record = compose(received, pages, engine=engine_name(), languages="vie").record
        record.doc_type = doc_type
        hw.read_handwriting(record, path, "application/pdf", pages, "vie")
    assert asked == [True, False]


def test_a_failing_handwriting_step_leaves_its_fields_for_keying_not_the_paper_failed(
        form: GeneratedForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("asterocr")
    import ingest.handwriting as handwriting

    path, _truth, pages = form

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("tesseract failed (1): simulated")

    monkeypatch.setattr(handwriting, "label_words", broken)
    received = receive(path, work=tmp_path / "work", agency="UBND", max_bytes=50_000_000)
    record = compose(received, pages, engine=engine_name(), languages="vie",
                     handwriting=True).record
    unread = {r.path for r in record.review.reasons if r.code == "handwriting_unread"}
    assert unread and not any(r.code == "handwriting_unconfirmed"
                              for r in record.review.reasons)
    assert record.status == Status.NEEDS_REVIEW
    assert record.regions == []
    (event,) = [e for e in record.stages if e.stage == "handwriting"]
    assert "simulated" in event.detail["failed"]
