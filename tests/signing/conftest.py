"""Fixtures for signing tests: the loopback test PKI, a PDF/A input, SoftHSM2 token."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pki import LoopbackPki, make_pdfa, serve_test_pki

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackPki]:
    with serve_test_pki(tmp_path_factory.mktemp("pki")) as served:
        yield served


@pytest.fixture(scope="session")
def pdfa() -> bytes:
    return make_pdfa(pages=2)


@pytest.fixture(scope="session")
def p12_password() -> str:
    return "mật-khẩu-thử"


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh SoftHSM2 token; SOFTHSM2_CONF is set before the module is first loaded."""
    if not Path(SOFTHSM_MODULE).exists():
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)")
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    token = {"module": SOFTHSM_MODULE, "label": "sohoa-test", "pin": "246810", "so_pin": "135790"}
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            token["label"],
            "--pin",
            token["pin"],
            "--so-pin",
            token["so_pin"],
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    yield token
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
