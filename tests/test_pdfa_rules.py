"""The PDF/A rules the archival tests rely on (tests/support/pdfa.py) tell what they
claim to tell: a rule that raises instead of answering would fail a good PDF."""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Name

from tests.support import pdfa


def _page_with_graphics_state(smask: pikepdf.Object) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    state = pikepdf.Dictionary(Type=Name.ExtGState, SMask=smask)
    pdf.pages[0].Resources = pikepdf.Dictionary(ExtGState=pikepdf.Dictionary(GS0=state))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_graphics_state_without_soft_mask_passes_and_one_with_it_is_named() -> None:
    # /SMask /None is how a graphics state says "no soft mask", which PDF/A allows.
    none = _page_with_graphics_state(Name("/None"))
    assert not [p for p in pdfa.problems(none) if "soft mask" in p]
    masked = _page_with_graphics_state(pikepdf.Dictionary(S=Name.Luminosity))
    assert [p for p in pdfa.problems(masked) if p.startswith("soft mask at")]
