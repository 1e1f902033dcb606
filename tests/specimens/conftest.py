from __future__ import annotations

import pytest
from PIL import Image

from specimens import Specimen, generate, render_page


@pytest.fixture(scope="module")
def marriage() -> Specimen:
    return generate("marriage_certificate", 3)


@pytest.fixture(scope="module")
def page_100dpi(marriage: Specimen) -> Image.Image:
    """A cheap low-resolution page for tests that do not read the text."""
    return render_page(marriage, dpi=100)
