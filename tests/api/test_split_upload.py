"""Uploading a stack with `split=1`: one record per paper, each pointing to the stack and
its pages (the upload screen's checkbox: tests/api/test_screens_stack.py)."""

from __future__ import annotations

from pathlib import Path

from api.tokens import Role
from tests.api.live import LiveServer
from tests.support.stacks import text_stack


def test_an_uploaded_stack_is_split_into_its_papers(live: LiveServer, tmp_path: Path) -> None:
    stack = tmp_path / "tập hồ sơ.pdf"
    papers = text_stack(stack, [2, 1], box="H-41", tag="http-split")
    with live.client(Role.ARCHIVIST) as client:
        response = client.post("/api/v1/documents", data={"split": "1"}, files=[
            ("file", (stack.name, stack.read_bytes(), "application/pdf"))])
        assert response.status_code == 202, response.text
        accepted = response.json()
        # The batch holds the papers, not the stack; each knows its place in it.
        assert [f["filename"] for f in accepted["files"]] == [
            "tập hồ sơ.p002-003.pdf", "tập hồ sơ.p005-005.pdf"]
        assert [f["given"]["stack.pages"] for f in accepted["files"]] == ["2-3", "5-5"]
        batch = live.wait_batch(client, accepted["id"])
        assert batch["status"] == "done"
        assert {f["status"] for f in batch["files"]} == {"ingested"}, batch
        stored = [client.get(f"/api/v1/records/{f['record_id']}").json()
                  for f in batch["files"]]
    assert [(r["source"]["part_of"]["first_page"] - 1, r["source"]["part_of"]["last_page"] - 1)
            for r in stored] == [(p[0], p[-1]) for p in papers]
    assert {r["source"]["part_of"]["filename"] for r in stored} == {"tập hồ sơ.pdf"}
    assert [r["source"]["pages"] for r in stored] == [2, 1]
    assert {r["location"]["box"] for r in stored} == {"H-41"}
    assert not (live.data_dir / "uploads" / accepted["id"]).exists()


def test_without_split_an_uploaded_stack_stays_one_file(live: LiveServer,
                                                         tmp_path: Path) -> None:
    stack = tmp_path / "ca-tap.pdf"
    text_stack(stack, [1, 1], box="H-42", tag="http-whole")
    with live.client(Role.ARCHIVIST) as client:
        response = client.post("/api/v1/documents", files=[
            ("file", (stack.name, stack.read_bytes(), "application/pdf"))])
        assert response.status_code == 202, response.text
        assert [f["filename"] for f in response.json()["files"]] == ["ca-tap.pdf"]
        assert response.json()["files"][0]["given"] == {}
