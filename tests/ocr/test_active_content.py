"""Scripts, launch/submit actions and attached files never reach the archival PDF."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

import ocr
from ocr.sanitize import HOSTILE_ACTIONS
from tests.support.ocr import read_document, text_pdf

LINES = ["GIAY CHUNG NHAN KET HON", "Ho ten chong: Tran Van Binh", "So: 45/2019"]
SITE = "https://dichvucong.gov.vn/"


def _js(script: str) -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=pikepdf.String(script))


def _link(pdf: pikepdf.Pdf, action: Dictionary, x: int) -> pikepdf.Object:
    return pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=[x, 700, x + 40, 720],
        Border=[0, 0, 0], A=pdf.make_indirect(action)))


def _hostile_pdf() -> bytes:
    """A text PDF carrying active content in every place a viewer looks for it."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(LINES)))
    page = pdf.pages[0].obj
    page.AA = Dictionary(O=_js("app.alert('page open')"),
                         C=Dictionary(S=Name.Launch, F=pikepdf.String("cmd.exe")))
    uri = Dictionary(S=Name.URI, URI=pikepdf.String(SITE),
                     Next=Array([_js("this.submitForm('x')"),
                                 Dictionary(S=Name.SubmitForm, F=pikepdf.String(SITE))]))
    field = pdf.make_indirect(Dictionary(
        FT=Name.Tx, T=pikepdf.String("ho_ten"),
        AA=Dictionary(K=_js("event.rc = true"), F=_js("event.value = 1"))))
    widget = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, Rect=[72, 600, 300, 620], Parent=field,
        AA=Dictionary(E=_js("app.launchURL('http://x')"))))
    field.Kids = Array([widget])
    payload = pdf.make_stream(b"MZ not a document", Type=Name.EmbeddedFile)
    attachment = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[400, 600, 420, 620],
        FS=Dictionary(Type=Name.Filespec, F=pikepdf.String("x.exe"),
                      EF=Dictionary(F=payload))))
    page.Annots = Array([
        _link(pdf, _js("app.alert('link')"), 72),
        _link(pdf, Dictionary(S=Name.ImportData, F=pikepdf.String("data.fdf")), 120),
        _link(pdf, uri, 170),
        widget,
        attachment,
    ])
    pdf.Root.OpenAction = _js("app.alert('document open')")
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]))
    pdf.attachments["tool.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload")
    pdf.Root.Names.JavaScript = Dictionary(
        Names=Array([pikepdf.String("init"), pdf.make_indirect(_js("app.alert('named')"))]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _everything(pdf: pikepdf.Pdf) -> Iterator[Dictionary | Stream]:
    """Every dictionary and stream in the file, direct ones nested anywhere included."""
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [pdf.trailer, *pdf.objects]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, Dictionary | Stream | Array):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, Array):
            stack.extend(obj)
        else:
            yield obj
            stack.extend(obj.values())


def test_archival_pdf_keeps_no_script_launch_submit_or_attachment(tmp_path: Path) -> None:
    source = tmp_path / "hostile.pdf"
    source.write_bytes(_hostile_pdf())
    result = read_document(str(source), "application/pdf")

    with pikepdf.open(io.BytesIO(result.pdf)) as out:
        for obj in _everything(out):
            assert Name.JS not in obj, repr(obj)
            assert str(obj.get(Name.S)) not in HOSTILE_ACTIONS, repr(obj)
            assert Name.EF not in obj and obj.get(Name.Type) != Name.EmbeddedFile, repr(obj)
        assert Name.OpenAction not in out.Root and Name.AA not in out.Root
        assert Name.JavaScript not in out.Root.get(Name.Names, Dictionary())
        assert len(out.attachments) == 0
        page = out.pages[0].obj
        assert Name.AA not in page
        annots = list(page.Annots)
        # The annotations stay; only what they would run or hand out is gone.
        assert [str(a.Subtype) for a in annots] == [
            "/Link", "/Link", "/Link", "/Widget", "/FileAttachment"]
        assert [str(a.A.S) for a in annots if Name.A in a] == ["/URI"]
        assert str(annots[2].A.URI) == SITE
    assert "Ho ten chong: Tran Van Binh" in result.text
    removed = [n for n in result.notes if n.startswith("removed active content")]
    assert any("JavaScript action" in n for n in removed)
    assert any("Launch action" in n for n in removed)
    assert any("SubmitForm action" in n for n in removed)
    assert any("ImportData action" in n for n in removed)
    assert any("embedded file" in n for n in removed)


def test_page_open_script_alone_no_longer_costs_pdfa(tmp_path: Path) -> None:
    """PDF/A forbids a page's /AA: with the script removed, an otherwise clean page is
    archived as PDF/A-2b again."""
    page = ocr.run_page(ocr.PageJob(str(_clean_page(tmp_path)), "application/pdf", 0,
                                    out_dir=str(tmp_path)))
    with pikepdf.open(page.pdf_path, allow_overwriting_input=True) as single:
        single.pages[0].obj.AA = Dictionary(O=_js("app.alert('page open')"))
        single.save()
    archival = ocr.build_archival([page], title="x")
    assert archival.pdfa, archival.notes
    assert archival.notes == ["removed active content: JavaScript action x1"]


def _clean_page(tmp_path: Path) -> Path:
    """A page that is PDF/A once assembled: no text layer of its own, nothing on it."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    path = tmp_path / "blank.pdf"
    pdf.save(path)
    return path


HOSTILE_URIS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " java\tscript:alert(1)",  # browsers drop whitespace inside the scheme
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
]


def test_links_keep_web_addresses_only(tmp_path: Path) -> None:
    """A ``javascript:`` (or ``data:``, ``file:``…) link would run, or open, from the
    record screen's frame of our own origin: unlinked; web and mail links stay."""
    page = ocr.run_page(ocr.PageJob(str(_clean_page(tmp_path)), "application/pdf", 0,
                                    out_dir=str(tmp_path)))
    kept = [SITE, "mailto:motcua@hanoi.gov.vn", "HTTPS://dichvucong.gov.vn/p"]
    with pikepdf.open(page.pdf_path, allow_overwriting_input=True) as single:
        single.pages[0].obj.Annots = Array([
            _link(single, Dictionary(S=Name.URI, URI=pikepdf.String(uri)), 10 * i)
            for i, uri in enumerate([*HOSTILE_URIS, *kept])
        ])
        single.save()
    archival = ocr.build_archival([page], title="x")

    with pikepdf.open(io.BytesIO(archival.pdf)) as out:
        uris = [str(obj.URI) for obj in _everything(out) if obj.get(Name.S) == Name.URI]
        assert len(out.pages[0].obj.Annots) == len(HOSTILE_URIS) + len(kept)
    assert uris and sorted(uris) == sorted(kept)
    assert f"removed active content: unsafe URI action x{len(HOSTILE_URIS)}" in archival.notes
