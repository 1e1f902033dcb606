"""The PDF/A-2b rules that matter for sohoa's archival PDFs, checked with pikepdf.

No veraPDF here (no network to install it), so tests check what our files could get
wrong: the version (header and catalog agree, at most 1.7), the XMP identification
(pdfaid part 2, conformance B), the output intent, embedded fonts (pages, forms and
the signature stamp's appearance), no encryption, no JavaScript or other actions,
and no transparency (groups, soft masks, blend modes, constant alpha below 1). On top,
pikepdf's own PDF/A checker must find no violation.

Not checked (see bench/README_signing.md): font program internals (glyph widths
against the font's own metrics, CIDSet/CharSet completeness, .notdef use), ICC profile
contents beyond its presence and component count, XMP extension schemas for custom
properties, content-stream operators beyond what pikepdf's checker walks, the
interactive form dictionary and the PAdES document security store (pikepdf's checker
reports /AcroForm and /DSS as unsupported).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pikepdf
from pikepdf import Name
from pikepdf.pdfa import validate_written

MAX_VERSION = (1, 7)
# What pikepdf's checker reports as "unsupported" (not checked, not a violation) on
# signed files: the signature's interactive form and the PAdES-LT security store.
NOT_CHECKED_BY_PIKEPDF = ("/AcroForm", "/DSS")
PDFA_NS = "http://www.aiim.org/pdfa/ns/id/"
_ACTION_KEYS = ("/AA", "/A", "/OpenAction")


def header_version(data: bytes) -> tuple[int, int]:
    match = re.match(rb"%PDF-(\d)\.(\d)", data[:16])
    assert match, f"no PDF header: {data[:16]!r}"
    return int(match.group(1)), int(match.group(2))


def catalog_version(pdf: pikepdf.Pdf) -> tuple[int, int] | None:
    version = pdf.Root.get("/Version")
    if version is None:
        return None
    major, minor = str(version).lstrip("/").split(".")
    return int(major), int(minor)


def _walk(obj: pikepdf.Object, seen: set[tuple[int, int]]) -> Iterator[pikepdf.Object]:
    """Every dictionary and stream reachable from ``obj``, each once."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Object):
            continue  # a scalar pikepdf turned into a Python value
        if item.is_indirect:
            key = item.objgen
            if key in seen:
                continue
            seen.add(key)
        if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            yield item
            # /Parent loops back up the page tree; everything is reached from the root.
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, pikepdf.Array):
            stack.extend(item)


def _font_embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == Name.Type3:
        return True
    if font.get("/Subtype") == Name.Type0:
        return all(_font_embedded(d) for d in font.DescendantFonts)
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def problems(data: bytes) -> list[str]:
    """What breaks the PDF/A-2b rules above in ``data`` (empty when none)."""
    found: list[str] = []
    header = header_version(data)
    if header > MAX_VERSION:
        found.append(f"header version {header} above 1.7")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        catalog = catalog_version(pdf)
        if catalog is not None and catalog != header:
            found.append(f"catalog /Version {catalog} disagrees with header {header}")
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            found.append("encrypted")
        meta = pdf.open_metadata()
        if (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) != ("2", "B"):
            found.append(f"XMP pdfaid {meta.get('pdfaid:part')}/{meta.get('pdfaid:conformance')}")
        intents = [i for i in pdf.Root.get("/OutputIntents", [])
                   if i.get("/S") == Name.GTS_PDFA1]
        if len(intents) != 1 or "/DestOutputProfile" not in intents[0]:
            found.append("no single GTS_PDFA1 output intent with a profile")
        elif int(intents[0].DestOutputProfile.get("/N", 0)) not in (1, 3, 4):
            found.append("output intent profile has no valid /N")
        names = pdf.Root.get("/Names")
        if names is not None and ("/JavaScript" in names or "/EmbeddedFiles" in names):
            found.append("JavaScript or embedded files in the name tree")
        for obj in _walk(pdf.Root, set()):
            found.extend(_object_problems(obj))
    report = validate_written(io.BytesIO(data), "2b")
    found += [str(f) for f in report.findings if f.kind == "violation"]
    found += [str(f) for f in report.findings if f.kind != "violation"
              and not any(key in f"{f.where} {f.message}" for key in NOT_CHECKED_BY_PIKEPDF)]
    return found


def _object_problems(obj: pikepdf.Object) -> Iterator[str]:
    where = f"{obj.objgen}" if obj.is_indirect else "direct object"
    if obj.get("/S") == Name.JavaScript or "/JS" in obj:
        yield f"JavaScript action at {where}"
    for key in _ACTION_KEYS:
        if key in obj:
            yield f"{key} action at {where}"
    if obj.get("/Type") == Name.Font and not _font_embedded(obj):
        yield f"font {obj.get('/BaseFont')} not embedded at {where}"
    group = obj.get("/Group")
    if isinstance(group, pikepdf.Dictionary) and group.get("/S") == Name.Transparency:
        yield f"transparency group at {where}"
    if obj.get("/Type") == Name.ExtGState or "/CA" in obj or "/ca" in obj:
        smask = obj.get("/SMask")
        if smask is not None and smask != Name("/None"):
            yield f"soft mask at {where}"
        if obj.get("/BM") not in (None, Name.Normal, Name.Compatible):
            yield f"blend mode {obj.get('/BM')} at {where}"
        for key in ("/CA", "/ca"):
            if key in obj and float(obj[key]) < 1.0:
                yield f"{key} {float(obj[key])} (transparency) at {where}"
    if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == Name.Image \
            and "/SMask" in obj:
        yield f"image with a soft mask at {where}"
