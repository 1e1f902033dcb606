"""One-page PDFs: the page image under tesseract's invisible text layer.

Like OCRmyPDF's sandwich renderer, the text layer is tesseract's own text-only PDF
(its GlyphLessFont is embedded and its word placement is exact); the image is added
underneath by us, so the archival image is the real paper (seals included) while
tesseract read a cleaned copy.

The scanned image is never resampled: turning and deskewing are done by the page's
drawing matrix, exactly as they were done to the OCR input. A JPEG is passed through
byte for byte, and so is an 8-bit gray or RGB PNG's compressed data; bilevel pages are
CCITT G4, everything else is Flate with PNG predictors (lossless) — and no page pays
for a full-size rotation or a second encoding of a scan that is already Flate.
"""

from __future__ import annotations

import io
import math
import struct

import pikepdf
from pikepdf import Dictionary, Name
from PIL import Image, TiffImagePlugin

IMAGE_NAME = "/ImSohoa0"


def _png_idat(image: Image.Image) -> bytes:
    """The zlib stream of a PNG encoding: Flate data with PNG predictors, as PDF reads it."""
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return _idat(out.getvalue())


def _idat(data: bytes) -> bytes:
    pos, idat = 8, bytearray()
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return bytes(idat)


# IHDR colour types a PDF image shows as they are (with /Predictor 15): gray, RGB.
_PNG_MODES = {0: "L", 2: "RGB"}


def passable_png(data: bytes, mode: str) -> bytes | None:
    """The Flate data of a PNG file whose pixels a PDF image can show unchanged (8-bit
    gray or RGB, not interlaced, decoded to ``mode``), or None: the scan is then not
    encoded a second time for the archive."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    depth, colour, compression, filtering, interlace = data[24:29]
    if (depth != 8 or _PNG_MODES.get(colour) != mode or compression or filtering
            or interlace):
        return None
    return _idat(data)


def _g4(image: Image.Image) -> bytes:
    """CCITT Group 4 data of a bilevel image, in one strip."""
    out = io.BytesIO()
    image.save(out, format="TIFF", compression="group4", strip_size=2**31 - 1)
    out.seek(0)
    with TiffImagePlugin.TiffImageFile(out) as tiff:
        offsets = tiff.tag_v2[273]
        counts = tiff.tag_v2[279]
        photometric = tiff.tag_v2.get(262, 0)
    if len(offsets) != 1:
        raise RuntimeError("G4 encoder wrote more than one strip")
    raw = out.getvalue()[offsets[0] : offsets[0] + counts[0]]
    if photometric != 1:
        raise RuntimeError(f"unexpected TIFF photometric {photometric} for G4 data")
    return raw


def image_xobject(pdf: pikepdf.Pdf, image: Image.Image, jpeg: bytes | None,
                  png: bytes | None = None) -> pikepdf.Stream:
    """An image XObject for ``image``; ``jpeg`` is its original JPEG file and ``png``
    its original PNG's Flate data (``passable_png``), either passed through."""
    width, height = image.size
    entries: dict[str, object] = {
        "/Type": Name.XObject, "/Subtype": Name.Image, "/Width": width, "/Height": height,
        "/BitsPerComponent": 8,
    }
    if jpeg is not None and image.mode in ("L", "RGB"):
        entries["/ColorSpace"] = Name.DeviceGray if image.mode == "L" else Name.DeviceRGB
        entries["/Filter"] = Name.DCTDecode
        data = jpeg
    elif image.mode == "1":
        # Pillow writes G4 with BlackIsZero photometric: set bits are white.
        entries.update({
            "/ColorSpace": Name.DeviceGray, "/BitsPerComponent": 1,
            "/Filter": Name.CCITTFaxDecode,
            "/DecodeParms": Dictionary(K=-1, Columns=width, Rows=height, BlackIs1=True),
        })
        data = _g4(image)
    else:
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        colors = 1 if image.mode == "L" else 3
        entries.update({
            "/ColorSpace": Name.DeviceGray if colors == 1 else Name.DeviceRGB,
            "/Filter": Name.FlateDecode,
            "/DecodeParms": Dictionary(Predictor=15, Colors=colors, BitsPerComponent=8,
                                       Columns=width),
        })
        data = png if png is not None and image.mode in ("L", "RGB") else _png_idat(image)
    return pikepdf.Stream(pdf, data, Dictionary(entries))


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def placement(width_px: int, height_px: int, dpi: int, turn: int,
              deskew: float) -> tuple[float, float, list[float]]:
    """Page size (pt) and the matrix that shows the source image upright and straight.

    The stored image keeps its scanned orientation and bytes; the page turns it by
    ``turn`` degrees clockwise and ``deskew`` counter-clockwise about its centre, the
    same transformation the OCR input went through, so the text layer lines up.
    """
    w_pt, h_pt = width_px * 72 / dpi, height_px * 72 / dpi
    page_w, page_h = (h_pt, w_pt) if turn in (90, 270) else (w_pt, h_pt)
    theta = math.radians(deskew - turn)
    cos, sin = math.cos(theta), math.sin(theta)
    # unit square -> image size, centred at the origin, rotated, moved to the page centre
    a, b, c, d = w_pt * cos, w_pt * sin, -h_pt * sin, h_pt * cos
    e = -(a + c) / 2 + page_w / 2
    f = -(b + d) / 2 + page_h / 2
    return page_w, page_h, [a, b, c, d, e, f]


