"""The stamp's font holds the glyphs a stamp can draw, and only those.

pyHanko parses, subsets and writes the font given to the stamp for every signature;
its cost grows with the glyphs in it. The stamp draws its labels, the agency's name and
the signing time, nothing else.
"""

from __future__ import annotations

import io
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from fontTools.ttLib import TTFont

import signing
from records.vntime import vietnam_time
from signing import stamp
from tests.support.pki import make_pdfa

AGENCY = "Ủy ban nhân dân phường Bến Nghé, quận Một"


def _mapped(font: bytes) -> set[int]:
    return set(TTFont(io.BytesIO(font)).getBestCmap())


def test_stamp_font_maps_what_a_stamp_draws_and_no_other_letter() -> None:
    mapped = _mapped(stamp.stamp_font(stamp.find_font(), AGENCY))
    drawn = stamp.STAMP_TEXT % {"agency": AGENCY, "signed_vn": "31/12/2049 23:59"}
    wanted = {ord(ch) for ch in unicodedata.normalize("NFC", drawn.replace("\n", ""))}
    assert wanted <= mapped
    assert set(range(0x20, 0x7F)) <= mapped  # digits, punctuation, any ASCII name
    # Vietnamese letters in no label and not in the name: left out of the font.
    assert not {ord(ch) for ch in "ỹẵặỡợỷđ"} & mapped
    assert len(mapped) < 150


def test_stamp_text_reads_back_with_the_agencys_letters(tmp_path: Path) -> None:
    # Every letter of the name and labels is drawn with its own glyph: the stamp's
    # text extracted from the signed PDF is the text given.
    ident = signing.ensure_dev_identity(tmp_path / "dev", AGENCY)
    settings = signing.SigningSettings(agency_name=AGENCY)
    now = datetime.now(UTC)
    with signing.load_signer(settings, ident) as signer:
        signed = signer.sign(make_pdfa(pages=1), record_id="r1", signed_at=now)
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    words = " ".join(text.split())
    assert "Ký bởi: Ủy ban nhân dân" in words
    assert "phường Bến Nghé, quận Một" in words
    assert f"Thời gian ký: {vietnam_time(now)}" in words
