"""Signatures per second: sohoa's Signer next to pyHanko called directly, same run.

Both sides use the same key (the dev identity, P-256), PAdES subfilter, SHA-256,
the same visible stamp style and font, and for B-T the same loopback TSA
(certomancer's RFC 3161 responder). pyHanko gets a fixed stamp box; sohoa chooses
the box from page 1's marks (signing.placement), which ingest measures with the OCR in
its worker processes and passes to the signer: the "sohoa" column gets them the same
way, and the cost of measuring them (rendering page 1) is reported on its own, as is
signing without marks (the Signer then renders page 1 itself). Usage:

    .venv/bin/python bench/signing_bench.py [--n 200]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper

import signing
from records.vntime import vietnam_time
from signing import placement, stamp
from tests.support.pki import make_pdfa, serve_test_pki

AGENCY = "UBND Phường Bến Nghé"


def _direct(
    ident: signing.DevIdentity, tsa_url: str | None, font: bytes
) -> Callable[[bytes], bytes]:
    key = signers.SimpleSigner.load(
        str(ident.key_path), str(ident.cert_path), ca_chain_files=(str(ident.ca_cert_path),)
    )
    assert key is not None
    timestamper = HTTPTimeStamper(tsa_url) if tsa_url else None
    size = stamp.stamp_plan(font, AGENCY, with_qr=False).sizes[0]
    box = (9, 783 - round(size.height), 9 + round(size.width), 783)

    def sign(pdf: bytes) -> bytes:
        moment = datetime.now(UTC)
        spec = fields.SigFieldSpec(sig_field_name="Sig1", on_page=0, box=box)
        meta = signers.PdfSignatureMetadata(
            field_name="Sig1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        )
        pdf_signer = signers.PdfSigner(
            meta, key, timestamper=timestamper, stamp_style=size.style, new_field_spec=spec
        )
        out = pdf_signer.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
            appearance_text_params={"agency": AGENCY, "signed_vn": vietnam_time(moment)},
        )
        return bytes(out.getvalue())

    return sign


def _sign_nth(sign: Callable[..., object], pdfs: list[bytes],
              marks: list[placement.PageMarks] | None, i: int) -> object:
    return sign(pdfs[i]) if marks is None else sign(pdfs[i], marks=marks[i])


def _rates(signs: list[Callable[[int], object]], n: int) -> list[float]:
    """Signatures per second of each of ``signs``, taking turns document by document:
    on a machine shared with other work, load that comes and goes then weighs on every
    column alike instead of on whichever happened to run at the time."""
    for sign in signs:
        sign(0)  # warm-up: font load, TSA connection, dummy size estimate
    spent = [0.0] * len(signs)
    for i in range(n):
        for k, sign in enumerate(signs):
            start = time.perf_counter()
            sign(i)
            spent[k] += time.perf_counter() - start
    return [n / t for t in spent]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    pdfs = [make_pdfa(pages=1 + i % 3) for i in range(args.n)]
    print(f"{args.n} PDF/A-2b inputs, 1-3 pages, mean {sum(map(len, pdfs)) // len(pdfs)} bytes")
    start = time.perf_counter()
    marks = [placement.page_marks(pdf) for pdf in pdfs]
    measuring = (time.perf_counter() - start) / len(pdfs) * 1000
    print(f"page-1 marks (ingest's compose stage, worker processes): {measuring:.1f} ms/page")
    with tempfile.TemporaryDirectory() as tmp, serve_test_pki(Path(tmp) / "pki") as pki:
        ident = signing.ensure_dev_identity(Path(tmp) / "dev", AGENCY)
        font = stamp.stamp_font(stamp.find_font(), AGENCY)
        print(f"{'level':<10} {'sohoa sig/s':>12} {'pyHanko sig/s':>14} {'overhead':>9} "
              f"{'no marks sig/s':>15}")
        for label, tsa in (("PAdES-B-B", None), ("PAdES-B-T", pki.tsa_url)):
            with signing.load_signer(
                signing.SigningSettings(tsa_url=tsa, agency_name=AGENCY),
                ident,
            ) as s:
                assert s.level == label, s.level
                ours, theirs, alone = _rates([
                    partial(_sign_nth, s.sign, pdfs, marks),
                    partial(_sign_nth, _direct(ident, tsa, font), pdfs, None),
                    partial(_sign_nth, s.sign, pdfs, None),
                ], args.n)
            overhead = (theirs / ours - 1) * 100
            print(f"{label:<10} {ours:>12.1f} {theirs:>14.1f} {overhead:>8.1f}% {alone:>15.1f}")
    asyncio.set_event_loop(None)


if __name__ == "__main__":
    main()
