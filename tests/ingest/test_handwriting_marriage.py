"""A handwritten marriage certificate through the ingest path (issue 21): both spouses'
labels found on a real OCR of a generated form, their values proposed onto the record's
two subjects, never marked ready."""

from __future__ import annotations

from pathlib import Path

import pytest

from application import Settings
from extract.handregions import FormKind, ink_box, regions
from ingest.handwriting import MARRIAGE_PATHS, label_words, upright_page
from ingest.pipeline import compose, receive
from ocr.pipeline import engine_name
from records import Status
from tests.support.handforms import GeneratedForm, needs_hand_fonts, read_generated_form

pytestmark = needs_hand_fonts
SPOUSES = ("husband_name", "husband_birth_date", "wife_name", "wife_birth_date")


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> GeneratedForm:
    return read_generated_form(tmp_path_factory.mktemp("hand-marriage") / "set", seed=3,
                               classes=("clean",), kind="marriage")


def _media(path: Path) -> str:
    return {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
            ".tif": "image/tiff"}[path.suffix]


def test_both_spouses_fields_are_found_and_their_crops_hold_the_writing(
        form: GeneratedForm) -> None:
    path, truth, pages = form
    image = upright_page(path, _media(path), pages[0], 200_000_000)
    assert image is not None
    wanted = list(MARRIAGE_PATHS)
    labels = label_words(image, pages[0], "vie", wanted, FormKind.MARRIAGE)
    found = {r.key: r for r in regions(image, labels, FormKind.MARRIAGE)}
    assert set(SPOUSES) <= set(found) <= set(wanted)
    for key, r in found.items():
        x0, y0, x1, y1 = truth.fields["handwriting"][key]["box"]
        c = ink_box(image, r)
        assert c[0] <= x0 + 6 and c[1] <= y0 + 6 and c[2] >= x1 - 6 and c[3] >= y1 - 6, key
    # Read as the birth form, a spouse's name is not the holder's.
    assert "name" not in {r.key for r in regions(image, labels)}


def test_the_spouses_values_go_to_the_two_subjects_for_confirmation(
        form: GeneratedForm, tmp_path: Path) -> None:
    pytest.importorskip("asterocr")
    path, truth, pages = form
    settings = Settings.from_env({"SOHOA_DATA": str(tmp_path / "data"),
                                  "SOHOA_HANDWRITING": "on"})
    received = receive(path, work=tmp_path / "work", agency=settings.agency,
                       max_bytes=settings.max_upload_bytes)
    record = compose(received, pages, engine=engine_name(), languages="vie",
                     handwriting=True).record
    assert record.doc_type == "marriage_certificate"
    hand = [r for r in record.review.reasons if r.code.startswith("handwriting")]
    assert {r.path for r in hand} >= {"subjects[0].name", "subjects[1].name",
                                      "subjects[0].birth_date", "subjects[1].birth_date"}
    assert record.status == Status.NEEDS_REVIEW
    roles = [s.role for s in record.subjects]
    assert roles[:2] == ["chồng", "vợ"]
    # What was proposed is the spouse's of that role (a value proposed for the husband
    # is never the wife's).
    for subject, who in zip(record.subjects, ("husband", "wife"), strict=False):
        if subject.name is not None:
            wife_or_husband = {truth.fields["handwriting"][f"{w}_name"]["value"]
                               for w in ("husband", "wife") if w != who}
            assert subject.name not in wife_or_husband


def test_a_spouses_value_goes_to_the_subject_of_that_role_wherever_print_put_it(
        monkeypatch: pytest.MonkeyPatch, form: GeneratedForm,
        tmp_path: Path) -> None:
    import ingest.handwriting as hw
    from extract.handfields import HandField
    from records import Subject

    path, _truth, pages = form
    settings = Settings.from_env({"SOHOA_DATA": str(tmp_path / "data")})
    received = receive(path, work=tmp_path / "work", agency=settings.agency,
                       max_bytes=settings.max_upload_bytes)
    record = compose(received, pages, engine=engine_name(), languages="vie").record
    record.doc_type = "marriage_certificate"
    # Print gave the wife alone, first; her name is printed, so it is not read.
    record.subjects = [Subject(name="LÊ THỊ HOA", role="vợ")]
    asked: list[list[str]] = []

    def fields(*args: object, **kwargs: object) -> list[HandField]:
        asked.append(list(args[4]))  # type: ignore[call-overload]
        box = (10, 10, 50, 30)
        return [HandField("husband_name", box, value="TRẦN VĂN AN"),
                HandField("husband_birth_date", box, problem="date_format"),
                HandField("wife_birth_date", box, value="1970-01-02")]

    monkeypatch.setattr(hw, "read_fields", fields)
    monkeypatch.setattr(hw, "label_words", lambda *a, **k: [])
    monkeypatch.setattr(hw, "shared_reader", lambda: object())
    monkeypatch.setattr(hw, "warm", lambda: None)
    hw.read_handwriting(record, path, _media(path), pages, "vie")
    assert "wife_name" not in asked[0] and "husband_name" in asked[0]
    wife, husband = record.subjects
    assert (wife.role, wife.name, wife.birth_date) == ("vợ", "LÊ THỊ HOA", "1970-01-02")
    assert (husband.role, husband.name, husband.birth_date) == ("chồng", "TRẦN VĂN AN", None)
    reasons = {(r.code, r.path) for r in record.review.reasons if r.code.startswith("hand")}
    # The number, read by no field (its label not found), is left for keying from a
    # placed crop.
    assert reasons == {("handwriting_unconfirmed", "subjects[1].name"),
                       ("handwriting_unread", "subjects[1].birth_date"),
                       ("handwriting_unconfirmed", "subjects[0].birth_date"),
                       ("handwriting_unread", "document_number")}
    assert {r.path for r in record.regions if not r.estimated} == {
        p for _, p in reasons if p != "document_number"}
    assert [r.path for r in record.regions if r.estimated] == ["document_number"]
