"""Splitting a scanned stack into papers: sheets split exactly, the national header
splits what it can, and every unsure boundary goes to review instead of a guess."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from ingest.stack import (
    PageFacts,
    SeparatorSheet,
    header_share,
    plan_parts,
    read_separator,
    separator_sheet_pdf,
    split,
    stack_facts,
)
from records import StackRef
from specimens import save
from tests.support.stacks import make_stack, paper_page, separator_page


def test_the_separator_sheet_reads_back_with_its_box_and_type() -> None:
    sheet = SeparatorSheet(box="H-12", doc_type="birth_certificate")
    pdf = separator_sheet_pdf(sheet)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 1
    assert read_separator(separator_page("H-12")) == SeparatorSheet(box="H-12")
    assert SeparatorSheet.parse(sheet.to_text()) == sheet
    assert SeparatorSheet.parse("https://example.vn/verify/1") is None  # a paper's own QR


@pytest.mark.parametrize(("text", "share"), [
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", 1.0),
    ("UBND PHƯỜNG 1   CÔNG HOÀ XÃ HỘ1 CHU NGHĨA VIỆT NAN", 0.75),  # OCR slips
    ("Điều 2. Ông Nguyễn Văn Nam cư trú tại xã Hòa An", 0.125),  # "Hòa" alone
    # Header words scattered through a body ("chữ" … "năm"): no header.
    ("Họ, chữ đệm, tên: HỒ NGỌC LONG\nNgày, tháng, năm sinh: 06/04/2021", 0.125),
    ("UBND XÃ HÒA AN   CỘNG HÒA XÃ HỘI CHỦ NGHĨA ~ VIỆT NAM", 1.0),  # a speckle inside
])
def test_header_share_tolerates_slips_but_not_stray_words(text: str, share: float) -> None:
    assert header_share(text) == share


def _facts(*kinds: str) -> list[PageFacts]:
    """``H`` headed page, ``h`` half-read header, ``c`` continuation, ``b`` blank,
    ``S`` separator sheet."""
    made = {"H": {"header": 1.0}, "h": {"header": 0.4}, "c": {}, "b": {"blank": True},
            "S": {"separator": SeparatorSheet()}}
    return [PageFacts(i, **made[k]) for i, k in enumerate(kinds)]  # type: ignore[arg-type]


def test_sheets_alone_split_and_are_left_out_with_their_backs() -> None:
    parts = plan_parts(_facts("S", "b", "H", "b", "S", "H", "c", "H", "S", "c", "b"))
    # Within a sheet's paper a headed page does not split: the person's mark decides.
    assert [p.pages for p in parts] == [(2, 3), (5, 6, 7), (9, 10)]
    assert {p.boundary for p in parts} == {"sheet"}


def test_without_sheets_the_header_splits_and_unsure_starts_go_to_review() -> None:
    parts = plan_parts(_facts("H", "b", "H", "c", "H", "b", "c", "b", "h", "H", "b"))
    assert [p.pages for p in parts] == [(0, 1), (2, 3), (4, 5, 6, 7, 8), (9, 10)]
    assert [p.boundary for p in parts] == ["start", "header", "header", "header"]
    # Page 7 (no header after a blank back) and page 9 (half a header): not cut, reviewed.
    assert [p.unsure for p in parts] == [(), (), (7, 9), ()]
    ref = parts[2].ref("stack.pdf", "ab" * 32)
    assert (ref.first_page, ref.last_page, ref.unsure) == (5, 9, [7, 9])
    assert StackRef.from_given(ref.to_given()) == ref


def _typed(*pages: tuple[str, str | None]) -> list[PageFacts]:
    """Pages without a header: ``("T", type)`` a title in capitals naming ``type`` (None:
    a title of no sure type), ``("c", None)`` a continuation."""
    return [PageFacts(i, title=kind == "T", doc_type=doc_type)
            for i, (kind, doc_type) in enumerate(pages)]


def test_a_change_of_type_splits_where_no_header_says_so() -> None:
    parts = plan_parts(_typed(("T", "birth"), ("c", None), ("T", "marriage"),
                              ("c", "birth"),  # a body line's keywords are no title
                              ("T", "marriage"),  # the same type again: perhaps
                              ("T", None),  # a title of no sure type: perhaps
                              ("T", "death")))
    assert [p.pages for p in parts] == [(0, 1), (2, 3, 4, 5), (6,)]
    assert [p.boundary for p in parts] == ["start", "type", "type"]
    assert [p.unsure for p in parts] == [(), (5, 6), ()]


def test_a_paper_of_no_known_type_is_not_cut_by_the_next_title() -> None:
    parts = plan_parts(_typed(("c", None), ("T", "birth"), ("T", "marriage")))
    # The first paper's type is that of its first title: birth; marriage differs.
    assert [p.pages for p in parts] == [(0, 1), (2,)]
    assert parts[0].unsure == (2,)


def _stack_of(path: Path, *pages: object) -> Path:
    return save(list(pages), path, "pdf")  # type: ignore[arg-type]


def test_a_paper_without_its_header_is_split_off_by_its_title(tmp_path: Path) -> None:
    # A birth certificate, then a marriage certificate whose national header was never
    # printed (cut off by the scanner), then a death extract with its header.
    stack = _stack_of(tmp_path / "stack.pdf",
                      paper_page("birth_certificate", 3),
                      paper_page("marriage_certificate", 4, leave_out=("motto",)),
                      paper_page("death_extract", 5))
    facts = stack_facts(stack)
    assert facts[1].header < 0.25 and facts[1].doc_type == "marriage_certificate"
    parts = plan_parts(facts)
    assert [(p.pages, p.boundary, p.unsure) for p in parts] == [
        ((0,), "start", ()), ((1,), "type", ()), ((2,), "header", ())]


def test_the_same_type_again_without_a_header_goes_to_review(tmp_path: Path) -> None:
    stack = _stack_of(tmp_path / "stack.pdf",
                      paper_page("birth_certificate", 3),
                      paper_page("birth_certificate", 8, leave_out=("motto",)))
    parts = plan_parts(stack_facts(stack))
    assert [(p.pages, p.unsure) for p in parts] == [((0, 1), (2,))]


def test_a_second_page_without_a_header_stays_with_its_paper(tmp_path: Path) -> None:
    body_only = ("agency", "number", "motto", "title")
    stack = _stack_of(tmp_path / "stack.pdf",
                      paper_page("land_use_certificate", 6),
                      paper_page("land_use_certificate", 6, leave_out=body_only),
                      paper_page("construction_permit", 9))
    facts = stack_facts(stack)
    assert not facts[1].title and facts[1].header < 0.25
    parts = plan_parts(facts)
    assert [(p.pages, p.boundary, p.unsure) for p in parts] == [
        ((0, 1), "start", ()), ((2,), "header", ())]


def _accuracy(truth: list[tuple[int, ...]], parts: list) -> tuple[int, int, int]:
    """(boundaries found, boundaries missed, cuts that are none), first pages compared."""
    wanted = {p[0] for p in truth[1:]}
    found = {p.pages[0] for p in parts[1:]}
    return len(wanted & found), len(wanted - found), len(found - wanted)


@pytest.mark.parametrize("sheets", [True, False], ids=["sheets", "no-sheets"])
def test_a_generated_stack_splits_into_its_papers(tmp_path: Path, sheets: bool) -> None:
    stack = make_stack(tmp_path / "stack.pdf", 5, seed=31, sheets=sheets)
    papers = split(stack.path, "cd" * 32, tmp_path / "parts")
    found = [StackRef.from_given(given) for _, given in papers]
    assert [(r.first_page - 1, r.last_page - 1) for r in found if r] == [
        (p[0], p[-1]) for p in stack.papers]
    for path, given in papers:  # each part holds exactly its pages
        with pikepdf.open(path) as pdf:
            ref = StackRef.from_given(given)
            assert ref is not None and len(pdf.pages) == ref.last_page - ref.first_page + 1
        if sheets:
            assert given["archive_box"] == "H-1"
    again = split(stack.path, "cd" * 32, tmp_path / "again")  # the same bytes again
    assert [p.read_bytes() for p, _ in again] == [p.read_bytes() for p, _ in papers]


@pytest.mark.slow
@pytest.mark.parametrize("sheets", [True, False], ids=["sheets", "no-sheets"])
def test_thirty_papers_on_sixty_pages(tmp_path: Path, sheets: bool) -> None:
    stack = make_stack(tmp_path / "stack.pdf", 30, seed=7, sheets=sheets)
    parts = plan_parts(stack_facts(stack.path))
    found, _missed, cut = _accuracy(stack.papers, parts)
    if sheets:  # exactly: nothing merged, nothing cut, every page of every paper
        assert [p.pages for p in parts] == stack.papers
    else:
        assert found >= 0.95 * (len(stack.papers) - 1) and cut == 0
        unsure = {page - 1 for p in parts for page in p.unsure}
        assert {p[0] for p in stack.papers[1:]} - {p.pages[0] for p in parts} <= unsure
