"""The archival PDF is what it says it is: PDF/A-2b on PDF 1.7, before and after signing.

It used to say %PDF-1.5 in its header while pyHanko's signature revision wrote
/Version /2.0 into the catalog (ECDSA keys), and its XMP claimed PDF/A-2B.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

import signing
from ocr import PageJob, build_archival, run_page
from ocr.base import PageResult
from tests.support import pdfa
from tests.support.ocr import render_page, save_image
from tests.support.pki import pdfsig_check

AGENCY = "UBND Phường Láng Thượng"


@pytest.fixture(scope="module")
def ocr_page(tmp_path_factory: pytest.TempPathFactory) -> PageResult:
    """One real tesseract page: its text layer brings tesseract's GlyphLessFont."""
    path = save_image(render_page(dpi=150), tmp_path_factory.mktemp("page") / "page.png",
                      dpi=150)
    return run_page(PageJob(str(path), "image/png", 0, languages="vie", out_dir=str(path.parent)))


@pytest.fixture(scope="module")
def archival(ocr_page: PageResult) -> bytes:
    built = build_archival([ocr_page], title="Giấy khai sinh")
    assert built.pdfa, built.notes
    return built.pdf


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> signing.DevIdentity:
    return signing.ensure_dev_identity(tmp_path_factory.mktemp("dev"), AGENCY)


@pytest.fixture(scope="module")
def signer(identity: signing.DevIdentity) -> Iterator[signing.Signer]:
    # The dev identity is ECDSA P-256: the key for which pyHanko used to declare PDF 2.0.
    with signing.load_signer(
        signing.SigningSettings(agency_name=AGENCY, verify_url="https://sohoa.example/verify"),
        identity,
    ) as s:
        yield s


def _assert_signed_valid(data: bytes, identity: signing.DevIdentity, tmp_path: Path) -> None:
    report = signing.verify_pdf(data, trust_roots=[identity.ca_cert_path])
    assert report.valid, report.reasons
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    sigs = pdfsig_check(path)
    assert sigs and all(s["Signature Validation"] == "Signature is Valid." for s in sigs), sigs


def test_archival_pdf_is_pdfa_2b_on_pdf_1_7(archival: bytes) -> None:
    assert pdfa.header_version(archival) == (1, 7)
    with pikepdf.open(io.BytesIO(archival)) as pdf:
        assert pdfa.catalog_version(pdf) is None
        fonts = [f for page in pdf.pages for f in page.Resources.get("/Font", {}).values()]
        assert fonts, "the OCR text layer should bring a font to check"
    assert pdfa.problems(archival) == []


def test_signing_keeps_version_and_pdfa(archival: bytes, signer: signing.Signer,
                                        identity: signing.DevIdentity, tmp_path: Path) -> None:
    signed = signer.sign(archival, record_id="rec-1")
    assert signed.data.startswith(archival)
    assert signed.stamp_where is not None, "the stamp should be visible"
    assert pdfa.header_version(signed.data) == (1, 7)
    with pikepdf.open(io.BytesIO(signed.data)) as pdf:
        assert pdfa.catalog_version(pdf) is None, "signing must not declare another version"
        assert "/ESIC" in pdf.Root.Extensions and "/ISO_" not in pdf.Root.Extensions
    assert pdfa.problems(signed.data) == []
    _assert_signed_valid(signed.data, identity, tmp_path)


def test_signing_twice_and_on_a_widened_page_keeps_pdfa(
    ocr_page: PageResult, signer: signing.Signer, identity: signing.DevIdentity,
    tmp_path: Path
) -> None:
    # A page whose whole top band is inked (a dark scanner lid, say): the stamp needs
    # a strip added above the scan.
    image = render_page(dpi=100)
    ImageDraw.Draw(image).rectangle((0, 0, image.width, image.height // 3), fill=0)
    path = save_image(image, tmp_path / "inked.png", dpi=100)
    page = run_page(PageJob(str(path), "image/png", 0, languages="vie", out_dir=str(tmp_path)))
    built = build_archival([page, ocr_page], title="Giấy khai sinh")
    assert built.pdfa, built.notes
    widened = signer.sign(built.pdf, record_id="rec-2")
    assert widened.stamp_where == "margin-strip"
    again = signer.sign(widened.data, record_id="rec-2")
    for data in (widened.data, again.data):
        assert pdfa.header_version(data) == (1, 7)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdfa.catalog_version(pdf) is None
        assert pdfa.problems(data) == []
    _assert_signed_valid(again.data, identity, tmp_path)


def test_the_checker_catches_what_it_claims_to(archival: bytes) -> None:
    """The rules above can fail: a 2.0 catalog, transparency, a script, no intent."""
    with pikepdf.open(io.BytesIO(archival)) as pdf:
        pdf.Root.Version = pikepdf.Name("/2.0")
        pdf.pages[0].obj.Group = pikepdf.Dictionary(S=pikepdf.Name.Transparency)
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                 JS=pikepdf.String("app.alert(1)"))
        del pdf.Root.OutputIntents
        out = io.BytesIO()
        pdf.save(out)
    found = "\n".join(pdfa.problems(out.getvalue()))
    for expected in ("catalog /Version", "transparency group", "JavaScript", "output intent"):
        assert expected in found, found


def test_blank_white_page_image_still_carries_no_transparency(tmp_path: Path) -> None:
    # Pillow's RGBA would bring an SMask; the page builder flattens it.
    image = Image.new("RGBA", (300, 400), (255, 255, 255, 0))
    from ocr import pdfpage

    one_page = tmp_path / "page-00001.pdf"
    one_page.write_bytes(pdfpage.image_page(image.convert("RGB"), 100, None))
    page = PageResult(number=1, text="", words=[], width_px=300, height_px=400, dpi=100,
                      dpi_assumed=False, rotated=0, deskew=0.0, mean_confidence=None,
                      blank=True, had_text=False, pdf_path=str(one_page))
    built = build_archival([page], title=None)
    assert built.pdfa
    assert pdfa.problems(built.pdf) == []
