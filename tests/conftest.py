"""Fixtures shared by every test area."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# One tesseract thread per page: OpenMP threads fight the process pool on 2 cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf-oddities"


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus folder {CORPUS} is absent (it sits in ../shared beside the repo)")
    return CORPUS


@pytest.fixture
def sohoa_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """An embedded sohoa under a fresh data directory, configured via the environment."""
    for key in list(os.environ):
        if key.startswith("SOHOA_"):
            monkeypatch.delenv(key)
    env = {
        "SOHOA_DATA": str(tmp_path / "data"),
        "SOHOA_AGENCY": "ubnd-phuong-test",
        "SOHOA_WORKERS": "2",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env
