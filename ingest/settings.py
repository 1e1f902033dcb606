"""Configuration, read once from the environment at the edge (CLI, API, worker).

Nothing below the edge reads the environment: the pipeline receives the objects it
needs. Every variable is documented in the README's configuration table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from storage.layout import normalize_agency


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


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
    storage_retry_seconds: float = 300.0
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
    max_pixels: int = 200_000_000
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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = dict(os.environ if env is None else env)
        data_dir = Path(e.get("SOHOA_DATA") or "./sohoa-data").resolve()
        password = e.get("SOHOA_SIGNING_PASSWORD")
        password_file = e.get("SOHOA_SIGNING_PASSWORD_FILE")
        if password is None and password_file:
            password = Path(password_file).read_text(encoding="utf-8").strip()
        pin = e.get("SOHOA_PKCS11_PIN")
        pin_file = e.get("SOHOA_PKCS11_PIN_FILE")
        if pin is None and pin_file:
            pin = Path(pin_file).read_text(encoding="utf-8").strip()
        roots = tuple(Path(p) for p in (e.get("SOHOA_TRUST_ROOTS") or "").split(os.pathsep) if p)
        return cls(
            data_dir=data_dir,
            storage_url=e.get("SOHOA_STORAGE_URL") or (data_dir / "objects").as_uri(),
            index_url=e.get("SOHOA_INDEX_URL") or f"sqlite:///{data_dir / 'index.sqlite3'}",
            broker_url=e.get("SOHOA_BROKER_URL") or None,
            agency=normalize_agency(e.get("SOHOA_AGENCY") or "dev-agency"),
            workers=int(e.get("SOHOA_WORKERS") or (os.cpu_count() or 1)),
            languages=e.get("SOHOA_OCR_LANGUAGES") or "vie",
            s3_access_key=e.get("SOHOA_S3_ACCESS_KEY"),
            s3_secret_key=e.get("SOHOA_S3_SECRET_KEY"),
            s3_secure=_flag(e.get("SOHOA_S3_SECURE"), True),
            s3_object_lock_days=int(e["SOHOA_S3_OBJECT_LOCK_DAYS"])
            if e.get("SOHOA_S3_OBJECT_LOCK_DAYS") else None,
            storage_retry_seconds=float(e.get("SOHOA_STORAGE_RETRY_SECONDS") or 300),
            signing_pkcs12=_path(e.get("SOHOA_SIGNING_PKCS12")),
            signing_pkcs12_password=password,
            signing_pkcs11_module=e.get("SOHOA_PKCS11_MODULE"),
            signing_pkcs11_token=e.get("SOHOA_PKCS11_TOKEN"),
            signing_pkcs11_key=e.get("SOHOA_PKCS11_KEY"),
            signing_pkcs11_pin=pin,
            tsa_url=e.get("SOHOA_TSA_URL") or None,
            trust_roots=roots,
            visible_signature=_flag(e.get("SOHOA_VISIBLE_SIGNATURE"), True),
            verify_url=e.get("SOHOA_VERIFY_URL") or None,
            max_upload_bytes=int(e.get("SOHOA_MAX_UPLOAD_BYTES") or 50 * 1024 * 1024),
            max_pixels=int(e.get("SOHOA_MAX_PIXELS") or 200_000_000),
            result_types_path=e.get("SOHOA_RESULT_TYPES") or None,
            procedures_path=e.get("SOHOA_PROCEDURES") or None,
            broker_visibility_timeout=int(e.get("SOHOA_BROKER_VISIBILITY_TIMEOUT") or 120),
            fixity_interval_seconds=int(e.get("SOHOA_FIXITY_INTERVAL") or 24 * 3600),
            index_repair_interval_seconds=int(
                e.get("SOHOA_INDEX_REPAIR_INTERVAL") or 24 * 3600
            ),
            audit_journal=_path(e.get("SOHOA_AUDIT_JOURNAL")),
            handwriting=_flag(e.get("SOHOA_HANDWRITING"), False),
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
