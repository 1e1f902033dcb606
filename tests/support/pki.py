"""Test PKI for signing: a CA, OCSP responder, CRL and RFC 3161 TSA on loopback HTTP.

Built with certomancer from keys generated here; served by certomancer's WSGI
animator on 127.0.0.1 so pyHanko talks real HTTP to it. Also: small PDF/A-2b
inputs and a parser for poppler's ``pdfsig`` output.
"""

from __future__ import annotations

import io
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pikepdf
from asn1crypto import x509 as asn1_x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import (
    ArchLabel,
    CertLabel,
    CertomancerConfig,
    KeyLabel,
    PKIArchitecture,
)
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image, ImageCms, ImageDraw
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

ARCH = "sohoa-test"
KEY_NAMES = ("root", "tsa", "ocsp", "signer", "other-root", "other-signer")


def _dt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _signer_cert(issuer: str, valid_from: datetime, valid_to: datetime) -> dict[str, Any]:
    return {
        "subject": "signer",
        "subject-key": "signer",
        "issuer": issuer,
        "validity": {"valid-from": _dt(valid_from), "valid-to": _dt(valid_to)},
        "extensions": [
            {
                "id": "key_usage",
                "critical": True,
                "smart-value": {
                    "schema": "key-usage",
                    "params": ["digital_signature", "non_repudiation"],
                },
            },
            {
                "id": "crl_distribution_points",
                "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [issuer]}},
            },
            {
                "id": "authority_information_access",
                "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": [issuer]}},
            },
        ],
    }


def _service_cert(
    purpose: str, now: datetime, *extra: dict[str, Any]
) -> dict[str, Any]:
    """A root-issued certificate for one service (timestamps, OCSP) with the extended
    key usage ``purpose``, plus ``extra`` extensions."""
    return {
        "issuer": "root",
        "validity": {
            "valid-from": _dt(now - timedelta(days=30)),
            "valid-to": _dt(now + timedelta(days=3650)),
        },
        "extensions": [
            {
                "id": "key_usage",
                "critical": True,
                "smart-value": {"schema": "key-usage", "params": ["digital_signature"]},
            },
            {"id": "extended_key_usage", "critical": True, "value": [purpose]},
            *extra,
        ],
    }


def _ca_cert(label: str, now: datetime) -> dict[str, Any]:
    return {
        "subject": label,
        "subject-key": label,
        "issuer": label,
        "authority-key": label,
        "validity": {
            "valid-from": _dt(now - timedelta(days=3650)),
            "valid-to": _dt(now + timedelta(days=3650)),
        },
        "extensions": [
            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
            {
                "id": "key_usage",
                "critical": True,
                "smart-value": {
                    "schema": "key-usage",
                    "params": ["digital_signature", "key_cert_sign", "crl_sign"],
                },
            },
        ],
    }


