from __future__ import annotations

from datetime import date

import pytest

from records.result_types import ResultType, load_result_types


@pytest.fixture(scope="session")
def catalog() -> dict[str, ResultType]:
    return load_result_types()


@pytest.fixture
def today() -> date:
    return date(2025, 6, 1)
