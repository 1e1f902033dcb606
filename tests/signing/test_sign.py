"""Signing with real keys (PKCS#12, SoftHSM2 token, dev identity), checked by pdfsig too."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

import signing
from signing.identity import SIGNER_KEY_USAGE
from tests.support import pdfa as pdfa_rules
from tests.support.pki import LoopbackPki, pdfsig_check

AGENCY = "UBND Phường Bến Nghé"


def _pdfsig_valid(tmp_path: Path, data: bytes) -> list[dict[str, str]]:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    sigs = pdfsig_check(path)
    assert sigs, "pdfsig saw no signature"
    for sig in sigs:
        assert sig["Signature Validation"] == "Signature is Valid.", sig
    return sigs


def _p12_signer(pki: LoopbackPki, password: str, **kwargs: object) -> signing.Signer:
    return signing.load_signer(
        signing.SigningSettings(
            pkcs12_path=pki.pkcs12("signer", password.encode()),
            pkcs12_password=password,
            agency_name=AGENCY,
            trust_roots=[pki.root_pem],
            **kwargs,  # type: ignore[arg-type]
        ),
    )


def test_dev_identity_is_marked_private_and_reused(tmp_path: Path) -> None:
    first = signing.ensure_dev_identity(tmp_path / "signing", AGENCY)
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(first.cert_path.read_bytes())
    assert "DEVELOPMENT ONLY" in cert.subject.rfc4514_string()
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    before = first.cert_path.read_bytes()
    again = signing.ensure_dev_identity(tmp_path / "signing", AGENCY)
    assert again.cert_path.read_bytes() == before


def test_pades_b_b_valid(tmp_path: Path, pki: LoopbackPki, pdfa: bytes, p12_password: str) -> None:
    with _p12_signer(pki, p12_password) as signer:
        signed = signer.sign(pdfa, record_id="rec-1")
    assert signed.level == "PAdES-B-B"
    assert signed.signer == AGENCY
    assert signed.signed_at.endswith("+07:00")
    assert not signed.development_only
    assert signed.data.startswith(pdfa), "signature must be an incremental update"
    assert b"/ETSI.CAdES.detached" in signed.data
    report = signing.verify_pdf(signed.data, trust_roots=[pki.root_pem])
    assert report.valid, report.reasons
    sig = report.signatures[0]
    assert sig.pades_level == "PAdES-B-B" and sig.intact and sig.trusted and sig.key_usage_ok
    assert sig.field_name == signed.field_name
    assert sig.coverage == "ENTIRE_FILE" and not sig.modified_after_signing
    assert _pdfsig_valid(tmp_path, signed.data)[0]["Signature Type"] == "ETSI.CAdES.detached"


def _contents_length(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        field = next(f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Sig")
        return len(bytes(field.V.Contents))


def _estimates_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes pyHanko's dry-run signature gives, one per estimate made from now on."""
    from pyhanko.sign.signers.pdf_signer import PdfSigningSession

    measured: list[int] = []
    estimate = PdfSigningSession.estimate_signature_container_size

    async def counted(self: PdfSigningSession, *args: object, **kwargs: object) -> int:
        size: int = await estimate(self, *args, **kwargs)  # type: ignore[arg-type]
        measured.append(size)
        return size

    monkeypatch.setattr(PdfSigningSession, "estimate_signature_container_size", counted)
    return measured


