"""PAdES signing of archival PDFs with pyHanko, one Signer per batch.

The Signer owns everything that is costly to set up and safe to reuse: the key
(a PKCS#12 file or a PKCS#11 token session), the timestamp client and its HTTP
session, the validation context (which caches OCSP/CRL answers for B-LT) and the
event loop they are bound to. A Signer is not thread-safe: use one per worker.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
import weakref
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, TypeAlias

from asn1crypto import cms, parser, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, load_der_private_key
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.attributes import (
    CMSAttributeProvider,
    SignedAttributeProviderSpec,
    SigningCertificateV2Provider,
)
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers.constants import ESIC_EXTENSION_1
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.stamp import BaseStampStyle
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from records.vntime import VN_TZ, vietnam_time

from . import placement, stamp
from .errors import SigningConfigError, SigningError
from .frame import PageFrame, Rect, normalized_rotation, visible_box
from .identity import DEV_MARK, DevIdentity

log = logging.getLogger(__name__)

LEVEL_B = "PAdES-B-B"
LEVEL_T = "PAdES-B-T"
LEVEL_LT = "PAdES-B-LT"
FIELD_PREFIX = "SohoaSignature"
SIGN_REASON = "Số hóa kết quả giải quyết thủ tục hành chính"
TrustRoot: TypeAlias = x509.Certificate | asn1_x509.Certificate | str | Path


@dataclass(frozen=True)
class SigningSettings:
    """How this deployment signs, as one value (``Settings.signing`` makes it).

    The key: a PKCS#11 token (``pkcs11_*``), else a PKCS#12 file, else the development
    identity ``load_signer`` is given. With ``tsa_url`` the signature is timestamped
    (B-T, B-LT when revocation data is reachable); ``trust_roots`` (beyond the key's own
    chain) anchor the TSA chain then. ``visible``: the Vietnamese stamp on page 1, with
    ``verify_url`` on it when given."""

    agency_name: str
    pkcs12_path: str | Path | None = None
    pkcs12_password: str | bytes | None = field(default=None, repr=False)
    pkcs11_module: str | None = None
    pkcs11_token: str | None = None
    pkcs11_key_label: str | None = None
    pkcs11_pin: str | None = field(default=None, repr=False)
    tsa_url: str | None = None
    tsa_timeout: float = 10.0
    visible: bool = True
    verify_url: str | None = None
    trust_roots: Sequence[TrustRoot] = ()

    @property
    def uses_dev_identity(self) -> bool:
        """No key configured: the deployment signs with the development identity."""
        return not (self.pkcs12_path or self.pkcs11_module)


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    level: str
    signer: str
    signed_at: str
    field_name: str
    development_only: bool
    # Where the visible stamp went ("top-left", "top-band", "margin-strip") and its font
    # size; None when the signature has no visible stamp.
    stamp_where: str | None = None
    stamp_font_size: int | None = None


def load_trust_roots(roots: Iterable[TrustRoot]) -> list[asn1_x509.Certificate]:
    """Certificates (cryptography or asn1crypto objects, or PEM/DER file paths) as asn1crypto."""
    out: list[asn1_x509.Certificate] = []
    for root in roots:
        if isinstance(root, asn1_x509.Certificate):
            out.append(root)
        elif isinstance(root, x509.Certificate):
            out.append(asn1_x509.Certificate.load(root.public_bytes(Encoding.DER)))
        else:
            data = Path(root).read_bytes()
            certs = (
                x509.load_pem_x509_certificates(data)
                if b"-----BEGIN" in data
                else [x509.load_der_x509_certificate(data)]
            )
            out.extend(asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in certs)
    return out


def _common_name(cert: asn1_x509.Certificate) -> str:
    name = cert.subject.native
    return str(
        name.get("common_name") or name.get("organization_name") or cert.subject.human_friendly
    )


def _is_dev_cert(cert: asn1_x509.Certificate) -> bool:
    return DEV_MARK in cert.subject.human_friendly


def _has_revocation_pointers(cert: asn1_x509.Certificate) -> bool:
    return bool(cert.crl_distribution_points or cert.ocsp_urls)


def _check_current(cert: asn1_x509.Certificate, now: datetime) -> None:
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    if not not_before <= now <= not_after:
        raise SigningConfigError(
            f"signing certificate {_common_name(cert)!r} is not valid now "
            f"(valid {vietnam_time(not_before)} .. {vietnam_time(not_after)} Vietnam time)"
        )


def _free_field_name(existing: Iterable[str]) -> str:
    taken = set(existing)
    n = 1
    while f"{FIELD_PREFIX}{n}" in taken:
        n += 1
    return f"{FIELD_PREFIX}{n}"


def _first_page(writer: IncrementalPdfFileWriter) -> Any:
    page_ref, _ = writer.prev.find_page_for_modification(0)
    return page_ref.get_object()


def _page_frame(page: Any) -> PageFrame:
    # MediaBox, CropBox and Rotate are all inheritable from the page tree.
    media = _inherited(page, "/MediaBox")
    if media is None:
        raise SigningError("page 1 has no /MediaBox")
    box = visible_box(media, _inherited(page, "/CropBox"))
    return PageFrame(box, normalized_rotation(_inherited(page, "/Rotate") or 0))


def _union(a: Rect, b: Rect) -> Rect:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _widen(writer: IncrementalPdfFileWriter, page: Any, frame: PageFrame,
           extra: float) -> PageFrame:
    """Add a blank strip ``extra`` points tall above page 1 as displayed, for the stamp.

    Only the page's boxes grow (in this same signed revision); its content, the scan,
    is not touched and keeps its place in user space.
    """
    display_w, display_h = frame.display_size
    strip = frame.from_display((0.0, display_h, display_w, display_h + extra))
    visible = _union(frame.box, strip)
    media = _union(visible_box(_inherited(page, "/MediaBox"), None), strip)
    page["/MediaBox"] = generic.ArrayObject([generic.FloatObject(v) for v in media])
    page["/CropBox"] = generic.ArrayObject([generic.FloatObject(v) for v in visible])
    writer.update_container(page)
    return PageFrame(visible, frame.rotate)


def _signature_rects(page: Any) -> list[Rect]:
    rects: list[Rect] = []
    for annot_ref in page.get("/Annots") or []:
        annot = annot_ref.get_object()
        is_sig = annot.get("/FT") == "/Sig" or (
            "/Parent" in annot and annot["/Parent"].get_object().get("/FT") == "/Sig"
        )
        if is_sig and "/Rect" in annot:
            a, b, c, d = (float(v) for v in annot["/Rect"])
            rects.append((min(a, c), min(b, d), max(a, c), max(b, d)))
    return rects


def _inherited(page: Any, key: str) -> Any:
    """``key`` from the page or its nearest ancestor in the page tree, else None."""
    node = page
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


class Pdf17Signer(signers.PdfSigner):
    """A PdfSigner that keeps the document at PDF 1.7, the base of PDF/A-2.

    pyHanko declares the ISO 32002 extension for ECDSA keys on the usual curves (and
    ISO 32001 for SHA-3), which raises the catalog's /Version to 2.0: a PDF/A-2b file
    whose header says 1.7 would then claim to be PDF 2.0, and validators reject it.
    ECDSA and RSA signatures with SHA-2 are plain PAdES in PDF 1.7 (the ESIC extension,
    ETSI EN 319 142-1), which is all this declares. We sign with SHA-256 only.
    """

    def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
        if md_algorithm.startswith("sha3_") or md_algorithm == "shake256":
            raise SigningError(f"{md_algorithm} needs PDF 2.0; sign with SHA-2")
        if self.signature_meta.subfilter == fields.SigSeedSubFilter.PADES:
            # Adds no catalog /Version when the header already says 1.7 (ocr.assemble).
            pdf_out.ensure_output_version(version=(1, 7))
            pdf_out.register_extension(ESIC_EXTENSION_1)


class _KnownSigningCertificate(SigningCertificateV2Provider):
    """The ``signing-certificate-v2`` value of one certificate, encoded once."""

    def __init__(self, signing_cert: asn1_x509.Certificate) -> None:
        super().__init__(signing_cert)
        self._der = as_signing_certificate_v2(signing_cert).dump()

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        # A fresh value each time (a CMS owns its parts), parsed from the same bytes.
        return tsp.SigningCertificateV2.load(self._der)


class PadesSignedAttributes(SignedAttributeProviderSpec):
    """The signed attributes of our PAdES signatures, the signing certificate's
    reference built once per signer.

    What pyHanko's own PAdES choice (``CAdESSignedAttributeProviderSpec`` with
    ``is_pades``) provides for a signature made without CAdES options, as ours are:
    the ``signing-certificate-v2`` reference (content type and message digest are
    added by pyHanko for any spec; PAdES forbids a signing-time attribute). pyHanko
    builds that reference from Python values for every signature, and asn1crypto
    encodes such a value's fields again at each level above them, twice each time
    (it never clears a value's "changed" mark): ~7 ms of a ~20 ms signature. Parsed
    from its own DER, the same reference encodes in microseconds; the bytes are the
    same.
    """

    def __init__(self, signing_cert: asn1_x509.Certificate) -> None:
        self._provider = _KnownSigningCertificate(signing_cert)

    def signed_attr_providers(
        self, data_digest: bytes, digest_algorithm: str
    ) -> Iterable[CMSAttributeProvider]:
        yield self._provider


def cms_der(signed: cms.ContentInfo) -> bytes:
    """``signed.dump()``, the CMS's DER encoding, without encoding it twice over.

    asn1crypto encodes a value built from Python values by asking its contents
    twice, so its parts are encoded twice, and the second time it takes any part's
    cached header whose last byte is 0x80 for BER's indefinite length
    (wbond/asn1crypto#249) — also a definite long-form length such as 0x680 — and
    encodes that part again from scratch, each level below twice over: 43 ms instead
    of 0.1 ms. An ECDSA signature's length varies by a byte or two, so with the
    development identity's key a third of the SignedData values were 0x680 bytes
    long. Here the two outer levels (ContentInfo, its explicitly tagged SignedData)
    are put together once from their parts' encodings, as ``dump()`` would.
    """
    content = signed["content"]
    der = parser.emit(content.class_, content.method, content.tag, content.contents)
    for class_, tag in content.explicit or ():
        der = parser.emit(class_, 1, tag, der)
    return parser.emit(signed.class_, signed.method, signed.tag,
                       signed["content_type"].dump() + der)


class Signer:
    """Signs PDFs for one agency; build with :func:`load_signer`, ``close()`` when done."""

    def __init__(
        self,
        *,
        cms_signer: signers.Signer,
        agency_name: str,
        timestamper: TimeStamper | None = None,
        validation_context: ValidationContext | None = None,
        level: str = LEVEL_B,
        visible: bool = True,
        verify_url: str | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        http: LazySession | None = None,
        on_close: Sequence[Any] = (),
    ) -> None:
        cert = cms_signer.signing_cert
        if cert is None:
            raise SigningConfigError("the signing key has no certificate")
        if cms_signer.signed_attr_prov_spec is None:
            cms_signer.signed_attr_prov_spec = PadesSignedAttributes(cert)
        self.cms_signer = cms_signer
        self.agency_name = agency_name
        self.timestamper = timestamper
        self.validation_context = validation_context
        self.level = level
        self.verify_url = verify_url
        self.signer_name = _common_name(cert)
        self.development_only = _is_dev_cert(cert)
        self._cert = cert
        self._plan = (
            stamp.stamp_plan(stamp.stamp_font(stamp.find_font(), agency_name), agency_name,
                             verify_url is not None)
            if visible else None
        )
        self._loop = loop or asyncio.new_event_loop()
        # Space reserved for the signature, by signing year (see ``_sign``).
        self._reserved: dict[int, int] = {}
        self._http = http
        self._on_close = list(on_close)
        # A signer dropped without close() must not leave its loop for the garbage
        # collector: the loop's "unclosed" ResourceWarning fires wherever collection
        # happens to run, and pikepdf's PDF/A check turns any warning raised while it
        # walks a content stream into a finding (CI lost a PDF/A that way). Closing
        # the loop and the token sessions needs no running loop, so it is safe here.
        weakref.finalize(self, _drop, self._loop, self._on_close)

    def sign(
        self,
        pdf: bytes,
        *,
        record_id: str | None = None,
        signed_at: datetime | None = None,
        marks: placement.PageMarks | None = None,
    ) -> SignedPdf:
        """Append a PAdES signature to ``pdf`` as a new incremental revision.

        The visible stamp goes where page 1 is blank (``signing.placement``):
        ``marks`` are page 1's ink and words when the caller has them already (ingest
        computes them with the OCR); without them page 1 is rendered here.
        """
        moment = (signed_at or datetime.now(UTC)).replace(microsecond=0)
        if moment.tzinfo is None:
            raise SigningError("signed_at must carry a timezone")
        _check_current(self._cert, moment)
        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        except Exception as exc:
            raise SigningError(f"not a readable PDF: {exc}") from exc
        existing = list(fields.enumerate_sig_fields(writer.prev, filled_status=None))
        field_name = _free_field_name(name for name, _, _ in existing)
        # Earlier signatures forbid changing the page (widening it for the stamp).
        signed_before = any(value is not None for _, value, _ in existing)
        pdf_signer, where, font_size = self._pdf_signer(
            writer, field_name, pdf, marks, signed_before)
        params = {
            "agency": (self._plan.agency if self._plan is not None
                       else unicodedata.normalize("NFC", self.agency_name)),
            "signed_vn": vietnam_time(moment),
        }
        if self._plan is not None and self._plan.with_qr and self.verify_url is not None:
            params["url"] = stamp.qr_target(self.verify_url, record_id)
        # pyHanko sizes /Contents by a dry-run signature (a quarter of a signature's
        # CPU) whose length depends only on the key, its chain, the signing time's
        # encoding (one length up to 2049, another after) and, with a timestamp, the
        # timestamper's dummy token — fetched once from the TSA and cached by the
        # timestamper for its whole life. Revocation data adds nothing to the CMS in
        # PAdES (it goes to the DSS after signing). So the estimate, with pyHanko's 50 %
        # margin for a real token that differs from the dummy, is the same number for
        # every document a signer signs in a year: measured once per year and reused.
        reserved = self._reserved
        data = self._loop.run_until_complete(
            _sign(pdf_signer, writer, moment, params, reserved))
        return SignedPdf(
            data=data,
            level=self.level,
            signer=self.signer_name,
            signed_at=moment.astimezone(VN_TZ).isoformat(),
            field_name=field_name,
            development_only=self.development_only,
            stamp_where=where,
            stamp_font_size=font_size,
        )

    def _pdf_signer(
        self,
        writer: IncrementalPdfFileWriter,
        field_name: str,
        pdf: bytes,
        marks: placement.PageMarks | None,
        signed_before: bool,
    ) -> tuple[signers.PdfSigner, str | None, int | None]:
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=SIGN_REASON,
            embed_validation_info=self.level == LEVEL_LT,
            validation_context=self.validation_context if self.level == LEVEL_LT else None,
        )
        invisible = Pdf17Signer(
            meta, self.cms_signer, timestamper=self.timestamper,
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name),
        )
        if self._plan is None:
            return invisible, None, None
        page = _first_page(writer)
        frame = _page_frame(page)
        size = frame.display_size
        if marks is not None and not _same_size((marks.width, marks.height), size):
            log.warning("page marks for a %.0fx%.0f page, page 1 is %.0fx%.0f: measuring again",
                        marks.width, marks.height, *size)
            marks = None
        if marks is None:
            try:
                marks = placement.page_marks(pdf)
            except SigningError as exc:
                # Not knowing where the ink is, no place is safe for the stamp; the
                # signature itself does not need one.
                log.warning("%s: signing without a visible stamp", exc)
                return invisible, None, None
        avoid = [frame.to_display(r) for r in _signature_rects(page)]
        choice = placement.place(marks, self._plan.dimensions, avoid)
        if choice.widen:
            if signed_before:
                # Widening the page would invalidate the earlier signatures, and the
                # stamp must not cover the paper: this signature stays invisible.
                log.warning("no blank space for the stamp on page 1 of a signed PDF: "
                            "signing without a visible stamp")
                return invisible, None, None
            frame = _widen(writer, page, frame, choice.widen)
        chosen = self._plan.sizes[choice.size_index]
        x0, y0, x1, y1 = frame.from_display(choice.rect)
        # Whole points for pyHanko; the size is kept exact, the corner moves < 0.5 pt
        # (within placement.CLEARANCE).
        left, bottom = round(x0), round(y0)
        box = (left, bottom, left + round(x1 - x0), bottom + round(y1 - y0))
        spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=0, box=box)
        style: BaseStampStyle = chosen.style
        if frame.rotate:
            style = stamp.UprightStampStyle(inner=style, rotate=frame.rotate)
        pdf_signer = Pdf17Signer(
            meta,
            self.cms_signer,
            timestamper=self.timestamper,
            stamp_style=style,
            new_field_spec=spec,
        )
        return pdf_signer, choice.where, chosen.font_size

    def close(self) -> None:
        """Release the token session, HTTP sessions and event loop."""
        if self._loop.is_closed():
            return
        _release(self._loop, self.validation_context, self._http, self._on_close)

    def __enter__(self) -> Signer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _same_size(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1


def _drop(loop: asyncio.AbstractEventLoop, resources: Sequence[Any]) -> None:
    if loop.is_closed():
        return
    loop.close()
    for resource in resources:
        resource.close()


def _release(
    loop: asyncio.AbstractEventLoop,
    vc: ValidationContext | None,
    http: LazySession | None,
    resources: Sequence[Any],
) -> None:
    # The sessions' close coroutines need the loop, so it closes after them.
    if vc is not None:
        loop.run_until_complete(vc.aclose())
    if http is not None:
        loop.run_until_complete(http.close())
    loop.close()
    for resource in resources:
        resource.close()


async def _sign(
    pdf_signer: signers.PdfSigner,
    writer: IncrementalPdfFileWriter,
    moment: datetime,
    text_params: dict[str, str],
    reserved_by_year: dict[int, int] | None = None,
) -> bytes:
    """Sign in pyHanko's interrupted-signing steps, so that the CMS signing time, the
    /M entry and the visible stamp all carry the same instant. ``reserved_by_year``:
    the space pyHanko's estimate gave for a signature made in that year, kept and
    reused (why that is safe: ``Signer.sign``)."""
    session = pdf_signer.init_signing_session(writer)
    session.system_time = moment
    validation_info = await session.perform_presign_validation(writer)
    reserved = None if reserved_by_year is None else reserved_by_year.get(moment.year)
    if reserved is None:
        reserved = await session.estimate_signature_container_size(validation_info,
                                                                   tight=False)
        if reserved_by_year is not None:
            reserved_by_year[moment.year] = reserved
    tbs = session.prepare_tbs_document(
        validation_info=validation_info,
        bytes_reserved=reserved,
        appearance_text_params=text_params,
    )
    buffer = BytesIO()
    prepared, output = tbs.digest_tbs_document(output=buffer)
    attributes = PdfCMSSignedAttributes(
        signing_time=moment,
        adobe_revinfo_attr=(
            None if validation_info is None else validation_info.adobe_revinfo_attr
        ),
    )
    if writer.security_handler is not None:
        # An encrypted PDF may take a MAC that pyHanko's own last step manages.
        post = await tbs.perform_signature(document_digest=prepared.document_digest,
                                           pdf_cms_signed_attrs=attributes)
    else:
        # ``perform_signature``'s steps, with the CMS handed over already encoded
        # (``cms_der``): pyHanko's remote-signing entry point takes its bytes.
        signed = await tbs.signer.async_sign(
            prepared.document_digest, tbs.md_algorithm, use_pades=tbs.use_pades,
            timestamper=tbs.timestamper, signed_attr_settings=attributes)
        post = PdfTBSDocument.resume_signing(
            output, prepared, cms_der(signed), post_sign_instr=tbs.post_sign_instructions,
            validation_context=tbs.validation_context)
    await post.post_signature_processing(output)
    return buffer.getvalue()


class KeyInMemorySigner(signers.SimpleSigner):
    """pyHanko's ``SimpleSigner`` with its private key parsed once.

    ``SimpleSigner.sign_raw`` parses the key from DER for every signature, and
    ``cryptography`` checks an RSA key's primes as it parses it: 36 ms a signature for
    a 2048-bit key, 110 ms for 3072 (an EC key: 0.02 ms). The RSA PKCS#1 v1.5 and ECDSA
    signatures are made here with the key parsed at load; any other mechanism (PSS,
    EdDSA...) goes to pyHanko's own ``sign_raw`` unchanged.
    """

    def __init__(self, loaded: signers.SimpleSigner) -> None:
        cert = loaded.signing_cert
        if cert is None:
            raise SigningConfigError("the signing key has no certificate")
        super().__init__(
            signing_cert=cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
            signature_mechanism=loaded.signature_mechanism,
            prefer_pss=loaded.prefer_pss,
            embed_roots=loaded.embed_roots,
        )
        self._private_key = load_der_private_key(loaded.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            mechanism = None
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            return key.sign(data, ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)


def _load_cms_signer(
    settings: SigningSettings, dev_identity: DevIdentity | None
) -> tuple[signers.Signer, list[Any]]:
    if settings.pkcs11_module:
        return _load_pkcs11(
            settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_key_label,
            settings.pkcs11_pin,
        )
    pkcs12_path, pkcs12_password = settings.pkcs12_path, settings.pkcs12_password
    if pkcs12_path is not None:
        password = pkcs12_password.encode() if isinstance(pkcs12_password, str) else pkcs12_password
        try:
            loaded = signers.SimpleSigner.load_pkcs12(str(pkcs12_path), passphrase=password)
        except Exception as exc:
            raise SigningConfigError(f"cannot open PKCS#12 file {pkcs12_path}: {exc}") from exc
        if loaded is None:
            raise SigningConfigError(f"cannot open PKCS#12 file {pkcs12_path} (wrong password?)")
        return KeyInMemorySigner(loaded), []
    if dev_identity is not None:
        loaded = signers.SimpleSigner.load(
            str(dev_identity.key_path),
            str(dev_identity.cert_path),
            ca_chain_files=(str(dev_identity.ca_cert_path),),
        )
        if loaded is None:
            raise SigningConfigError(
                f"cannot load the development identity in {dev_identity.directory}"
            )
        return KeyInMemorySigner(loaded), []
    raise SigningConfigError("no signing key configured (PKCS#12, PKCS#11 or dev identity)")


def _load_pkcs11(
    module: str, token: str | None, key_label: str | None, pin: str | None
) -> tuple[signers.Signer, list[Any]]:
    try:
        # Imported here, on a token's first use: the file-key and development identities
        # (the embedded default) never load python-pkcs11 and its extension modules. A
        # missing python-pkcs11 is then this configuration's error, raised by the
        # preflight like any other token that cannot be opened.
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11

        session = pkcs11.open_pkcs11_session(
            module,
            token_criteria=TokenCriteria(label=token) if token else None,
            user_pin=pin,
        )
    except Exception as exc:
        raise SigningConfigError(
            f"cannot open PKCS#11 token {token!r} via {module}: {exc}"
        ) from exc
    # The certificate lives next to the key under the same label, as usual on tokens.
    signer = pkcs11.PKCS11Signer(session, cert_label=key_label, key_label=key_label)
    return signer, [session]


def _reachable(loop: asyncio.AbstractEventLoop, check: Awaitable[None], subject: str) -> bool:
    """Run one revocation check: False when the services cannot tell (B-T will do),
    SigningConfigError when they answer that ``subject`` is revoked.

    A timestamp would make a revoked key's signature look sound for years, so a
    revoked certificate is a reason to sign nothing, not to sign at a lower level.
    """
    try:
        loop.run_until_complete(check)
    except RevokedError as exc:
        raise SigningConfigError(f"{subject} is revoked, refusing to sign: {exc}") from exc
    except Exception as exc:
        log.warning("revocation data unreachable, signing at PAdES-B-T instead of B-LT: %s", exc)
        return False
    return True


async def _validate_signer(cms_signer: signers.Signer, vc: ValidationContext) -> None:
    validator = CertificateValidator(
        cms_signer.signing_cert,
        intermediate_certs=list(cms_signer.cert_registry),
        validation_context=vc,
    )
    await validator.async_validate_usage(set())


async def _validate_tsa(timestamper: TimeStamper, vc: ValidationContext) -> None:
    async for _ in timestamper.validation_paths(vc):
        pass


def _probe_lt(
    loop: asyncio.AbstractEventLoop,
    cms_signer: signers.Signer,
    timestamper: TimeStamper,
    vc: ValidationContext,
) -> bool:
    """Whether revocation data for the signer and TSA chains can be fetched right now;
    SigningConfigError if it says one of those certificates is revoked."""
    cert = cms_signer.signing_cert
    if cert is None or not _has_revocation_pointers(cert):
        return False
    return _reachable(
        loop, _validate_signer(cms_signer, vc), f"signing certificate {_common_name(cert)!r}"
    ) and _reachable(loop, _validate_tsa(timestamper, vc), "the timestamp authority's certificate")


def load_signer(settings: SigningSettings, dev_identity: DevIdentity | None = None) -> Signer:
    """Build the batch's Signer from whichever key source ``settings`` configures.

    Precedence: PKCS#11, then PKCS#12, then ``dev_identity``. Level: B-B without a
    TSA; with a TSA, B-LT when the certificates name revocation services that answer
    now, else B-T.
    """
    cms_signer, resources = _load_cms_signer(settings, dev_identity)
    agency_name, visible, verify_url = settings.agency_name, settings.visible, settings.verify_url
    tsa_url = settings.tsa_url
    loop = asyncio.new_event_loop()
    if tsa_url is None:
        return Signer(
            cms_signer=cms_signer,
            agency_name=agency_name,
            visible=visible,
            verify_url=verify_url,
            loop=loop,
            on_close=resources,
        )
    http = LazySession()
    timestamper = HTTPTimeStamper(tsa_url, timeout=settings.tsa_timeout, session=http)
    roots = load_trust_roots(settings.trust_roots) + [
        c for c in cms_signer.cert_registry if c.self_signed == "maybe" or c.self_signed == "yes"
    ]
    vc = ValidationContext(
        trust_roots=roots,
        other_certs=list(cms_signer.cert_registry),
        allow_fetching=True,
        revocation_mode="hard-fail",
    )
    try:
        level = LEVEL_LT if _probe_lt(loop, cms_signer, timestamper, vc) else LEVEL_T
    except SigningConfigError:
        _release(loop, vc, http, resources)
        raise
    if level != LEVEL_LT:
        loop.run_until_complete(vc.aclose())
    return Signer(
        cms_signer=cms_signer,
        agency_name=agency_name,
        timestamper=timestamper,
        validation_context=vc if level == LEVEL_LT else None,
        level=level,
        visible=visible,
        verify_url=verify_url,
        loop=loop,
        http=http,
        on_close=resources,
    )
