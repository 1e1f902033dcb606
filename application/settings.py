"""Configuration, read once from the environment at the edge (CLI, API, worker).

Nothing below the edge reads the environment: the pipeline receives the objects it
needs. Every variable is documented in the README's configuration table.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocr.base import DEFAULT_LANGUAGES as DEFAULT_LANGUAGES  # the watcher's default too
from ocr.base import DEFAULT_MAX_PIXELS, configured_languages
from signing import SigningSettings
from storage.layout import normalize_agency
from storage.retry import RetryPolicy


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_file(path: str) -> str:
    return Path(path).read_text(encoding="utf-8").strip()


def _paths(value: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in value.split(os.pathsep) if p)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    storage_url: str
    index_url: str
    broker_url: str | None
    agency: str
    workers: int
    languages: str
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_secure: bool = True
    s3_object_lock_days: int | None = None
    storage_retry_seconds: float = RetryPolicy.max_wait
    signing_pkcs12: Path | None = None
    signing_pkcs12_password: str | None = None
    signing_pkcs11_module: str | None = None
    signing_pkcs11_token: str | None = None
    signing_pkcs11_key: str | None = None
    signing_pkcs11_pin: str | None = None
    tsa_url: str | None = None
    trust_roots: tuple[Path, ...] = ()
    visible_signature: bool = True
    verify_url: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pixels: int = DEFAULT_MAX_PIXELS
    result_types_path: str | None = None
    procedures_path: str | None = None
    # Seconds of silence after which a task of a vanished worker is handed out again;
    # a running task renews its claim every quarter of it (``ingest.heartbeat``), so a
    # long document is never run twice however long it takes.
    broker_visibility_timeout: int = 120
    fixity_interval_seconds: int = 24 * 3600
    index_repair_interval_seconds: int = 24 * 3600
    audit_journal: Path | None = None
    handwriting: bool = False
    # On: header lines still in doubt after tesseract's second reading are read by the
    # line model of the `handwriting` extra too (``extract.reread``): fewer records in
    # review for 2-3 % more CPU a batch (the 0.58 of bare tesseract's pages a minute first
    # measured was the shared machine's load). Off by default while a fresh draw shows a
    # record the model's (right) reading makes ready with a name read wrong and undoubted
    # (bench/README_extract.md, 6 Dec).
    line_model: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """The settings the environment gives; a variable unset or empty keeps the
        field's default above, the one place each default is written."""
        e = dict(os.environ if env is None else env)
        data_dir = Path(e.get("SOHOA_DATA") or "./sohoa-data").resolve()
        given: dict[str, Any] = {}

        def read(field_name: str, variable: str, convert: Callable[[str], Any] = str) -> None:
            if e.get(variable):
                given[field_name] = convert(e[variable])

        read("s3_access_key", "SOHOA_S3_ACCESS_KEY")
        read("s3_secret_key", "SOHOA_S3_SECRET_KEY")
        read("s3_secure", "SOHOA_S3_SECURE", _flag)
        read("s3_object_lock_days", "SOHOA_S3_OBJECT_LOCK_DAYS", int)
        read("storage_retry_seconds", "SOHOA_STORAGE_RETRY_SECONDS", float)
        read("signing_pkcs12", "SOHOA_SIGNING_PKCS12", Path)
        read("signing_pkcs12_password", "SOHOA_SIGNING_PASSWORD_FILE", _secret_file)
        read("signing_pkcs11_module", "SOHOA_PKCS11_MODULE")
        read("signing_pkcs11_token", "SOHOA_PKCS11_TOKEN")
        read("signing_pkcs11_key", "SOHOA_PKCS11_KEY")
        read("signing_pkcs11_pin", "SOHOA_PKCS11_PIN_FILE", _secret_file)
        read("tsa_url", "SOHOA_TSA_URL")
        read("trust_roots", "SOHOA_TRUST_ROOTS", _paths)
        read("visible_signature", "SOHOA_VISIBLE_SIGNATURE", _flag)
        read("verify_url", "SOHOA_VERIFY_URL")
        read("max_upload_bytes", "SOHOA_MAX_UPLOAD_BYTES", int)
        read("max_pixels", "SOHOA_MAX_PIXELS", int)
        read("result_types_path", "SOHOA_RESULT_TYPES")
        read("procedures_path", "SOHOA_PROCEDURES")
        read("broker_visibility_timeout", "SOHOA_BROKER_VISIBILITY_TIMEOUT", int)
        read("fixity_interval_seconds", "SOHOA_FIXITY_INTERVAL", int)
        read("index_repair_interval_seconds", "SOHOA_INDEX_REPAIR_INTERVAL", int)
        read("audit_journal", "SOHOA_AUDIT_JOURNAL", Path)
        read("handwriting", "SOHOA_HANDWRITING", _flag)
        read("line_model", "SOHOA_LINE_MODEL", _flag)
        # A secret given directly wins over its file, even when given empty.
        if "SOHOA_SIGNING_PASSWORD" in e:
            given["signing_pkcs12_password"] = e["SOHOA_SIGNING_PASSWORD"]
        if "SOHOA_PKCS11_PIN" in e:
            given["signing_pkcs11_pin"] = e["SOHOA_PKCS11_PIN"]
        return cls(
            data_dir=data_dir,
            storage_url=e.get("SOHOA_STORAGE_URL") or (data_dir / "objects").as_uri(),
            index_url=e.get("SOHOA_INDEX_URL") or f"sqlite:///{data_dir / 'index.sqlite3'}",
            broker_url=e.get("SOHOA_BROKER_URL") or None,
            agency=normalize_agency(e.get("SOHOA_AGENCY") or "dev-agency"),
            workers=int(e.get("SOHOA_WORKERS") or (os.cpu_count() or 1)),
            languages=configured_languages(e),
            **given,
        )

    @property
    def signing(self) -> SigningSettings:
        """How this deployment signs, as the one value ``signing.load_signer`` takes."""
        return SigningSettings(
            agency_name=self.agency,
            pkcs12_path=self.signing_pkcs12,
            pkcs12_password=self.signing_pkcs12_password,
            pkcs11_module=self.signing_pkcs11_module,
            pkcs11_token=self.signing_pkcs11_token,
            pkcs11_key_label=self.signing_pkcs11_key,
            pkcs11_pin=self.signing_pkcs11_pin,
            tsa_url=self.tsa_url,
            visible=self.visible_signature,
            verify_url=self.verify_url,
            trust_roots=self.trust_roots,
        )

    @property
    def audit_journal_dir(self) -> Path:
        """Where this host's audit journals live: its own disk, kept across restarts."""
        return self.audit_journal or self.data_dir / "audit-journal"

    def redacted(self) -> dict[str, object]:
        """Settings safe to log or print: secrets replaced."""
        out: dict[str, object] = {}
        for key, value in self.__dict__.items():
            secret = any(w in key for w in ("secret", "password", "pin"))
            out[key] = "***" if (secret and value) else (str(value) if value is not None else None)
        return out