def test_b_b_measures_the_signatures_size_once(
    tmp_path: Path, pki: LoopbackPki, pdfa: bytes, p12_password: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pyHanko's dry-run signature that sizes /Contents was a quarter of a signature's
    # CPU; without a timestamp or revocation data the size cannot change within a year.
    measured = _estimates_counted(monkeypatch)
    now = datetime.now(UTC)
    with _p12_signer(pki, p12_password) as signer:
        signed = [signer.sign(pdfa, record_id=f"rec-{i}", signed_at=now) for i in range(3)]
    assert len(measured) == 1
    with _p12_signer(pki, p12_password) as fresh:
        alone = fresh.sign(pdfa, signed_at=now)
    # The same space as a signature measured on its own, and every one valid.
    assert {_contents_length(s.data) for s in signed} == {_contents_length(alone.data)}
    for one in signed:
        report = signing.verify_pdf(one.data, trust_roots=[pki.root_pem])
        assert report.valid, report.reasons
    _pdfsig_valid(tmp_path, signed[-1].data)


def test_pades_b_t_with_loopback_tsa(tmp_path: Path, pki: LoopbackPki, pdfa: bytes) -> None:
    # The dev identity names no revocation service, so a TSA gives B-T (not B-LT).
    ident = signing.ensure_dev_identity(tmp_path / "dev", AGENCY)
    with signing.load_signer(
        signing.SigningSettings(tsa_url=pki.tsa_url, agency_name=AGENCY),
        ident,
    ) as s:
        first = s.sign(pdfa)
        second = s.sign(pdfa)  # the timestamper is reused across the batch
    assert first.level == second.level == "PAdES-B-T"
    assert first.development_only
    report = signing.verify_pdf(first.data, trust_roots=[ident.ca_cert_path, pki.root_pem])
    assert report.valid, report.reasons
    ts = report.signatures[0].timestamp
    assert ts is not None and ts.trusted and "Sohoa Test TSA" in ts.tsa
    assert report.signatures[0].pades_level == "PAdES-B-T"
    assert any("DEVELOPMENT ONLY" in r for r in report.reasons)
    _pdfsig_valid(tmp_path, first.data)


def _cms_length(data: bytes) -> int:
    """Length of the DER signature inside /Contents (the rest is zero padding)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        field = next(f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Sig")
        der = bytes(field.V.Contents)
    assert der[0] == 0x30 and der[1] & 0x80, "a CMS SEQUENCE in long form"
    n = der[1] & 0x7F
    return 2 + n + int.from_bytes(der[2:2 + n], "big")


def test_b_t_measures_the_signatures_size_once_and_a_real_token_fits(
    tmp_path: Path, pki: LoopbackPki, pdfa: bytes, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a TSA, pyHanko's dry run uses the timestamper's cached dummy token, so its
    # estimate is the same for every document: measured once per signer and year. The
    # real tokens (each from the TSA) must still fit, with room to spare.
    measured = _estimates_counted(monkeypatch)
    ident = signing.ensure_dev_identity(tmp_path / "dev", AGENCY)
    settings = signing.SigningSettings(tsa_url=pki.tsa_url, agency_name=AGENCY)
    now = datetime.now(UTC)
    with signing.load_signer(settings, ident) as signer:
        signed = [signer.sign(pdfa, record_id=f"rec-{i}", signed_at=now) for i in range(3)]
    assert len(measured) == 1
    roots = [ident.ca_cert_path, pki.root_pem]
    for one in signed:
        assert one.level == "PAdES-B-T"
        report = signing.verify_pdf(one.data, trust_roots=roots)
        assert report.signatures[0].intact and report.signatures[0].timestamp is not None
        assert report.signatures[0].timestamp.trusted
        # pyHanko's 50 % margin kept: the reserved space is what a signer measuring
        # each document would reserve, well above the signature actually made.
        assert _contents_length(one.data) == measured[0] // 2
        assert _cms_length(one.data) * 1.4 < _contents_length(one.data)
    _pdfsig_valid(tmp_path, signed[-1].data)


def test_pades_b_lt_embeds_revocation_data(
    tmp_path: Path, pki: LoopbackPki, pdfa: bytes, p12_password: str
) -> None:
    with _p12_signer(pki, p12_password, tsa_url=pki.tsa_url) as signer:
        signed = signer.sign(pdfa)
    assert signed.level == "PAdES-B-LT"
    with pikepdf.open(io.BytesIO(signed.data)) as pdf:
        dss = pdf.Root.DSS
        assert len(dss.Certs) >= 2
        assert len(dss.get("/OCSPs", [])) + len(dss.get("/CRLs", [])) >= 1
    # Offline verification succeeds on the embedded data alone.
    report = signing.verify_pdf(signed.data, trust_roots=[pki.root_pem], allow_fetching=False)
    assert report.valid, report.reasons
    sig = report.signatures[0]
    assert sig.pades_level == "PAdES-B-LT" and sig.revocation_checked
    assert sig.modification_level == "LTA_UPDATES"
    _pdfsig_valid(tmp_path, signed.data)
    # RSA key, timestamp and DSS revision: still PDF 1.7 and PDF/A-2b.
    assert pdfa_rules.header_version(signed.data) == (1, 7)
    assert pdfa_rules.problems(signed.data) == []


def test_sign_again_keeps_existing_signature(
    tmp_path: Path, pki: LoopbackPki, pdfa: bytes, p12_password: str
) -> None:
    # A PDF signed elsewhere (pyHanko directly, foreign field name) before ingest.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    foreign = signers.SimpleSigner.load_pkcs12(str(pki.pkcs12("signer", b"x")), passphrase=b"x")
    assert foreign is not None
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdfa)),
        signers.PdfSignatureMetadata(field_name="Citizen"),
        signer=foreign,
    )
    pre_signed = out.getvalue()
    with _p12_signer(pki, p12_password) as signer:
        signed = signer.sign(pre_signed)
    assert signed.data.startswith(pre_signed)
    report = signing.verify_pdf(signed.data, trust_roots=[pki.root_pem])
    assert report.valid, report.reasons
    assert [s.field_name for s in report.signatures] == ["Citizen", signed.field_name]
    assert report.signatures[0].modification_level == "FORM_FILLING"
    assert report.signatures[0].pades_level.startswith("CMS (adbe.pkcs7.detached)")
    assert len(_pdfsig_valid(tmp_path, signed.data)) == 2


def test_visible_stamp_top_left_with_embedded_font(
    tmp_path: Path, pki: LoopbackPki, pdfa: bytes, p12_password: str
) -> None:
    with _p12_signer(pki, p12_password, verify_url="https://sohoa.example/verify") as signer:
        signed = signer.sign(pdfa, record_id="rec-42")
    with pikepdf.open(io.BytesIO(signed.data)) as pdf:
        page = pdf.pages[0]
        _, _, page_w, page_h = (float(v) for v in page.mediabox)
        widgets = [a for a in page.get("/Annots", []) if a.get("/FT") == "/Sig"]
        assert len(widgets) == 1
        x1, _, x2, y2 = (float(v) for v in widgets[0].Rect)
        assert x1 < 60 and y2 > page_h - 60 and x2 < page_w / 2 + 60
        assert int(widgets[0].F) & 4, "print flag required by PDF/A"
        appearance = widgets[0].AP.N
        fonts = _fonts_in(appearance)
        assert fonts, "stamp has no font"
        for font in fonts:
            descendant = font.DescendantFonts[0]
            assert "/FontFile2" in descendant.FontDescriptor, "stamp font not embedded"
            assert any(n in str(font.BaseFont) for n in ("Noto", "DejaVu"))
        assert "/QR" in _xobject_names(appearance)
    png = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-gray", "-png", "-", str(png)],
        input=signed.data,
        check=True,
        timeout=60,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    w, h = image.size
    top_left = image.crop((0, 0, w // 2, h // 8))
    dark = sum(top_left.histogram()[:100])
    assert dark > 200, "nothing drawn in the top-left corner"
    unsigned = Image.open(io.BytesIO(_render_unsigned(pdfa, tmp_path))).convert("L")
    unsigned = unsigned.crop((0, 0, w // 2, h // 8))
    assert sum(unsigned.histogram()[:100]) < dark / 10


def _render_unsigned(pdf: bytes, tmp_path: Path) -> bytes:
    out = tmp_path / "unsigned"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-gray", "-png", "-", str(out)],
        input=pdf,
        check=True,
        timeout=60,
    )
    return next(tmp_path.glob("unsigned*.png")).read_bytes()


def _fonts_in(xobject: pikepdf.Object) -> list[pikepdf.Object]:
    found = []
    resources = xobject.get("/Resources", pikepdf.Dictionary())
    for font in resources.get("/Font", pikepdf.Dictionary()).values():
        found.append(font)
    for child in resources.get("/XObject", pikepdf.Dictionary()).values():
        found.extend(_fonts_in(child))
    return found


def _xobject_names(xobject: pikepdf.Object) -> set[str]:
    names: set[str] = set()
    resources = xobject.get("/Resources", pikepdf.Dictionary())
    for name, child in resources.get("/XObject", pikepdf.Dictionary()).items():
        names.add(name)
        names |= _xobject_names(child)
    return names


def test_invisible_signature_has_no_stamp(pki: LoopbackPki, pdfa: bytes, p12_password: str) -> None:
    with _p12_signer(pki, p12_password, visible=False) as signer:
        signed = signer.sign(pdfa)
    with pikepdf.open(io.BytesIO(signed.data)) as pdf:
        widget = next(a for a in pdf.pages[0].get("/Annots", []) if a.get("/FT") == "/Sig")
        assert [float(v) for v in widget.Rect] == [0.0, 0.0, 0.0, 0.0]
    assert signing.verify_pdf(signed.data, trust_roots=[pki.root_pem]).valid


def test_pdfa_structure_survives_signing(pki: LoopbackPki, pdfa: bytes, p12_password: str) -> None:
    with _p12_signer(pki, p12_password, tsa_url=pki.tsa_url) as signer:
        signed = signer.sign(pdfa)
    with pikepdf.open(io.BytesIO(pdfa)) as before, pikepdf.open(io.BytesIO(signed.data)) as after:
        assert "/OutputIntents" in after.Root
        assert before.Root.OutputIntents[0].DestOutputProfile.read_bytes() == (
            after.Root.OutputIntents[0].DestOutputProfile.read_bytes()
        )
        meta = after.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == before.open_metadata()["dc:title"]
        # An incremental update cannot rewrite the header; PAdES needs 1.7, set in /Version.
        assert str(after.Root.get("/Version", "/" + after.pdf_version)) >= "/1.7"
        for page in after.pages:
            for annot in page.get("/Annots", []):
                assert int(annot.get("/F", 0)) & 4, "annotation without print flag"
                assert "/AP" in annot


def test_expired_certificate_refuses_to_sign(pki: LoopbackPki, pdfa: bytes) -> None:
    with (
        signing.load_signer(
            signing.SigningSettings(
                pkcs12_path=pki.pkcs12("signer-expired", b"pw"),
                pkcs12_password="pw",
                agency_name=AGENCY,
            ),
        ) as signer,
        pytest.raises(signing.SigningConfigError, match="not valid now"),
    ):
        signer.sign(pdfa)


def test_wrong_pkcs12_password_is_a_config_error(pki: LoopbackPki) -> None:
    with pytest.raises(signing.SigningConfigError):
        signing.load_signer(
            signing.SigningSettings(
                pkcs12_path=pki.pkcs12("signer", b"right"),
                pkcs12_password="wrong",
                agency_name=AGENCY,
            ),
        )


def test_pkcs11_key_never_leaves_softhsm(
    tmp_path: Path, pki: LoopbackPki, pdfa: bytes, softhsm_token: dict[str, str]
) -> None:
    import pkcs11
    from pkcs11 import Attribute, KeyType, ObjectClass

    lib = pkcs11.lib(softhsm_token["module"])
    token = lib.get_token(token_label=softhsm_token["label"])
    with token.open(rw=True, user_pin=softhsm_token["pin"]) as session:
        public, private = session.generate_keypair(
            KeyType.RSA,
            2048,
            label="agency-key",
            id=b"\x01",
            store=True,
            private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
        )
        assert private[Attribute.EXTRACTABLE] is False and private[Attribute.SENSITIVE] is True
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
            int.from_bytes(public[Attribute.MODULUS], "big"),
        )
        cert = _issue_from_test_root(pki, numbers.public_key())
        from cryptography.hazmat.primitives.serialization import Encoding

        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "agency-key",
                Attribute.ID: b"\x01",
                Attribute.VALUE: cert.public_bytes(Encoding.DER),
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.ISSUER: cert.issuer.public_bytes(),
            }
        )
    signer = signing.load_signer(
        signing.SigningSettings(
            pkcs11_module=softhsm_token["module"],
            pkcs11_token=softhsm_token["label"],
            pkcs11_key_label="agency-key",
            pkcs11_pin=softhsm_token["pin"],
            agency_name=AGENCY,
        ),
    )
    with signer:
        signed = [signer.sign(pdfa) for _ in range(2)]  # one token session, reused
    report = signing.verify_pdf(signed[1].data, trust_roots=[pki.root_pem])
    assert report.valid, report.reasons
    assert report.signatures[0].signer_common_name == "Cán bộ ký số (HSM)"
    _pdfsig_valid(tmp_path, signed[1].data)


def _issue_from_test_root(pki: LoopbackPki, public_key: rsa.RSAPublicKey) -> x509.Certificate:
    root = x509.load_pem_x509_certificate(pki.root_pem.read_bytes())
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Cán bộ ký số (HSM)")])
        )
        .issuer_name(root.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(SIGNER_KEY_USAGE, critical=True)
        .sign(pki.root_private_key(), hashes.SHA256())
    )


def test_a_token_configured_without_python_pkcs11_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # python-pkcs11 is imported on a token's first use (not by every batch): its absence
    # is reported as the token's configuration error, from the preflight's load_signer.
    monkeypatch.setitem(sys.modules, "pkcs11", None)
    monkeypatch.delitem(sys.modules, "pyhanko.sign.pkcs11", raising=False)
    with pytest.raises(signing.SigningConfigError, match=r"cannot open PKCS#11 token .*pkcs11"):
        signing.load_signer(signing.SigningSettings(
            pkcs11_module="/nonexistent/libsofthsm2.so", pkcs11_token="sohoa",
            pkcs11_key_label="agency-key", pkcs11_pin="1234", agency_name=AGENCY))


@pytest.mark.parametrize("source", ["pkcs12-rsa", "dev-ec"])
def test_the_private_key_is_parsed_once_not_for_every_signature(
    tmp_path: Path, pki: LoopbackPki, pdfa: bytes, p12_password: str, source: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # cryptography checks an RSA key's primes as it parses it (36 ms for 2048 bits);
    # pyHanko's SimpleSigner parsed the key again for every signature.
    from cryptography.hazmat.primitives import serialization

    if source == "pkcs12-rsa":
        signer = _p12_signer(pki, p12_password)
        roots = [pki.root_pem]
    else:
        ident = signing.ensure_dev_identity(tmp_path / "dev", AGENCY)
        signer = signing.load_signer(signing.SigningSettings(agency_name=AGENCY), ident)
        roots = [ident.ca_cert_path]
    parsed: list[bytes] = []
    parse = serialization.load_der_private_key

    def counted(data: bytes, *args: object, **kwargs: object) -> object:
        parsed.append(data)
        return parse(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(serialization, "load_der_private_key", counted)
    with signer:
        signed = [signer.sign(pdfa, record_id=f"rec-{i}") for i in range(3)]
    assert parsed == []
    for one in signed:
        report = signing.verify_pdf(one.data, trust_roots=roots)
        assert report.signatures[0].intact and report.signatures[0].trusted, report.reasons
    _pdfsig_valid(tmp_path, signed[-1].data)