def image_page(image: Image.Image, dpi: int, text_pdf: bytes | None,
               jpeg: bytes | None = None, *, turn: int = 0, deskew: float = 0.0,
               png: bytes | None = None) -> bytes:
    """A one-page PDF: the scanned ``image`` shown upright, the text layer on top."""
    page_w, page_h, matrix = placement(image.width, image.height, dpi, turn, deskew)
    if text_pdf is not None:
        pdf = pikepdf.open(io.BytesIO(text_pdf))
        page = pdf.pages[0]
    else:
        pdf = pikepdf.new()
        pdf.add_blank_page(page_size=(page_w, page_h))
        page = pdf.pages[0]
    xobject = image_xobject(pdf, image, jpeg, png)
    resources = page.obj.get(Name.Resources)
    if not isinstance(resources, Dictionary):
        resources = page.obj.Resources = Dictionary()
    if Name.XObject not in resources:
        resources.XObject = Dictionary()
    resources.XObject[IMAGE_NAME] = xobject
    cm = " ".join(_fmt(v) for v in matrix)
    draw = f"q {cm} cm {IMAGE_NAME} Do Q\n".encode()
    page.contents_add(pikepdf.Stream(pdf, draw), prepend=True)
    return _save(pdf)


def graft_text(original: pikepdf.Pdf, index: int, text_pdf: bytes) -> bytes:
    """The original page kept as it is, with the text layer laid over its crop box.

    The text layer was made from a render of the crop box at the page's own
    orientation (no /Rotate), so scaling it onto the crop box aligns it.
    """
    out = pikepdf.new()
    out.pages.append(original.pages[index])
    page = out.pages[0]
    text = pikepdf.open(io.BytesIO(text_pdf))
    out.pages.append(text.pages[0])
    text_page = out.pages[1]
    form = text_page.as_form_xobject()
    tx0, ty0, tx1, ty1 = (float(v) for v in text_page.mediabox)
    cx0, cy0, cx1, cy1 = (float(v) for v in page.cropbox)
    sx, sy = (cx1 - cx0) / (tx1 - tx0), (cy1 - cy0) / (ty1 - ty0)
    name = page.add_resource(form, Name.XObject, prefix="SohoaText")
    del out.pages[1]
    # Isolate the original content's graphics state so the layer starts from identity.
    page.contents_coalesce()
    page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
    matrix = " ".join(_fmt(v) for v in (sx, 0, 0, sy, cx0 - tx0 * sx, cy0 - ty0 * sy))
    page.contents_add(pikepdf.Stream(out, f"\nQ q {matrix} cm {name} Do Q\n".encode()))
    return _save(out)


def copy_page(original: pikepdf.Pdf, index: int) -> bytes:
    """The page as it is. Its scripts and attachments are removed once, where every
    page meets (``ocr.assemble`` through ``ocr.sanitize``), not page by page."""
    out = pikepdf.new()
    out.pages.append(original.pages[index])
    return _save(out)


def _save(pdf: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()

