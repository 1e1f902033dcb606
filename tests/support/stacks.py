"""Generated stacks of papers scanned into one PDF, with the truth of where each paper
is: single-page papers with a blank back, two-page papers whose second page carries no
header (as continuation pages do), with or without separator sheets before each paper
(half of them followed by the sheet's own blank back, as duplex scanning gives)."""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from ingest.stack import SeparatorSheet, separator_sheet_pdf
from specimens import (
    DOC_TYPES,
    back_side,
    degradation_profile,
    degrade,
    degraded_page,
    generate,
    render_page,
    save,
)

DPI = 150


@dataclass(frozen=True)
class Stack:
    path: Path
    papers: list[tuple[int, ...]]  # each paper's pages, 0-based stack indices
    pages: int


def _scanned(image: Image.Image, seed: int) -> Image.Image:
    return degrade(image, seed=seed, skew=0.4, noise=0.001, mode="gray")


def _continuation(seed: int) -> Image.Image:
    """A second page: body text only, the header's place left white."""
    page = render_page(generate(DOC_TYPES[seed % len(DOC_TYPES)], seed=seed + 500), dpi=DPI)
    ImageDraw.Draw(page).rectangle((0, 0, page.width, round(page.height * 0.3)), fill="white")
    return page


def make_stack(path: Path, papers: int, *, seed: int, sheets: bool,
               damage: str = "light", headless: bool = False) -> Stack:
    """``papers`` papers, every third one two pages long, the rest with a blank back.

    ``damage``: ``light`` (slight skew and speckles, 150 dpi) or ``scan`` (each front
    with the specimens' realistic scan profile: 200/300 dpi, skew up to 3°, blur, JPEG,
    yellowing, bilevel, and a sheet turned on the glass now and then). ``headless``:
    every fifth paper printed without the national header (only its title, of another
    type than the paper before it, says a new paper starts)."""
    images: list[Image.Image] = []
    truth: list[tuple[int, ...]] = []
    for k in range(papers):
        if sheets:
            images.append(separator_page(f"H-{k // 10 + 1}"))
            if k % 2:
                back = Image.new("L", images[-1].size, 255)  # the sheet's back
                back.info["dpi"] = (DPI, DPI)
                images.append(back)
        spec = generate(DOC_TYPES[k % len(DOC_TYPES)], seed=seed + k)
        if headless and k % 5 == 4:
            spec = dataclasses.replace(spec, layout=[line for line in spec.layout
                                                     if line.region != "motto"])
        if damage == "scan":
            front = degraded_page(spec, degradation_profile(seed + k), seed + k)
        else:
            front = _scanned(render_page(spec, dpi=DPI), seed + k)
        first = len(images)
        images.append(front)
        if k % 3 == 2:
            images.append(_scanned(_continuation(seed + k), seed + k + 1000))
        else:
            back = back_side(front, seed=seed + k, noise=0.001, mode="gray")
            back.info["dpi"] = front.info.get("dpi") or (DPI, DPI)
            images.append(back)
        truth.append(tuple(range(first, len(images))))
    pages = []
    for image in images:
        gray = image.convert("L")
        gray.info["dpi"] = image.info.get("dpi") or (DPI, DPI)
        pages.append(gray)
    save(pages, path, "pdf")
    return Stack(path, truth, len(images))


def paper_page(doc_type: str, seed: int, *, leave_out: tuple[str, ...] = ()) -> Image.Image:
    """A paper's page as scanned (light damage, 150 dpi) with the layout regions
    ``leave_out`` not printed: ``("motto",)`` is a first page without the national
    header; ``("agency", "number", "motto", "title")`` a second page that carries on
    with the same paper's body."""
    spec = generate(doc_type, seed=seed)
    spec = dataclasses.replace(spec, layout=[line for line in spec.layout
                                             if line.region not in leave_out])
    page = _scanned(render_page(spec, dpi=DPI), seed).convert("L")
    page.info["dpi"] = (DPI, DPI)
    return page


def separator_page(box: str) -> Image.Image:
    """The separator sheet as printed and scanned back (its PDF holds one image)."""
    pdf = separator_sheet_pdf(SeparatorSheet(box=box))
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        raw = next(iter(doc.pages[0].images.values()))
        assert isinstance(raw, pikepdf.Stream)  # an image XObject is a stream
        image = pikepdf.PdfImage(raw).as_pil_image()
    image = image.convert("L").resize((round(8.27 * DPI), round(11.69 * DPI)))
    image.info["dpi"] = (DPI, DPI)
    return image


def text_stack(path: Path, papers: list[int], *, box: str, tag: str) -> list[tuple[int, ...]]:
    """A stack of born-digital papers (``papers[k]`` pages each, text in their layer,
    so digitizing them needs no OCR), each after a separator sheet naming ``box``; the
    papers' pages (0-based stack indices). ``tag`` makes the texts, and so the files,
    distinct from other tests'."""
    import pikepdf

    stack = pikepdf.new()
    font = stack.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    sheet = pikepdf.open(io.BytesIO(separator_sheet_pdf(SeparatorSheet(box=box))))
    truth: list[tuple[int, ...]] = []
    for k, count in enumerate(papers):
        stack.pages.append(sheet.pages[0])
        first = len(stack.pages)
        for number in range(1, count + 1):
            # Enough lines that the page is not taken for a blank back.
            lines = "".join(f"({tag} giay to {k} trang {number} dong {n:02d} "
                            f"{'noi dung ' * 6}) Tj 0 -18 Td " for n in range(36))
            content = f"BT /F1 12 Tf 60 780 Td {lines} ET".encode()
            stack.pages.append(pikepdf.Page(pikepdf.Dictionary(
                Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=stack.make_stream(content))))
        truth.append(tuple(range(first, len(stack.pages))))
    stack.save(path)
    return truth