def certomancer_config(key_dir: Path, url_prefix: str, now: datetime) -> dict[str, Any]:
    signer = _signer_cert("root", now - timedelta(days=30), now + timedelta(days=365))
    revoked = {
        **_signer_cert("root", now - timedelta(days=30), now + timedelta(days=365)),
        "revocation": {"revoked-since": _dt(now - timedelta(days=1)), "reason": "key_compromise"},
    }
    expired = _signer_cert("root", now - timedelta(days=400), now - timedelta(days=35))
    # The untrusted chain has no revocation services: only its root differs in the test.
    other = {
        **_signer_cert("other-root", now - timedelta(days=30), now + timedelta(days=365)),
        "subject": "other-signer",
        "subject-key": "other-signer",
    }
    other["extensions"] = other["extensions"][:1]
    return {
        "external-url-prefix": url_prefix,
        "keysets": {
            ARCH: {
                "path-prefix": str(key_dir),
                "keys": {name: {"path": f"{name}.key.pem"} for name in KEY_NAMES},
            }
        },
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN", "organization-name": "Sohoa Test PKI"},
                "entities": {
                    "root": {"common-name": "Sohoa Test Root CA"},
                    "other-root": {"common-name": "Untrusted Root CA"},
                    "tsa": {"common-name": "Sohoa Test TSA"},
                    "ocsp": {"common-name": "Sohoa Test OCSP"},
                    "signer": {"common-name": "UBND Phường Bến Nghé"},
                    "other-signer": {"common-name": "Somebody Else"},
                },
                "certs": {
                    "root": _ca_cert("root", now),
                    "other-root": _ca_cert("other-root", now),
                    "tsa": _service_cert("time_stamping", now, {
                        "id": "crl_distribution_points",
                        "smart-value": {
                            "schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]},
                        },
                    }),
                    "ocsp": _service_cert("ocsp_signing", now, {"id": "ocsp_no_check"}),
                    "signer": signer,
                    "signer-revoked": revoked,
                    "signer-expired": expired,
                    "other-signer": other,
                },
                "services": {
                    "ocsp": {
                        "root": {
                            "for-issuer": "root",
                            "responder-cert": "ocsp",
                            "signing-key": "ocsp",
                        }
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P7D",
                        }
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


@dataclass
class LoopbackPki:
    directory: Path
    arch: PKIArchitecture
    base_url: str

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def cert(self, label: str) -> asn1_x509.Certificate:
        return self.arch.get_cert(CertLabel(label))

    def cert_pem(self, label: str) -> Path:
        path = self.directory / f"{label}.cert.pem"
        if not path.exists():
            der = self.cert(label).dump()
            pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
            path.write_bytes(pem)
        return path

    @property
    def root_pem(self) -> Path:
        return self.cert_pem("root")

    def pkcs12(self, cert_label: str, password: bytes) -> Path:
        key = "other-signer" if cert_label == "other-signer" else "signer"
        issuer = "other-root" if cert_label == "other-signer" else "root"
        data = self.arch.package_pkcs12(
            CertLabel(cert_label),
            key_label=KeyLabel(key),
            certs_to_embed=[CertLabel(issuer)],
            password=password,
        )
        path = self.directory / f"{cert_label}.p12"
        path.write_bytes(data)
        return path

    def root_private_key(self) -> Any:
        return serialization.load_pem_private_key(
            (self.directory / "keys" / "root.key.pem").read_bytes(), password=None
        )


def _write_keys(key_dir: Path) -> None:
    key_dir.mkdir(parents=True, exist_ok=True)
    for name in KEY_NAMES:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (key_dir / f"{name}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Access lines would drown test and benchmark output."""


class _Dispatch:
    """WSGI app whose target is set after the server has picked its port."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


@contextmanager
def serve_test_pki(directory: Path) -> Iterator[LoopbackPki]:
    """Generate the PKI under ``directory`` and serve OCSP/CRL/TSA on 127.0.0.1."""
    key_dir = directory / "keys"
    _write_keys(key_dir)
    dispatch = _Dispatch()
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, dispatch, threaded=True, request_handler=_QuietHandler
    )
    base_url = f"http://127.0.0.1:{server.server_port}"
    now = datetime.now(UTC).replace(microsecond=0)
    cfg = CertomancerConfig(certomancer_config(key_dir, base_url, now), key_search_dir=str(key_dir))
    arch = cfg.get_pki_arch(ArchLabel(ARCH))
    dispatch.app = Animator(AnimatorArchStore({ArchLabel(ARCH): arch}), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LoopbackPki(directory, arch, base_url)
    finally:
        server.shutdown()
        thread.join(timeout=10)


def make_pdfa(pages: int = 1, title: str = "Giấy khai sinh") -> bytes:
    """A small image-only PDF/A-2b candidate: XMP with pdfaid 2/B and an sRGB OutputIntent."""
    images = []
    for n in range(pages):
        img = Image.new("RGB", (850, 1100), "white")
        draw = ImageDraw.Draw(img)
        draw.rectangle((100, 250, 750, 300), outline="black")
        draw.text((120, 265), f"GIAY KHAI SINH - page {n + 1}", fill="black")
        images.append(img)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=100, save_all=True, append_images=images[1:])
    pdf = pikepdf.open(io.BytesIO(buf.getvalue()))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["dc:title"] = title
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    profile = pdf.make_stream(icc)
    profile["/N"] = 3
    pdf.Root.OutputIntents = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFA1,
                OutputConditionIdentifier="sRGB IEC61966-2.1",
                DestOutputProfile=profile,
            )
        ]
    )
    out = io.BytesIO()
    # PDF 1.7, as ocr.assemble writes archival PDFs (PDF/A-2 is built on it).
    pdf.save(out, min_version="1.7")
    return out.getvalue()


def pdfsig_check(path: Path) -> list[dict[str, str]]:
    """poppler's view of each signature (it exits 0 even for invalid ones, so parse)."""
    proc = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    sigs: list[dict[str, str]] = []
    for line in proc.stdout.splitlines():
        if re.match(r"^Signature #\d+:", line):
            sigs.append({})
        elif sigs and (m := re.match(r"^\s+- ([^:]+): (.*)$", line)):
            sigs[-1][m.group(1).strip()] = m.group(2).strip()
        elif sigs and line.strip() in ("- Total document signed", "- Not total document signed"):
            sigs[-1]["coverage"] = line.strip()[2:]
    return sigs
