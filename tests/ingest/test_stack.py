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
from tests.support.stacks import make_stack, separator_page


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
