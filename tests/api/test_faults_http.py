"""Faults and hostile input over real HTTP: each gets a stable code, a Vietnamese
message and the right status, never a 500 (issue 17)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import httpx

from api.auth import COOKIE_NAME
from api.tokens import Role
from records import Record
from tests.api.live import ROOT, LiveServer
from tests.support.reuse import Person, make_record, months_before

MARITAL = "1.000894"  # Đăng ký kết hôn: needs a marital status certificate


def _error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message_vi"] and error["message_vi"] != error["message"]
    return dict(error)


def _flip_byte(live: LiveServer, key: str) -> None:
    """Bit rot: one byte of the stored object changes, its recorded checksum does not."""
    path = live.data_dir / "objects" / key
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _paper(live: LiveServer, person: Person, seed: str) -> Record:
    (record,) = live.seed(make_record(
        "marital_status_certificate", person, issued_on=months_before(date.today(), 1),
        agency="ubnd-a", seed=seed,
    ))
    return record


@contextmanager
def _browser(live: LiveServer) -> Iterator[httpx.Client]:
    """A client signed in to the screens (session cookie) as an archivist."""
    with httpx.Client(base_url=live.base_url, timeout=60) as browser:
        browser.post("/login", data={"token": live.token(Role.ARCHIVIST)})
        assert COOKIE_NAME in browser.cookies
        yield browser


def _offered(client: httpx.Client, person: Person) -> list[str]:
    body = client.get("/api/v1/reuse/lookup", params={
        "procedure": MARITAL, "subject": person.id_number, "name": person.name,
        "birth_date": person.birth_date}).json()
    return [c["id"] for comp in body["components"] for c in comp["candidates"]]


def _release(client: httpx.Client, person: Person, record: Record) -> httpx.Response:
    return client.post("/api/v1/reuse/release", json={
        "record_id": record.id, "dossier_code": "000.00.21.H29-250615-0042",
        "procedure": MARITAL, "subject": person.id_number, "name": person.name,
        "birth_date": person.birth_date, "citizen_request": True})


# --- damaged stored objects ---------------------------------------------------------


def test_damaged_archival_pdf_answers_409_and_is_not_offered(live: LiveServer) -> None:
    person = Person("Lê Thị Cúc", "1992-07-08", "001192077771")
    record = _paper(live, person, "damaged-pdf")
    assert record.files.archival_pdf
    with live.client(Role.PORTAL) as portal:
        assert _offered(portal, person) == [record.id]  # intact: offered
    _flip_byte(live, record.files.archival_pdf)

    with live.client(Role.ARCHIVIST) as client:
        for path in ("archival.pdf", "signature", "page1.png"):
            _error(client.get(f"/api/v1/records/{record.id}/{path}"), 409, "archive_damaged")
        assert client.get(f"/api/v1/records/{record.id}").status_code == 200
    with _browser(live) as browser:
        screen = browser.get(f"/records/{record.id}")
    assert screen.status_code == 200
    assert 'id="archive-damaged"' in screen.text and "bị hỏng" in screen.text
    assert "<iframe" not in screen.text  # no viewer of a file that will not load

    # A fresh check reads the bytes (a new server process would; this one remembers
    # the paper intact for a few minutes, and the release reads them again anyway).
    with live.client(Role.PORTAL) as portal:
        _error(_release(portal, person, record), 409, "archive_damaged")


def test_damaged_pdf_is_not_offered_by_a_fresh_lookup(live: LiveServer) -> None:
    person = Person("Lê Thị Cúc", "1992-07-08", "001192077772")
    record = _paper(live, person, "damaged-pdf-lookup")
    assert record.files.archival_pdf
    _flip_byte(live, record.files.archival_pdf)
    with live.client(Role.PORTAL) as portal:
        assert _offered(portal, person) == []


def test_damaged_record_json_answers_409_everywhere(live: LiveServer) -> None:
    from storage.layout import record_key

    person = Person("Lê Thị Cúc", "1992-07-08", "001192077773")
    record = _paper(live, person, "damaged-json")
    _flip_byte(live, record_key(record.agency, record.id, record.version))

    with live.client(Role.ARCHIVIST) as client:
        _error(client.get(f"/api/v1/records/{record.id}"), 409, "archive_damaged")
        _error(client.get(f"/api/v1/records/{record.id}/original"), 409, "archive_damaged")
    with _browser(live) as browser:
        screen = browser.get(f"/records/{record.id}")
    assert screen.status_code == 409
    assert "bị hỏng" in screen.text and "Lỗi hệ thống" not in screen.text
    with live.client(Role.PORTAL) as portal:
        _error(_release(portal, person, record), 409, "archive_damaged")

    shown = subprocess.run(
        [sys.executable, "-m", "api.cli", "show", record.id], env=live.env, cwd=ROOT,
        capture_output=True, text=True, timeout=120,
    )
    assert shown.returncode == 1, shown.stderr
    assert "Traceback" not in shown.stderr
    assert "bị hỏng" in shown.stderr and "sohoa fixity" in shown.stderr


def test_unparseable_record_json_is_damaged_not_missing(live: LiveServer) -> None:
    """A record JSON that passes its checksum but is not a record (stored damaged):
    409 as well, not 404 nor 500."""
    from storage import open_store
    from storage.layout import record_key

    person = Person("Lê Thị Cúc", "1992-07-08", "001192077774")
    (record,) = live.seed(make_record(
        "marital_status_certificate", person, issued_on=months_before(date.today(), 1),
        agency="ubnd-a", seed="unparseable-json"))
    store = open_store(live.settings.storage_url)
    key = record_key(record.agency, record.id, 2)
    store.put(key, b'{"id": "not a record"}', content_type="application/json")
    with live.client(Role.ARCHIVIST) as client:
        _error(client.get(f"/api/v1/records/{record.id}"), 409, "archive_damaged")

