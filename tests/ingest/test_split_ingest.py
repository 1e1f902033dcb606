"""`sohoa ingest --split`: a stack scanned into one PDF becomes one record per paper,
each pointing to the stack and its pages, through the same splitter as `sohoa watch`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from application import Settings
from cli.main import main
from storage import iter_latest_records, open_store
from tests.support.scans import text_pdf
from tests.support.stacks import text_stack


def test_ingest_split_makes_one_record_per_paper(
        sohoa_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = tmp_path / "in" / "tap-ho-so.pdf"
    stack.parent.mkdir()
    papers = text_stack(stack, [2, 1, 3], box="H-31", tag="cli-split")
    single = text_pdf(tmp_path / "in" / "mot-to.pdf", "cli-split mot to")  # one page: whole

    code = main(["ingest", "--split", str(stack), str(single), "--json"])
    outcomes = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert code == 0
    assert sorted(o["source"]["filename"] for o in outcomes) == [
        "mot-to.pdf", "tap-ho-so.p002-003.pdf", "tap-ho-so.p005-005.pdf",
        "tap-ho-so.p007-009.pdf"]
    assert all(o.get("id") for o in outcomes)  # each one a record
    store = open_store(Settings.from_env().storage_url)
    stored = list(iter_latest_records(store))
    # (where in the stack, the record) for each record cut from it, in stack order
    parts = sorted([(part, r) for r in stored if (part := r.source.part_of) is not None],
                   key=lambda pair: pair[0].first_page)
    assert [(part.first_page - 1, part.last_page - 1)
            for part, _ in parts] == [(p[0], p[-1]) for p in papers]
    assert {part.filename for part, _ in parts} == {"tap-ho-so.pdf"}
    assert [r.source.pages for _, r in parts] == [2, 1, 3]  # each holds its pages only
    assert {r.location.box for _, r in parts} == {"H-31"}  # from the separator sheets
    assert len({part.sha256 for part, _ in parts}) == 1
    whole = [r for r in stored if r.source.part_of is None]
    assert [r.source.filename for r in whole] == ["mot-to.pdf"]
    assert not list(Path(sohoa_env["SOHOA_DATA"]).glob("**/sohoa-split-*"))


def test_ingest_without_split_keeps_a_stack_whole(
        sohoa_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = tmp_path / "tap.pdf"
    text_stack(stack, [1, 1], box="H-32", tag="cli-whole")
    assert main(["ingest", str(stack), "--json"]) == 0
    [outcome] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert outcome["source"]["filename"] == "tap.pdf" and outcome["source"]["pages"] == 4
