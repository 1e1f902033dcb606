"""A self-made development identity: an agency root CA and one signing certificate.

It exists so that a fresh install signs out of the box. Its certificates say
"DEVELOPMENT ONLY" in the subject and no auditor should trust its root: production
deployments configure a key issued by a recognised CA (see docs/signing.md).
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

log = logging.getLogger(__name__)

DEV_MARK = "(DEVELOPMENT ONLY)"
# RFC 9336 id-kp-documentSigning; emailProtection is kept too because NSS-based
# verifiers (poppler, Firefox) check for it when an EKU extension is present.
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
# What a document signer's certificate may do: sign, with non-repudiation (PAdES
# validators check both), and nothing else.
SIGNER_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)
# P-256: approved for qualified signatures (ETSI TS 119 312) and, unlike RSA, cheap
# for pyHanko, which re-parses the private key on every signature.
_CURVE = ec.SECP256R1()
_CA_YEARS = 20
_SIGNER_YEARS = 5


@dataclass(frozen=True)
class DevIdentity:
    """Paths of a development identity's files (all PEM)."""

    directory: Path
    agency: str
    ca_cert_path: Path
    cert_path: Path
    key_path: Path

    @property
    def development_only(self) -> bool:
        return True


def _paths(directory: Path, agency: str) -> DevIdentity:
    return DevIdentity(
        directory=directory,
        agency=agency,
        ca_cert_path=directory / "dev-ca.pem",
        cert_path=directory / "dev-signer.pem",
        key_path=directory / "dev-signer.key",
    )


def _fit(text: str, suffix: str = "", limit: int = 64) -> str:
    """``text`` + ``suffix`` within X.520's 64-byte limit (UTF-8 bytes: a Vietnamese
    letter takes two or three), shortening ``text`` only, so the suffix (the DEV_MARK)
    always survives."""
    room = limit - len(suffix.encode())
    while len(text.encode()) > room:
        text = text[:-1]
    return text.rstrip() + suffix


def _name(common_name: str, agency: str) -> x509.Name:
    mark = f" {DEV_MARK}"
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(agency, mark)),
            x509.NameAttribute(NameOID.COMMON_NAME,
                               _fit(common_name.removesuffix(mark), mark)
                               if common_name.endswith(mark) else _fit(common_name)),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600 from the start so the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _issue(agency: str) -> tuple[x509.Certificate, x509.Certificate, ec.EllipticCurvePrivateKey]:
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = ec.generate_private_key(_CURVE)
    ca_name = _name(f"{agency} Dev Root CA {DEV_MARK}", agency)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * _CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(_CURVE)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(agency, agency))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * _SIGNER_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(SIGNER_KEY_USAGE, critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING_EKU, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    # The CA key is dropped on purpose: the dev CA issues exactly one certificate.
    return ca_cert, cert, key


def ensure_dev_identity(directory: Path, agency: str) -> DevIdentity:
    """Create (first run) or reuse the development CA and signing certificate.

    Files under ``directory``: ``dev-ca.pem`` (root to trust when verifying dev
    output), ``dev-signer.pem`` and ``dev-signer.key`` (mode 0600, unencrypted:
    protection comes from the file mode, as for any local dev secret).
    """
    ident = _paths(Path(directory), agency)
    if _complete(ident):
        return ident
    ident.directory.mkdir(parents=True, exist_ok=True)
    # Several worker processes may start at once on a fresh data directory: only one
    # may create the identity, or signatures would chain to a CA that was replaced.
    with (ident.directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _complete(ident):
            _create(ident, agency)
    return ident


def _complete(ident: DevIdentity) -> bool:
    return ident.ca_cert_path.exists() and ident.cert_path.exists() and ident.key_path.exists()


def _create(ident: DevIdentity, agency: str) -> None:
    log.warning(
        "creating a DEVELOPMENT ONLY signing identity for %r in %s; "
        "its signatures are not trusted by anyone else",
        agency,
        ident.directory,
    )
    ca_cert, cert, key = _issue(agency)
    _write_private(
        ident.key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    ident.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    # The CA file is written last: its presence marks a complete identity.
    ident.ca_cert_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
