"""The stamp's font program is subset once per set of glyphs, not once per document.

pyHanko subsets and writes the stamp font for every signature (~8 ms of ~35 ms CPU);
``signing.stamp`` keeps the program made for a glyph set and embeds it again when the
next stamp uses the same glyphs. The embedded font must be the one a fresh subset gives.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

import signing
from tests.signing.test_sign import _fonts_in, _p12_signer, _pdfsig_valid
from tests.support.pki import LoopbackPki

# Two signing times drawn with the same digits (the stamp's glyphs are the same), and
# one with a digit the others lack.
SAME_A = datetime(2026, 12, 5, 1, 20, tzinfo=UTC)
SAME_B = datetime(2026, 12, 5, 1, 2, tzinfo=UTC)
OTHER = datetime(2026, 12, 5, 1, 39, tzinfo=UTC)


def _stamp_font(data: bytes) -> tuple[dict[str, bytes], str, bytes]:
    """The stamp's embedded font program (its tables but the save time), its /W widths
    and its /ToUnicode map."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        widget = next(a for a in pdf.pages[0].get("/Annots", []) if a.get("/FT") == "/Sig")
        (font,) = _fonts_in(widget.AP.N)
        descendant = font.DescendantFonts[0]
        program = descendant.FontDescriptor.FontFile2.read_bytes()
        widths, to_unicode = repr(descendant.get("/W")), font.ToUnicode.read_bytes()
    tt = TTFont(io.BytesIO(program))
    tags = tt.keys()
    tables = {tag: tt.getTableData(tag) for tag in tags if tag not in ("GlyphOrder", "head")}
    tables["head"] = repr(sorted(
        (k, v) for k, v in vars(tt["head"]).items()
        if k not in ("modified", "checkSumAdjustment", "tableTag"))).encode()
    return tables, widths, to_unicode


def _sign(signer: signing.Signer, pdfa: bytes, moment: datetime) -> bytes:
    return signer.sign(pdfa, record_id="rec-1", signed_at=moment).data


def test_a_stamp_with_the_same_glyphs_reuses_the_font_program(
        tmp_path: Path, pki: LoopbackPki, pdfa: bytes, p12_password: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    subsets: list[int] = []
    real = GlyphAccumulator._extract_subset

    def counted(self: GlyphAccumulator, *args: object, **kwargs: object) -> None:
        subsets.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(GlyphAccumulator, "_extract_subset", counted)
    with _p12_signer(pki, p12_password) as signer:
        first = _sign(signer, pdfa, SAME_A)
        again = _sign(signer, pdfa, SAME_B)
        assert len(subsets) == 1, "the second stamp subset the font again"
        other = _sign(signer, pdfa, OTHER)
        assert len(subsets) == 2, "a stamp with another glyph needs its own subset"
    with _p12_signer(pki, p12_password) as fresh_signer:  # nothing kept: subset afresh
        fresh = _sign(fresh_signer, pdfa, SAME_B)
    assert _stamp_font(again) == _stamp_font(fresh)
    assert _stamp_font(first)[0] == _stamp_font(again)[0]
    assert _stamp_font(other)[0] != _stamp_font(again)[0]
    for data in (first, again, other):
        assert _pdfsig_valid(tmp_path, data)
