"""The API over real HTTP: upload to record, search, verify, review, limits and errors."""

from __future__ import annotations

import io
from datetime import date

import pikepdf
from PIL import Image

from api.tokens import Role
from records import Review, ReviewReason, Status
from records.folding import fold
from specimens import generate, render_page
from tests.api.conftest import BINH, Seeded
from tests.api.live import LiveServer
from tests.support.reuse import make_record, months_before

MB = 1024 * 1024


def scan_png(seed: int, doc_type: str = "birth_certificate", dpi: int = 150) -> tuple[bytes, str]:
    """A clean synthetic scan (PNG) and the first subject's name printed on it."""
    specimen = generate(doc_type, seed)
    out = io.BytesIO()
    render_page(specimen, dpi=dpi).save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue(), str(specimen.subjects[0]["name"])


def bomb_png() -> bytes:
    """A tiny file that decodes to 100 megapixels: over the server's 60 MP limit."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000), 1).save(out, format="PNG")
    return out.getvalue()


def encrypted_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return out.getvalue()


def _pdf(name: str, data: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, "application/pdf")}


def _error(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}, body
    assert body["error"]["code"] and body["error"]["message"]
    return dict(body["error"])


def test_upload_becomes_a_signed_searchable_record(live: LiveServer) -> None:
    png, name = scan_png(seed=11)
    with live.client(Role.ARCHIVIST) as client:
        response = client.post("/api/v1/documents", files=[
            ("file", ("giấy khai sinh.png", png, "image/png")),
            ("file", ("ghi-chu.txt", b"not a scan", "text/plain")),
        ])
        assert response.status_code == 202, response.text
        accepted = response.json()
        assert [f["accepted"] for f in accepted["files"]] == [True, False]
        assert accepted["files"][1]["code"] == "unsupported_type"
        batch = live.wait_batch(client, accepted["id"])
        assert batch["status"] == "done"
        first = batch["files"][0]
        assert first["status"] == "ingested", first
        assert first["filename"] == "giấy khai sinh.png"
        record_id = first["record_id"]

        record = client.get(f"/api/v1/records/{record_id}").json()
        assert record["agency"] == "ubnd-a" and record["source"]["filename"] == "giấy khai sinh.png"
        plain = fold(name.split()[-1])  # the given name typed without diacritics
        hits = client.get("/api/v1/search", params={"q": plain, "limit": 50}).json()["hits"]
        assert record_id in {h["id"] for h in hits}

        pdf = client.get(f"/api/v1/records/{record_id}/archival.pdf").content
        report = client.post("/api/v1/verify", files={"file": ("a.pdf", pdf, "application/pdf")})
        assert report.status_code == 200 and report.json()["valid"] is True

        again = client.post("/api/v1/documents", files={"file": ("lại.png", png, "image/png")})
        repeat = live.wait_batch(client, again.json()["id"])
        assert repeat["files"][0]["status"] == "skipped"
        assert repeat["files"][0]["code"] == "already_stored"

        metrics = client.get("/metrics").text
    assert 'sohoa_batch_files_total{status="ingested"}' in metrics
    assert 'route="/api/v1/documents"' in metrics
    assert not (live.data_dir / "uploads" / accepted["id"]).exists()


def test_bomb_and_encrypted_pdf_fail_per_file_and_store_nothing(live: LiveServer) -> None:
    with live.client(Role.ARCHIVIST) as client:
        response = client.post("/api/v1/documents", files=[
            ("file", ("bomb.png", bomb_png(), "image/png")),
            ("file", ("khoa.pdf", encrypted_pdf(), "application/pdf")),
        ])
        assert response.status_code == 202, response.text
        batch = live.wait_batch(client, response.json()["id"])
        by_name = {f["filename"]: f for f in batch["files"]}
        assert by_name["bomb.png"]["status"] == "failed"
        assert by_name["bomb.png"]["code"] == "image_too_large"
        assert by_name["khoa.pdf"]["status"] == "failed"
        assert by_name["khoa.pdf"]["code"] and by_name["khoa.pdf"]["message"]
        assert all(f["record_id"] is None for f in batch["files"])
        found = client.get("/api/v1/search", params={"q": "khoa", "limit": 100}).json()
    assert all(h["record"]["source"]["filename"] not in by_name for h in found["hits"])


def test_limits_answer_clear_4xx(live: LiveServer) -> None:
    limit = 3 * MB
    with live.client(Role.ARCHIVIST) as client:
        big = client.post("/api/v1/documents", files=_pdf("big.pdf", b"%PDF-1.7\n" + b"0" * limit))
        assert big.status_code == 422
        err = _error(big)
        assert err["code"] == "no_acceptable_files"
        assert err["details"]["files"][0]["code"] == "file_too_large"  # type: ignore[index]

        empty = client.post("/api/v1/documents", files=_pdf("empty.pdf", b""))
        assert empty.status_code == 422
        assert _error(empty)["details"]["files"][0]["code"] == "empty_file"  # type: ignore[index]

        huge = client.post("/api/v1/documents", files=[
            ("file", (f"p{i}.pdf", b"%PDF-1.7\n" + b"0" * (limit - 100), "application/pdf"))
            for i in range(5)
        ])
        assert huge.status_code == 413
        assert _error(huge)["code"] == "request_too_large"

        many = client.post("/api/v1/documents", files=[
            ("file", (f"{i}.txt", b"x", "text/plain")) for i in range(101)
        ])
        assert many.status_code == 413 and _error(many)["code"] == "too_many_files"

        missing = client.post("/api/v1/documents", data={"other": "x"})
        assert missing.status_code == 422 and _error(missing)["code"] == "invalid_request"
    assert not any((live.data_dir / "uploads").iterdir()), "a refused request left files behind"


def test_bad_input_answers_4xx_with_the_error_shape(live: LiveServer, seeded: Seeded) -> None:
    with live.client(Role.ADMIN) as client:
        rid = seeded.a_private.id
        malformed = client.post(f"/api/v1/records/{rid}/corrections", content=b"{not json",
                                headers={"Content-Type": "application/json"})
        assert malformed.status_code == 422 and _error(malformed)["code"] == "invalid_request"
        assert client.get("/api/v1/search", params={"limit": 1000}).status_code == 422
        bad_date = client.get("/api/v1/search", params={"from": "31/02/2024"})
        assert bad_date.status_code == 422 and _error(bad_date)["code"] == "invalid_request"
        assert _error(client.get("/api/v1/records/../../etc"))["code"] == "not_found"
        assert client.get("/api/v1/records/zzz").status_code == 404
        assert _error(client.get("/api/v1/nothing-here"))["code"] == "not_found"
        not_pdf = client.post("/api/v1/verify", files=_pdf("a.png", b"\x89PNG\r\n\x1a\n"))
        assert not_pdf.status_code == 415 and _error(not_pdf)["code"] == "not_a_pdf"
        broken = client.post("/api/v1/verify", files=_pdf("b.pdf", b"%PDF-1.7\ngarbage"))
        # signing reports an unreadable PDF as "not valid" with its reason
        assert broken.status_code == 200 and broken.json()["valid"] is False
        assert broken.json()["reasons"]
        locked = client.post("/api/v1/verify", files=_pdf("c.pdf", encrypted_pdf()))
        assert locked.status_code in (200, 422)
        assert locked.status_code == 422 or locked.json()["valid"] is False
        lookup = client.get("/api/v1/reuse/lookup",
                            params={"procedure": "9.999999", "subject": "1"})
        assert lookup.status_code in (404, 422) and _error(lookup)["code"]


def test_review_queue_and_correction_make_a_new_version(live: LiveServer) -> None:
    waiting = make_record(
        "birth_certificate", BINH, issued_on=months_before(date.today(), 12), agency="ubnd-a",
        status=Status.NEEDS_REVIEW, seed="review-flow",
    )
    waiting.review = Review(reasons=[ReviewReason("low_confidence", "subjects[0].id_number")])
    (record,) = live.seed(waiting)
    with live.client(Role.ARCHIVIST) as client:
        queue = client.get("/api/v1/review", params={"limit": 100}).json()
        (item,) = [item for item in queue["items"] if item["id"] == record.id]
        # The reason as a person reads it: the field named in Vietnamese, no raw path.
        assert item["reasons_vi"] == ["Số định danh (người 1): độ tin cậy OCR thấp"]
        wrong = client.post(f"/api/v1/records/{record.id}/corrections",
                            json={"set": {"issued_on": "2999-01-01"}})
        assert wrong.status_code == 422
        assert _error(wrong)["code"] == "invalid_correction"
        unknown = client.post(f"/api/v1/records/{record.id}/corrections",
                              json={"set": {"nonsense": "1"}})
        assert unknown.status_code == 422
        fixed = client.post(f"/api/v1/records/{record.id}/corrections",
                            json={"set": {"document_number": "12/2024"}, "approve": True})
        assert fixed.status_code == 200, fixed.text
        body = fixed.json()
        assert body["version"] == record.version + 1
        assert body["status"] == "ready" and body["document_number"] == "12/2024"
        assert body["review"]["approved_by"].startswith("archivist:ubnd-a:")
        first = client.get(f"/api/v1/records/{record.id}", params={"version": 1}).json()
        assert first["document_number"] == record.document_number
        queue = client.get("/api/v1/review", params={"limit": 100}).json()
        assert record.id not in {item["id"] for item in queue["items"]}


def test_a_paper_without_id_is_offered_and_released_only_when_facts_agree(
    live: LiveServer,
) -> None:
    from tests.support.reuse import Person

    id_number = "001191004455"
    citizen = Person(name="Lê Thị Hoa", birth_date="1991-04-02", id_number=id_number)
    (old,) = live.seed(make_record(
        "birth_certificate", citizen, issued_on="1991-04-20", with_id=False,
        agency="ubnd-a", seed="old-birth-no-id",
        fields={"mother_name": "Phạm Thị Lan", "father_name": "Lê Văn Tám"},
    ))
    ask = {"subject": id_number, "name": citizen.name,
           "birth_date": citizen.birth_date, "procedure": "2.000488"}
    release = {"record_id": old.id, "dossier_code": "000.00.24.H26-260101-0001",
               "procedure": "2.000488", "subject": id_number, "name": citizen.name,
               "birth_date": citizen.birth_date, "citizen_request": True}

    def offered(params: dict[str, str]) -> list[str]:
        body = client.get("/api/v1/reuse/lookup", params=params).json()
        return [c["id"] for comp in body["components"] for c in comp["candidates"]]

    with live.client(Role.PORTAL) as client:
        assert offered(ask) == []  # name and birth date alone are not enough
        assert offered({**ask, "mother_name": "Nguyễn Thị Mai"}) == []  # a namesake's paper
        assert offered({**ask, "mother_name": "pham thi lan"}) == [old.id]
        refused = client.post("/api/v1/reuse/release", json=release)
        assert refused.status_code in (409, 422)
        assert _error(refused)["code"] == "not_corroborated"
        unconfirmed = client.post("/api/v1/reuse/release",
                                  json={**release, "mother_name": "Phạm Thị Lan"})
        assert _error(unconfirmed)["code"] == "needs_confirmation"
        given = client.post("/api/v1/reuse/release", json={
            **release, "mother_name": "Phạm Thị Lan", "confirmed_probable": True})
        assert given.status_code == 200, given.text
        assert given.headers["content-type"] == "application/pdf"
        assert given.content.startswith(b"%PDF")
