"""The index under test, once per backend.

The embedded SQLite index always runs. Elasticsearch runs when ``SOHOA_ES_URL`` points
at a server (none can run on the development machine); each test gets a fresh index
that is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import Index, open_index

ES_SKIP = "Elasticsearch contract tests skipped: set SOHOA_ES_URL=http://host:9200 to run them"


@pytest.fixture(params=["sqlite", "elasticsearch"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Index]:
    if request.param == "sqlite":
        opened = open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}")
        yield opened
        opened.close()
        return
    server = os.environ.get("SOHOA_ES_URL")
    if not server:
        pytest.skip(ES_SKIP)
    from search.elastic import ElasticIndex

    elastic = ElasticIndex(f"{server.rstrip('/')}/sohoa-test-{uuid.uuid4().hex[:12]}")
    yield elastic
    elastic.drop()
    elastic.close()
