"""One live API server for the API tests, with records of two agencies seeded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from records import Record, ReviewReason, Status
from storage.layout import original_key, text_key
from tests.api.live import LiveServer, running_server, server_log
from tests.support.reuse import Person, make_record, months_before

AN = Person("Nguyễn Văn An", "1990-05-01", "001090012345")
BINH = Person("Trần Thị Bình", "1985-02-03", "001185054321")
MARITAL = "1.000894"  # Đăng ký kết hôn: needs a marital status certificate
DOSSIER = "000.00.21.H29-250615-0042"
TIFF_BYTES = b"II*\x00" + b"\x00" * 60  # only served back, never decoded


@dataclass
class Seeded:
    a_private: Record
    a_review: Record
    b_private: Record
    b_shared: Record


def _with_files(record: Record) -> Record:
    record.files.text = text_key(record.agency, record.id)
    record.files.original = original_key(record.agency, record.id, ".tif")
    return record


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("api-live")
    with running_server(
        data, SOHOA_MAX_UPLOAD_BYTES=str(3 * 1024 * 1024), SOHOA_MAX_PIXELS="60000000"
    ) as server:
        yield server
    # The catch-all handler logs every 500 it turns into a generic answer: none may occur.
    assert "unhandled error" not in server_log(server)


@pytest.fixture(scope="session")
def seeded(live: LiveServer) -> Seeded:
    today = date.today()
    a_private = _with_files(make_record(
        "marital_status_certificate", AN, issued_on=months_before(today, 2),
        agency="ubnd-a", seed="a-private",
    ))
    a_review = _with_files(make_record(
        "birth_certificate", BINH, issued_on=months_before(today, 30), agency="ubnd-a",
        status=Status.NEEDS_REVIEW, seed="a-review",
    ))
    a_review.review.reasons = [ReviewReason("low_confidence", "issued_on")]
    b_private = _with_files(make_record(
        "birth_certificate", BINH, issued_on=months_before(today, 40), agency="ubnd-b",
        seed="b-private",
    ))
    b_shared = _with_files(make_record(
        "land_use_certificate", BINH, issued_on=months_before(today, 50), agency="ubnd-b",
        seed="b-shared",
    ))
    b_shared.shared = True
    records = [a_private, a_review, b_private, b_shared]
    from storage import open_store

    store = open_store(live.settings.storage_url)
    for record in records:
        store.put(record.files.text or "", record.text.encode(), content_type="text/plain")
        store.put(record.files.original or "", TIFF_BYTES, content_type="image/tiff")
    live.seed(*records)
    return Seeded(a_private, a_review, b_private, b_shared)


@pytest.fixture(scope="session")
def out_dir() -> Path:
    path = Path(__file__).resolve().parents[2] / "bench" / "out"
    path.mkdir(parents=True, exist_ok=True)
    return path
