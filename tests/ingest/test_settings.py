"""``Settings.from_env``: an unset or empty variable keeps the field's one default, and
the signing settings leave as one value."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from application.settings import Settings
from ocr.base import DEFAULT_MAX_PIXELS, PageJob
from signing import SigningSettings


def test_unset_and_empty_variables_keep_the_dataclass_defaults(tmp_path: Path) -> None:
    defaults = {
        f.name: f.default for f in dataclasses.fields(Settings)
        if f.default is not dataclasses.MISSING
    }
    for env in ({"SOHOA_DATA": str(tmp_path)},
                {"SOHOA_DATA": str(tmp_path), "SOHOA_MAX_PIXELS": "", "SOHOA_S3_SECURE": "",
                 "SOHOA_STORAGE_RETRY_SECONDS": "", "SOHOA_TRUST_ROOTS": ""}):
        settings = Settings.from_env(env)
        assert {k: getattr(settings, k) for k in defaults} == defaults
    job = PageJob("a", "b", 0, out_dir="")
    assert Settings.from_env({}).max_pixels == DEFAULT_MAX_PIXELS == job.max_pixels


def test_variables_override_and_secrets_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-file\n", encoding="utf-8")
    env = {
        "SOHOA_DATA": str(tmp_path), "SOHOA_MAX_PIXELS": "1000", "SOHOA_S3_SECURE": "no",
        "SOHOA_SIGNING_PKCS12": "/keys/agency.p12", "SOHOA_SIGNING_PASSWORD_FILE": str(secret),
        "SOHOA_TSA_URL": "http://tsa.example", "SOHOA_VISIBLE_SIGNATURE": "0",
        "SOHOA_TRUST_ROOTS": "/a.pem:/b.pem", "SOHOA_AGENCY": "UBND Xã A",
    }
    settings = Settings.from_env(env)
    assert (settings.max_pixels, settings.s3_secure) == (1000, False)
    assert settings.signing == SigningSettings(
        agency_name=settings.agency,
        pkcs12_path=Path("/keys/agency.p12"),
        pkcs12_password="from-file",
        tsa_url="http://tsa.example",
        visible=False,
        trust_roots=(Path("/a.pem"), Path("/b.pem")),
    )
    assert not settings.signing.uses_dev_identity
    assert "from-file" not in repr(settings.signing)
    # Given directly, even empty, the password wins over its file.
    direct = Settings.from_env({**env, "SOHOA_SIGNING_PASSWORD": ""})
    assert direct.signing.pkcs12_password == ""
    assert Settings.from_env({"SOHOA_DATA": str(tmp_path)}).signing.uses_dev_identity
