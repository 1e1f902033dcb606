"""Fixtures for the OCR tests: rendered Vietnamese pages, written once per session."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.support.ocr import render_page


@pytest.fixture(scope="session")
def page() -> Image.Image:
    """A clean 300 dpi gray A4 birth certificate."""
    return render_page()
