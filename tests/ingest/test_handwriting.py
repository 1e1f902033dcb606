"""Handwritten forms through the ingest path: regions from a real OCR, values proposed for
confirmation (``SOHOA_HANDWRITING=on``), nothing without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from application import Settings
from evalset.truth import Truth
from extract.handregions import ink_box, regions
from ingest.handwriting import label_words, upright_page
from ingest.pipeline import compose, receive
from ocr import Word
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
    # Read from a found label's crop, or placed (its label not found: left for keying).
    assert {f["field"] for f in note.detail["fields"]} | set(note.detail["placed"]) \
        == {r.path for r in hand}
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
    # No label found to place them from: each field's crop is where the form usually has
    # it, marked approximate, and holds the writing.
    assert {r.path for r in record.regions} == unread
    assert all(r.estimated for r in record.regions)
    _assert_placed_crops_hold_the_writing(record, _truth, sorted(str(p) for p in unread))
    (event,) = [e for e in record.stages if e.stage == "handwriting"]
    assert "simulated" in event.detail["failed"]


def _assert_placed_crops_hold_the_writing(record: Record, truth: Truth, paths: list[str]
                                          ) -> None:
    """Each path's region is placed (``estimated``), is a keying task's crop, and holds
    the field's whole truth ink box (a few pixels of slack: the page was straightened)."""
    from api.keying import tasks_of
    from ingest.handwriting import PATHS

    key_of = {path: key for key, path in PATHS.items()}
    tasks = {t.path: t for t in tasks_of(record)}
    regions = {r.path: r for r in record.regions}
    for path in paths:
        region = regions[path]
        assert region.estimated and tasks[path].region == region and tasks[path].estimated
        x0, y0, x1, y1 = truth.fields["handwriting"][key_of[path]]["box"]
        b = region.box
        assert b[0] <= x0 + 6 and b[1] <= y0 + 6 and b[2] >= x1 - 6 and b[3] >= y1 - 6, path
        # A part of the page, not the page.
        assert (b[2] - b[0]) * (b[3] - b[1]) < 0.3 * region.page_size[0] * region.page_size[1]


def test_a_field_whose_label_is_not_found_is_keyed_from_a_crop_placed_by_its_neighbours(
        form: GeneratedForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("asterocr")
    import ingest.handwriting as hw
    from extract.handregions import find_labels

    path, truth, pages = form
    read_labels = hw.label_words

    def date_label_lost(*args: Any, **kwargs: Any) -> list[Word]:
        words = read_labels(*args, **kwargs)
        lost = find_labels(words, args[0].size).get("birth_date", [])
        return [w for w in words if w not in lost]

    monkeypatch.setattr(hw, "label_words", date_label_lost)
    received = receive(path, work=tmp_path / "work", agency="UBND", max_bytes=50_000_000)
    record = compose(received, pages, engine=engine_name(), languages="vie",
                     handwriting=True).record
    assert record.doc_type == "birth_certificate"
    assert ReviewReason("handwriting_unread", "subjects[0].birth_date") in record.review.reasons
    assert record.subjects[0].birth_date is None  # nothing read from a placed region
    _assert_placed_crops_hold_the_writing(record, truth, ["subjects[0].birth_date"])
    # The fields whose labels were found keep their own crops.
    assert not any(r.estimated for r in record.regions if r.path != "subjects[0].birth_date")
    note = next(e for e in record.stages if e.stage == "handwriting")
    assert note.detail["placed"] == ["subjects[0].birth_date"]
    # Through the record's JSON, the flag stays.
    again = {r.path: r for r in Record.from_dict(record.to_dict()).regions}
    assert again["subjects[0].birth_date"].estimated


def test_with_no_label_found_each_crop_is_the_fields_usual_place_on_the_form(
        form: GeneratedForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("asterocr")
    import ingest.handwriting as hw

    path, truth, pages = form
    monkeypatch.setattr(hw, "label_words", lambda *args, **kwargs: [])
    received = receive(path, work=tmp_path / "work", agency="UBND", max_bytes=50_000_000)
    record = compose(received, pages, engine=engine_name(), languages="vie",
                     handwriting=True).record
    unread = sorted(str(r.path) for r in record.review.reasons
                    if r.code == "handwriting_unread")
    assert unread and {r.path for r in record.regions} == set(unread)
    _assert_placed_crops_hold_the_writing(record, truth, unread)


def test_a_paper_that_is_not_the_form_gets_no_placed_crop(
        form: GeneratedForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every paper's labels are looked for (the birth form's by default): a label not found
    # on a paper classified otherwise is no field of it to key.
    pytest.importorskip("asterocr")
    import ingest.handwriting as hw

    path, _truth, pages = form
    monkeypatch.setattr(hw, "label_words", lambda *args, **kwargs: [])
    received = receive(path, work=tmp_path / "work", agency="UBND", max_bytes=50_000_000)
    record = compose(received, pages, engine=engine_name(), languages="vie").record
    record.doc_type = "household_registration"
    hw.read_handwriting(record, path, "application/pdf", pages, "vie")
    assert record.regions == []
    assert not any(r.code.startswith("handwriting") for r in record.review.reasons)
