"""Faults and hostile input over real HTTP: each gets a stable code, a Vietnamese
message and the right status, never a 500 (issue 17)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx
import pytest

from api.auth import COOKIE_NAME
from api.tokens import Role
from records import Record
from tests.api.live import ROOT, LiveServer
from tests.support.reuse import Person, make_record, months_before

MARITAL = "1.000894"  # Đăng ký kết hôn: needs a marital status certificate


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
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
    # The record screen still, with the note over the index's copy of the record.
    assert screen.status_code == 409
    assert 'id="archive-damaged"' in screen.text and "bị hỏng" in screen.text
    assert record.document_number and record.document_number in screen.text
    assert "Lỗi hệ thống" not in screen.text
    with live.client(Role.PORTAL) as portal:
        _error(_release(portal, person, record), 409, "archive_damaged")

    shown = subprocess.run(
        [sys.executable, "-m", "cli.main", "show", record.id], env=live.env, cwd=ROOT,
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



# --- input that must be refused -------------------------------------------------------


# Records to correct belong to an agency of their own: the other API tests share this
# server and read ubnd-a's review queue.
REVIEWING = "ubnd-c"


def _needs_review(live: LiveServer, seed: str) -> Record:
    from records import Status

    (record,) = live.seed(make_record(
        "birth_certificate", Person("Đỗ Văn Đức", "1988-09-10", "001088012399"),
        issued_on=months_before(date.today(), 6), agency=REVIEWING,
        status=Status.NEEDS_REVIEW, seed=seed,
    ))
    return record


# A lone surrogate is refused by the JSON model itself (pydantic: not a valid string);
# everything else by the correction's own checks, which the screen and the CLI share.
@pytest.mark.parametrize(("body", "code", "field"), [
    (b'{"set": {"title": "B\\ud800n sao"}}', "invalid_request", "set.title"),
    (b'{"set": {"\\udc80title": "x"}}', "invalid_request", None),
    (b'{"set": {"issuer": "UBND\\u0000 x\\u001b[31m"}}', "invalid_correction", "issuer"),
    (b'{"set": {"issuer": "UBND \\u202eanoH"}}', "invalid_correction", "issuer"),
    (('{"set": {"title": "' + "a" * 100_000 + '"}}').encode(), "invalid_request", "set.title"),
    (('{"set": {"title": "' + "a" * 301 + '"}}').encode(), "invalid_correction", "title"),
    (b'{"set": {"subjects[0].role": "hacker"}}', "invalid_correction", "subjects[0].role"),
    (b'{"set": {"owner": "me"}}', "invalid_correction", "owner"),
    (b'{"set": {"fields.anything_at_all": "x"}}', "invalid_correction",
     "fields.anything_at_all"),
    (b'{"set": {"subjects[0].__class__": "x"}}', "invalid_correction",
     "subjects[0].__class__"),
])
def test_corrections_refuse_what_no_officer_means(
    live: LiveServer, body: bytes, code: str, field: str | None
) -> None:
    record = _needs_review(live, f"refuse-{hash(body) & 0xffff}")
    with live.client(Role.ARCHIVIST, REVIEWING) as client:
        response = client.post(f"/api/v1/records/{record.id}/corrections", content=body,
                               headers={"Content-Type": "application/json"})
        error = _error(response, 422, code)
        if code == "invalid_correction":
            assert error["details"]["field"] == field
        elif field is not None:
            problems = error["details"]["problems"]
            assert problems[0]["field"] == field
        # Nothing was stored: still version 1.
        assert client.get(f"/api/v1/records/{record.id}").json()["version"] == 1


def test_a_known_role_and_an_archive_field_are_accepted(live: LiveServer) -> None:
    record = _needs_review(live, "accept-role")
    role = record.subjects[0].role
    with live.client(Role.ARCHIVIST, REVIEWING) as client:
        response = client.post(f"/api/v1/records/{record.id}/corrections", json={
            "set": {"subjects[0].role": role, "fields.archive_box": "H-3"}})
    assert response.status_code == 200, response.text
    assert response.json()["fields"]["archive_box"] == "H-3"


def test_the_review_screen_refuses_a_control_character_in_vietnamese(
    live: LiveServer,
) -> None:
    record = _needs_review(live, "screen-control")
    with httpx.Client(base_url=live.base_url, timeout=60) as browser:
        browser.post("/login", data={"token": live.token(Role.ARCHIVIST, REVIEWING)})
        page = browser.post(f"/review/{record.id}",
                            data={"issuer": "UBND\x1b[2J phường", "approve": "0"})
    assert page.status_code == 422
    assert "ký tự điều khiển" in page.text
    with live.client(Role.ARCHIVIST, REVIEWING) as client:
        assert client.get(f"/api/v1/records/{record.id}").json()["version"] == 1


@pytest.mark.parametrize("value", ["true", "yes", 1, "1"])
def test_only_a_json_true_is_consent_or_approval(live: LiveServer, value: object) -> None:
    person = Person("Lê Thị Cúc", "1992-07-08", "001192077775")
    paper = _paper(live, person, f"consent-{value!r}")
    with live.client(Role.PORTAL) as portal:
        response = portal.post("/api/v1/reuse/release", json={
            "record_id": paper.id, "dossier_code": "000.00.21.H29-250615-0042",
            "procedure": MARITAL, "subject": person.id_number, "citizen_request": value})
        error = _error(response, 422, "invalid_request")
        assert error["details"]["problems"][0]["field"] == "citizen_request"
    record = _needs_review(live, f"approve-{value!r}")
    with live.client(Role.ARCHIVIST, REVIEWING) as client:
        response = client.post(f"/api/v1/records/{record.id}/corrections",
                               json={"approve": value})
        _error(response, 422, "invalid_request")
        assert client.get(f"/api/v1/records/{record.id}").json()["version"] == 1


def test_release_and_lookup_refuse_control_characters(live: LiveServer) -> None:
    with live.client(Role.PORTAL) as portal:
        lookup = portal.get("/api/v1/reuse/lookup", params={
            "procedure": MARITAL, "name": "Lê\x00Thị", "birth_date": "1992-07-08"})
        _error(lookup, 422, "invalid_request")
        release = portal.post("/api/v1/reuse/release", json={
            "record_id": "0" * 24, "dossier_code": "000.00.21.H29-250615-0042\u202e",
            "procedure": MARITAL, "subject": "001192077775", "citizen_request": True})
        _error(release, 422, "invalid_request")


def test_upload_file_names_lose_bidi_and_control_characters(live: LiveServer) -> None:
    from tests.support.reuse import small_pdf

    with live.client(Role.ARCHIVIST, REVIEWING) as client:
        response = client.post("/api/v1/documents", files=[
            ("file", ("evil\u202egnp.pdf", small_pdf("bidi-name"), "application/pdf")),
            ("file", ("zero\u200bwidth\u2066.pdf", small_pdf("zw-name"), "application/pdf")),
        ])
        assert response.status_code == 202, response.text
        names = [f["filename"] for f in response.json()["files"]]
        live.wait_batch(client, response.json()["id"])
    assert names == ["evilgnp.pdf", "zerowidth.pdf"]


def test_too_many_or_too_large_headers_are_refused(live: LiveServer) -> None:
    with live.client(Role.OFFICER) as client:
        many = client.get("/healthz", headers={f"x-h{i}": "v" for i in range(200)})
        _error(many, 431, "headers_too_large")
        big = client.get("/healthz", headers={"x-big": "a" * 40_000})
        _error(big, 431, "headers_too_large")
        # The server is still answering afterwards.
        assert client.get("/healthz").status_code == 200


# --- active content -------------------------------------------------------------------


def test_originals_download_sandboxed_and_the_archival_pdf_stays_framable(
    live: LiveServer,
) -> None:
    from storage import open_store
    from storage.layout import original_key

    person = Person("Lê Thị Cúc", "1992-07-08", "001192077776")
    record = make_record("marital_status_certificate", person,
                         issued_on=months_before(date.today(), 1), agency="ubnd-a",
                         seed="hostile-original")
    record.files.original = original_key(record.agency, record.id, ".pdf")
    record.source.media_type = "application/pdf"
    open_store(live.settings.storage_url).put(
        record.files.original, b"%PDF-1.7 /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        content_type="application/pdf")
    live.seed(record)
    with live.client(Role.OFFICER) as client:
        original = client.get(f"/api/v1/records/{record.id}/original")
        archival = client.get(f"/api/v1/records/{record.id}/archival.pdf")
    assert original.status_code == 200 and archival.status_code == 200
    assert original.headers["content-disposition"].startswith("attachment;")
    policy = original.headers["content-security-policy"]
    assert policy.startswith("sandbox") and "frame-ancestors 'none'" in policy
    assert original.headers["x-content-type-options"] == "nosniff"
    assert archival.headers["content-disposition"].startswith("inline;")
    assert archival.headers["content-security-policy"] == "frame-ancestors 'self'"


# --- protective headers ---------------------------------------------------------------


def test_screens_and_json_carry_the_protective_headers(live: LiveServer) -> None:
    from api.headers import SCREEN_POLICY

    person = Person("Lê Thị Cúc", "1992-07-08", "001192077777")
    record = _paper(live, person, "headers")
    with _browser(live) as browser:
        screens = [browser.get(f"/records/{record.id}"), browser.get("/search"),
                   browser.get("/login"), browser.get("/records/" + "f" * 24)]
        css = browser.get("/static/app.css")
    with live.client(Role.OFFICER) as client:
        json = [client.get(f"/api/v1/records/{record.id}"),
                client.get("/api/v1/search", params={"q": "Cúc"}),
                client.get("/api/v1/records/" + "f" * 24)]
    assert [r.status_code for r in screens + json] == [200, 200, 200, 404, 200, 200, 404]
    for response in screens + json:
        headers = response.headers
        assert headers["content-security-policy"] == SCREEN_POLICY, response.url
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["cache-control"] == "no-store", response.url
    assert css.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in css.headers.get("cache-control", "")


def test_the_same_origin_check_compares_the_scheme(live: LiveServer) -> None:
    """http://host and https://host are different origins: a form posted from the other
    scheme's page is refused, one from the site's own scheme goes through."""
    other_scheme = live.base_url.replace("http://", "https://")
    with httpx.Client(base_url=live.base_url, timeout=60) as browser:
        refused = browser.post("/login", data={"token": live.token(Role.OFFICER)},
                               headers={"Origin": other_scheme})
        assert refused.status_code == 403 and COOKIE_NAME not in browser.cookies
        assert "trang web khác" in refused.text  # the screen's Vietnamese refusal
        own = browser.post("/login", data={"token": live.token(Role.OFFICER)},
                           headers={"Origin": live.base_url})
        assert own.status_code == 303 and COOKIE_NAME in browser.cookies


# --- audit ----------------------------------------------------------------------------


def test_a_correction_from_the_cli_is_audited_like_one_over_http(live: LiveServer) -> None:
    from tests.api.test_authorization import _every_audit_entry

    by_cli, by_http = _needs_review(live, "audit-cli"), _needs_review(live, "audit-http")
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "review", by_cli.id, "--set", "title=Bản sao",
         "--approve", "--by", "nguyen.van.a"],
        env=live.env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with live.client(Role.ARCHIVIST, REVIEWING) as client:
        client.post(f"/api/v1/records/{by_http.id}/corrections",
                    json={"set": {"title": "Bản sao"}, "approve": True}).raise_for_status()
    with live.client(Role.ADMIN) as admin:
        entries = _every_audit_entry(admin)
    corrections = {e["details"]["record_id"]: e for e in entries
                   if e["action"] == "record.correct"}
    cli, http = corrections[by_cli.id], corrections[by_http.id]
    assert cli["actor"] == "nguyen.van.a"
    assert cli["details"] == {**http["details"], "record_id": by_cli.id}
    assert cli["details"] == {"record_id": by_cli.id, "version": 2, "fields": ["title"],
                              "approved": True}


def test_a_huge_request_head_is_cut_off_at_the_socket(live: LiveServer) -> None:
    """The parser is not left to buffer an endless head: past the limit (plus one
    network read) the server answers 431 and closes, whatever is still coming."""
    import select
    import socket
    from urllib.parse import urlsplit

    from api.inputs import MAX_HEADER_BYTES

    url = urlsplit(live.base_url)
    sent, answer = 0, b""
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: ")
        while not answer and sent < 8 * MAX_HEADER_BYTES:
            piece = b"a" * 8192
            try:
                sock.sendall(piece)
            except OSError:
                break  # closed on us: read what it said
            sent += len(piece)
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                answer = sock.recv(65536)
        while not answer and select.select([sock], [], [], 5)[0]:
            answer = sock.recv(65536) or b"closed"
    assert answer.startswith(b"HTTP/1.1 431"), (sent, answer[:200])
    assert b'"headers_too_large"' in answer
    assert sent < 4 * MAX_HEADER_BYTES
