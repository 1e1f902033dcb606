"""Every role against every endpoint, over real HTTP; and the agency boundary."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.tokens import Role
from tests.api.conftest import AN, DOSSIER, MARITAL, Seeded
from tests.api.live import LiveServer
from tests.support.reuse import small_pdf

READ = {Role.ARCHIVIST, Role.OFFICER, Role.ADMIN}
REVIEW = {Role.ARCHIVIST, Role.ADMIN}
REUSE = {Role.PORTAL, Role.ADMIN}
VERIFY = {Role.ARCHIVIST, Role.OFFICER, Role.ADMIN}
ADMIN = {Role.ADMIN}


@dataclass(frozen=True)
class Endpoint:
    name: str
    allowed: set[Role]
    ok_status: int
    call: Callable[[httpx.Client, Seeded], httpx.Response]


def _upload(c: httpx.Client, s: Seeded) -> httpx.Response:
    # Not a scan: rejected per file, so the matrix costs no OCR.
    return c.post("/api/v1/documents", files=[("file", ("notes.txt", b"plain text", "text/plain"))])


def _release(c: httpx.Client, s: Seeded) -> httpx.Response:
    return c.post("/api/v1/reuse/release", json={
        "record_id": s.a_private.id, "dossier_code": DOSSIER, "procedure": MARITAL,
        "subject": AN.id_number, "citizen_request": True,
    })


def _record(suffix: str = "") -> Callable[[httpx.Client, Seeded], httpx.Response]:
    return lambda c, s: c.get(f"/api/v1/records/{s.a_private.id}{suffix}")


ENDPOINTS = [
    Endpoint("upload", {Role.ARCHIVIST, Role.ADMIN}, 422, _upload),
    Endpoint("batch", READ, 404, lambda c, s: c.get("/api/v1/batches/0123456789abcdef")),
    Endpoint("record", READ, 200, _record()),
    Endpoint("original", READ, 200, _record("/original")),
    Endpoint("archival", READ, 200, _record("/archival.pdf")),
    Endpoint("text", READ, 200, _record("/text")),
    Endpoint("page1", READ, 200, _record("/page1.png")),
    Endpoint("signature", READ, 200, _record("/signature")),
    Endpoint("search", READ, 200, lambda c, s: c.get("/api/v1/search", params={"q": "an"})),
    Endpoint("review", REVIEW, 200, lambda c, s: c.get("/api/v1/review")),
    Endpoint("correct", REVIEW, 200, lambda c, s: c.post(
        f"/api/v1/records/{s.a_review.id}/corrections", json={"approve": True})),
    Endpoint("lookup", REUSE, 200, lambda c, s: c.get(
        "/api/v1/reuse/lookup", params={"subject": AN.id_number, "procedure": MARITAL})),
    Endpoint("release", REUSE, 200, _release),
    Endpoint("verify", VERIFY, 200, lambda c, s: c.post(
        "/api/v1/verify", files={"file": ("x.pdf", small_pdf("verify"), "application/pdf")})),
    Endpoint("audit", ADMIN, 200, lambda c, s: c.get("/api/v1/audit")),
    Endpoint("audit_verify", ADMIN, 200, lambda c, s: c.get("/api/v1/audit/verify")),
]


def _error_code(response: httpx.Response) -> Any:
    return response.json()["error"]["code"]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_role_gets_exactly_its_rights(
    live: LiveServer, seeded: Seeded, endpoint: Endpoint
) -> None:
    with live.client() as anonymous:
        response = endpoint.call(anonymous, seeded)
        assert response.status_code == 401, response.text
        assert _error_code(response) == "unauthorized"
        anonymous.headers["Authorization"] = "Bearer sohoa_not-a-real-token"
        assert endpoint.call(anonymous, seeded).status_code == 401
    for role in Role:
        with live.client(role) as client:
            response = endpoint.call(client, seeded)
        expected = endpoint.ok_status if role in endpoint.allowed else 403
        assert response.status_code == expected, f"{role}: {response.text[:300]}"
        if expected == 403:
            assert _error_code(response) == "forbidden"


def test_file_endpoints_answer_their_content_types(live: LiveServer, seeded: Seeded) -> None:
    with live.client(Role.OFFICER) as client:
        rid = seeded.a_private.id
        assert client.get(f"/api/v1/records/{rid}/archival.pdf").headers["content-type"] \
            == "application/pdf"
        assert client.get(f"/api/v1/records/{rid}/original").headers["content-type"] \
            == "image/tiff"
        text = client.get(f"/api/v1/records/{rid}/text")
        assert text.headers["content-type"] == "text/plain; charset=utf-8"
        assert text.text == seeded.a_private.text
        png = client.get(f"/api/v1/records/{rid}/page1.png")
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")


def test_officer_sees_own_and_shared_records_only(live: LiveServer, seeded: Seeded) -> None:
    with live.client(Role.OFFICER, "ubnd-a") as a:
        assert a.get(f"/api/v1/records/{seeded.b_private.id}").status_code == 404
        assert a.get(f"/api/v1/records/{seeded.b_private.id}/archival.pdf").status_code == 404
        shared = a.get(f"/api/v1/records/{seeded.b_shared.id}")
        assert shared.status_code == 200 and shared.json()["agency"] == "ubnd-b"
        found = {h["id"] for h in a.get("/api/v1/search", params={"limit": 100}).json()["hits"]}
        assert seeded.b_shared.id in found and seeded.a_private.id in found
        assert seeded.b_private.id not in found
    with live.client(Role.OFFICER, "ubnd-b") as b:
        assert b.get(f"/api/v1/records/{seeded.a_private.id}").status_code == 404
        assert b.get(f"/api/v1/records/{seeded.b_private.id}").status_code == 200
    with live.client(Role.ADMIN, "ubnd-a") as admin:
        assert admin.get(f"/api/v1/records/{seeded.b_private.id}").status_code == 200


def test_shared_record_is_not_correctable_by_another_agency(
    live: LiveServer, seeded: Seeded
) -> None:
    with live.client(Role.ARCHIVIST, "ubnd-a") as a:
        response = a.post(f"/api/v1/records/{seeded.b_shared.id}/corrections",
                          json={"approve": True})
    assert response.status_code == 403
    assert _error_code(response) == "forbidden"


def test_record_content_access_is_audited(live: LiveServer, seeded: Seeded) -> None:
    with live.client(Role.OFFICER, "ubnd-a") as officer:
        officer.get(f"/api/v1/records/{seeded.a_private.id}/text").raise_for_status()
        token = live.token(Role.OFFICER, "ubnd-a")
    with live.client(Role.ADMIN) as admin:
        entries = _every_audit_entry(admin)
        chain = admin.get("/api/v1/audit/verify").json()
    reads = [
        e for e in entries
        if e["action"] == "record.file" and e["details"]["record_id"] == seeded.a_private.id
        and e["details"]["file"] == "text" and e["actor"].startswith("officer:ubnd-a:")
    ]
    assert reads, "reading a record's text left no audit entry"
    assert token not in json.dumps(entries), "the token itself must never be logged"
    assert chain["ok"] is True, chain
    head = chain["head"]
    with live.client(Role.ADMIN) as admin:
        anchored = admin.get("/api/v1/audit/verify",
                             params={"anchor": f"{head['seq']}:{head['hash']}"})
        forged = admin.get("/api/v1/audit/verify", params={"anchor": f"{head['seq']}:{'0' * 64}"})
        malformed = admin.get("/api/v1/audit/verify", params={"anchor": "1:xyz"})
    assert anchored.json()["ok"] is True
    assert forged.json()["ok"] is False  # another hash at that entry: history rewritten
    assert malformed.status_code == 422


def test_audit_entries_name_what_was_handed_out(live: LiveServer, seeded: Seeded) -> None:
    """Page images, signature checks and the review queue are audited as themselves:
    showing a page or checking a signature is not logged as a PDF download."""
    from api.tokens import create_token, token_id_of
    from storage import open_store

    token = create_token(open_store(live.settings.storage_url), role=Role.ARCHIVIST,
                         agency="ubnd-a", label="audit-names")
    record = seeded.a_private
    with httpx.Client(base_url=live.base_url, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as archivist:
        for _ in range(2):  # rendered, then from the cache
            archivist.get(f"/api/v1/records/{record.id}/page1.png").raise_for_status()
        archivist.get(f"/api/v1/records/{record.id}/signature").raise_for_status()
        queue = archivist.get("/api/v1/review", params={"limit": 100}).json()
    with live.client(Role.ADMIN) as admin:
        entries = _every_audit_entry(admin)
    mine = [e for e in entries if e["actor"] == f"archivist:ubnd-a:{token_id_of(token)}"]
    about = [(e["action"], e["details"].get("file"), e["details"].get("version"))
             for e in mine if e["details"].get("record_id") == record.id]
    assert about == [("record.file", "page1.png", record.version)] * 2 + [
        ("record.verify", None, record.version)], about
    listed = [e["details"]["hits"] for e in mine if e["action"] == "review.list"]
    assert listed == [[item["id"] for item in queue["items"]]]
    assert token not in json.dumps(entries)


def _every_audit_entry(admin: httpx.Client) -> list[dict[str, Any]]:
    """The whole log, page by page (the server is shared by every API test)."""
    entries: list[dict[str, Any]] = []
    since = 0
    while True:
        page = admin.get("/api/v1/audit", params={"since": since, "limit": 1000}).json()
        entries += page["entries"]
        if not page["entries"]:
            return entries
        since = page["next"]
