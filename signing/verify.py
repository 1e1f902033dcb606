"""Verification of every signature in a PDF, ours or anyone's, against given trust roots.

pyHanko does the cryptography, the chain and revocation checks and the difference
analysis of revisions added after each signature; this module turns its statuses
into one plain report with an overall verdict and readable reasons.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    KeyUsageConstraints,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from .identity import DEV_MARK
from .signer import LEVEL_B, LEVEL_LT, LEVEL_T, TrustRoot, load_trust_roots

ACCEPTED_KEY_USAGE = frozenset({"digital_signature", "non_repudiation"})
LEVEL_LTA = "PAdES-B-LTA"
# Problems that depend on when the chain is checked: a trusted timestamp proves the
# signature existed earlier, so the chain is re-checked at that time.
_TIME_DEPENDENT = frozenset(
    {
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.TRY_LATER,
        AdESIndeterminate.REVOKED_NO_POE,
    }
)
_TRUST_REASONS: dict[AdESSubIndic, str] = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: (
        "certificate chain does not lead to a trusted root"
    ),
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: (
        "signer certificate expired or not yet valid at validation time"
    ),
    AdESIndeterminate.REVOKED_NO_POE: "signer certificate is revoked",
    AdESIndeterminate.REVOKED_CA_NO_POE: "a CA certificate in the chain is revoked",
    AdESIndeterminate.TRY_LATER: "revocation information is not fresh enough",
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: "certificate constraints (e.g. key usage) not met",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: "a disallowed algorithm is used",
}


@dataclass
class TimestampReport:
    time: str
    tsa: str
    valid: bool
    trusted: bool


@dataclass
class SignatureReport:
    field_name: str
    signer_subject: str
    signer_common_name: str
    signing_time: str | None
    timestamp: TimestampReport | None
    intact: bool
    signature_valid: bool
    trusted: bool
    key_usage_ok: bool
    valid_at_signing_time: bool
    revoked: bool
    revocation_checked: bool
    coverage: str
    modification_level: str | None
    docmdp_ok: bool | None
    modified_after_signing: bool
    pades_level: str
    development_only: bool
    valid: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class VerificationReport:
    valid: bool
    unsigned: bool
    reasons: list[str]
    signatures: list[SignatureReport]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _key_usage_ok(cert: asn1_x509.Certificate) -> bool:
    usage = cert.key_usage_value
    # A certificate without a key usage extension is unrestricted (RFC 5280).
    return usage is None or bool(ACCEPTED_KEY_USAGE & set(usage.native))


def _pades_level(
    sig: EmbeddedPdfSignature, status: PdfSignatureStatus, has_revinfo: bool, has_doc_ts: bool
) -> str:
    subfilter = str(sig.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        return f"CMS ({subfilter.lstrip('/') or 'unknown'}), not PAdES"
    if status.timestamp_validity is None:
        return LEVEL_B
    if not has_revinfo:
        return LEVEL_T
    return LEVEL_LTA if has_doc_ts else LEVEL_LT


def _timestamp(status: PdfSignatureStatus) -> TimestampReport | None:
    ts = status.timestamp_validity
    if ts is None:
        return None
    return TimestampReport(
        time=ts.timestamp.isoformat(),
        tsa=ts.signing_cert.subject.human_friendly,
        valid=ts.valid and ts.intact,
        trusted=ts.trusted,
    )


def _vc(kwargs: dict[str, Any], dss: DocumentSecurityStore | None) -> ValidationContext:
    return dss.as_validation_context(kwargs) if dss is not None else ValidationContext(**kwargs)


async def _validate(
    sig: EmbeddedPdfSignature, vc: ValidationContext, skip_diff: bool
) -> PdfSignatureStatus:
    try:
        return await async_validate_pdf_signature(
            sig,
            signer_validation_context=vc,
            key_usage_settings=KeyUsageConstraints(
                key_usage=set(ACCEPTED_KEY_USAGE), match_all_key_usages=False
            ),
            skip_diff=skip_diff,
        )
    finally:
        await vc.aclose()


def _modification(status: PdfSignatureStatus) -> tuple[str, str | None, bool, list[str]]:
    coverage = status.coverage.name if status.coverage is not None else "UNKNOWN"
    level = status.modification_level
    modified = status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
        level is None or level > ModificationLevel.LTA_UPDATES
    )
    reasons = []
    if status.coverage not in (
        SignatureCoverageLevel.ENTIRE_FILE,
        SignatureCoverageLevel.ENTIRE_REVISION,
    ):
        reasons.append("signature does not cover a whole revision of the file")
    if status.docmdp_ok is False:
        reasons.append(
            "document was modified after signing in a way the signature does not allow "
            f"(modification level {level.name if level is not None else 'unknown'})"
        )
    return coverage, (level.name if level is not None else None), modified, reasons


async def _verify_one(
    sig: EmbeddedPdfSignature,
    kwargs: dict[str, Any],
    dss: DocumentSecurityStore | None,
    has_doc_ts: bool,
    revocation_checked: bool,
    is_newest: bool,
) -> SignatureReport:
    status = await _validate(sig, _vc(kwargs, dss), skip_diff=False)
    ts = _timestamp(status)
    chain_status = status
    if (
        not status.trusted
        and status.trust_problem_indic in _TIME_DEPENDENT
        and ts is not None
        and ts.valid
        and ts.trusted
        and status.timestamp_validity is not None
    ):
        at_ts = {**kwargs, "moment": status.timestamp_validity.timestamp, "allow_fetching": False}
        chain_status = await _validate(sig, _vc(at_ts, dss), skip_diff=True)

    cert = status.signing_cert
    reasons: list[str] = []
    intact = bool(status.intact)
    signature_valid = bool(status.valid)
    if not intact:
        reasons.append("signed bytes were changed: the document digest does not match")
    elif not signature_valid:
        reasons.append("the cryptographic signature does not verify")
    trusted = bool(chain_status.trusted)
    if not trusted:
        indic = chain_status.trust_problem_indic
        reasons.append(
            _TRUST_REASONS.get(indic, f"certificate validation failed ({indic})")
            if indic is not None
            else "certificate chain not trusted"
        )
    elif chain_status is not status:
        reasons.append("certificate checked at the trusted timestamp time")
    revoked = status.revocation_details is not None or chain_status.revoked
    revoked_when_signed = revoked and not _signed_before_revocation(status, ts)
    if revoked_when_signed and trusted:
        reasons.append("signer certificate is revoked, and no trusted timestamp shows the "
                       "signature was made before the revocation")
    key_usage_ok = _key_usage_ok(cert)
    if not key_usage_ok:
        reasons.append(
            "signer certificate key usage allows neither digitalSignature nor nonRepudiation"
        )
    if ts is not None and not (ts.valid and ts.trusted):
        reasons.append("signature timestamp is invalid or its TSA is not trusted")
    coverage, level, modified, mod_reasons = _modification(status)
    reasons.extend(mod_reasons)
    # What a viewer shows is the last revision. Changes after the newest signature are
    # vouched for by no one, however pyHanko grades them: a new, unsigned "signature
    # field" may paint anything over the page (FORM_FILLING). Only revocation data and
    # document timestamps (LTA_UPDATES) may follow it. Changes after an older signature
    # are covered by the newer one, checked in its turn.
    unvouched = is_newest and modified
    if unvouched:
        reasons.append(f"content was added after the last signature ({level or 'unknown'}): "
                       "what is shown is not what was signed")
    elif modified:
        reasons.append(f"revisions were added after signing ({level}), covered by a later "
                       "signature")
    if not revocation_checked:
        reasons.append("revocation status not checked (no embedded revocation data, fetching off)")
    development_only = DEV_MARK in cert.subject.human_friendly
    if development_only:
        reasons.append("signed with a DEVELOPMENT ONLY identity")
    valid = (
        intact
        and signature_valid
        and trusted
        and not revoked_when_signed
        and not unvouched
        and key_usage_ok
        and status.docmdp_ok is not False
        and status.coverage
        in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
        and (ts is None or (ts.valid and ts.trusted))
    )
    return SignatureReport(
        field_name=str(sig.field_name),
        signer_subject=cert.subject.human_friendly,
        signer_common_name=str(cert.subject.native.get("common_name", "")),
        signing_time=_iso(status.signer_reported_dt),
        timestamp=ts,
        intact=intact,
        signature_valid=signature_valid,
        trusted=trusted,
        key_usage_ok=key_usage_ok,
        valid_at_signing_time=trusted,
        revoked=revoked,
        revocation_checked=revocation_checked,
        coverage=coverage,
        modification_level=level,
        docmdp_ok=status.docmdp_ok,
        modified_after_signing=modified,
        pades_level=_pades_level(
            sig, status, dss is not None and bool(dss.ocsps or dss.crls), has_doc_ts
        ),
        development_only=development_only,
        valid=valid,
        reasons=reasons,
    )


def _signed_before_revocation(status: PdfSignatureStatus, ts: TimestampReport | None) -> bool:
    """Whether a trusted timestamp proves the signature older than the revocation of
    its certificate (then it stays valid: the key was good when it signed)."""
    details = status.revocation_details
    stamped = status.timestamp_validity
    if details is None or stamped is None or ts is None or not (ts.valid and ts.trusted):
        return False
    return bool(stamped.timestamp < details.revocation_date)


async def _verify(
    data: bytes,
    roots: list[asn1_x509.Certificate],
    allow_fetching: bool,
) -> VerificationReport:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
    except Exception as exc:
        return VerificationReport(False, True, [f"not a readable PDF: {exc}"], [])
    try:
        sigs = list(reader.embedded_regular_signatures)
    except Exception as exc:
        # The fields are there but a signature in them cannot be parsed: a broken
        # signature, to be reported as such, not as a document without any.
        broken = [_broken_field(name, f"signature container is malformed: {exc}")
                  for name in _filled_signature_fields(reader)]
        if not broken:
            return VerificationReport(False, True, [f"not a readable PDF: {exc}"], [])
        return _document_report(broken)
    if not sigs:
        return VerificationReport(False, True, ["the document carries no signature"], [])
    try:
        dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    has_doc_ts = bool(list(reader.embedded_timestamp_signatures))
    kwargs: dict[str, Any] = {
        "trust_roots": roots,
        "allow_fetching": allow_fetching,
        "revocation_mode": "soft-fail",
    }
    reports = []
    newest = max(sig.signed_revision for sig in sigs)
    for sig in sigs:
        embedded_revinfo = dss is not None and bool(dss.ocsps or dss.crls)
        try:
            report = await _verify_one(sig, kwargs, dss, has_doc_ts,
                                       allow_fetching or embedded_revinfo,
                                       sig.signed_revision == newest)
        except Exception as exc:  # a broken signature is not an absent one
            report = _broken(sig, f"signature container is malformed: "
                                  f"{type(exc).__name__}: {exc}")
        reports.append(report)
    return _document_report(reports)


def _document_report(reports: list[SignatureReport]) -> VerificationReport:
    reasons = [f"{r.field_name}: {reason}" for r in reports for reason in r.reasons]
    return VerificationReport(
        valid=all(r.valid for r in reports), unsigned=False, reasons=reasons, signatures=reports
    )


def _filled_signature_fields(reader: PdfFileReader) -> list[str]:
    try:
        return [str(name) for name, _, _ in enumerate_sig_fields(reader, filled_status=True)]
    except Exception:  # no readable form at all: nothing to report but the error
        return []


def _broken(sig: EmbeddedPdfSignature, reason: str) -> SignatureReport:
    return _broken_field(str(sig.field_name), reason)


def _broken_field(field_name: str, reason: str) -> SignatureReport:
    """The report of a signature that could not be examined: invalid, and why."""
    return SignatureReport(
        field_name=field_name, signer_subject="", signer_common_name="", signing_time=None,
        timestamp=None, intact=False, signature_valid=False, trusted=False,
        key_usage_ok=False, valid_at_signing_time=False, revoked=False,
        revocation_checked=False, coverage="UNKNOWN", modification_level=None,
        docmdp_ok=None, modified_after_signing=False, pades_level="unknown",
        development_only=False, valid=False, reasons=[reason],
    )


def verify_pdf(
    data: bytes, *, trust_roots: Sequence[TrustRoot], allow_fetching: bool = False
) -> VerificationReport:
    """Check every signature in ``data``.

    ``valid`` is true only when the PDF carries at least one signature and every
    signature is intact, cryptographically valid, chained to one of ``trust_roots``
    (at its trusted timestamp when it has one), and nothing disallowed was added
    after it. ``reasons`` explains failures and carries warnings otherwise.
    ``allow_fetching`` lets the validator fetch CRLs/OCSP over the network.
    """
    return asyncio.run(_verify(data, load_trust_roots(trust_roots), allow_fetching))
