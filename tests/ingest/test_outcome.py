"""Typed outcomes and task specs, each turned into JSON in one place, byte for byte
the JSON the CLI printed and the ledger held before they were typed."""

from __future__ import annotations

import json

import pytest

from ingest.distributed import TaskSpec
from ingest.errors import ALREADY_STORED
from ingest.outcome import FileOutcome, OutcomeStatus
from tests.support.search import make_record


def _line(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def test_a_file_not_ingested_prints_as_it_always_did() -> None:
    failed = FileOutcome.failed("a.pdf", "empty_file", "Tệp rỗng (0 byte).")
    skipped = FileOutcome.skipped("b.pdf", ALREADY_STORED)

    assert _line(failed.to_json()) == (
        '{"source": {"filename": "a.pdf"}, "status": "failed", '
        '"reason": "empty_file: Tệp rỗng (0 byte).", "code": "empty_file"}'
    )
    assert _line(skipped.to_json()) == (
        '{"source": {"filename": "b.pdf"}, "status": "skipped", "reason": "already_stored: '
        'Cùng nội dung (SHA-256) đã được số hóa và lưu trước đó.", "code": "already_stored"}'
    )


def test_an_ingested_file_is_its_record() -> None:
    record = make_record("r1")
    outcome = FileOutcome.ingested("scan.png", record, pages=2)
    assert outcome.to_json() == record.to_dict()
    assert outcome.reason is None and outcome.code is None


@pytest.mark.parametrize("outcome", [
    FileOutcome.failed("a.pdf", "ocr_failed", "trang 2: boom", pages=3),
    FileOutcome.skipped("b (2).pdf", ALREADY_STORED),
    FileOutcome.ingested("c.png", make_record("r2"), pages=1),
])
def test_the_ledger_reads_back_what_it_wrote(outcome: FileOutcome) -> None:
    stored = json.loads(_line(outcome.to_json()))
    back = FileOutcome.from_json(outcome.filename, stored, outcome.pages)
    assert (back.filename, back.status, back.code, back.message, back.pages) == (
        outcome.filename, outcome.status, outcome.code, outcome.message, outcome.pages)
    assert _line(back.to_json()) == _line(stored)


def test_entries_older_replicas_wrote_are_still_read() -> None:
    old = {"filename": "a.pdf", "status": "failed", "code": "signing_unavailable",
           "reason": "signing_unavailable: Không ký số được."}
    back = FileOutcome.from_json("a.pdf", old)
    assert (back.status, back.code, back.message) == (
        OutcomeStatus.FAILED, "signing_unavailable", "Không ký số được.")


def test_an_outcome_is_one_of_three_shapes_only() -> None:
    with pytest.raises(ValueError):
        FileOutcome("a.pdf", OutcomeStatus.INGESTED, code="x")  # ingested without record
    with pytest.raises(ValueError):
        FileOutcome("a.pdf", OutcomeStatus.FAILED)  # failed without a code
    with pytest.raises(AttributeError):
        FileOutcome.skipped("a.pdf", ALREADY_STORED).status = OutcomeStatus.FAILED  # type: ignore[misc]


def test_a_task_spec_keeps_the_json_tasks_were_queued_with() -> None:
    queued = TaskSpec("a (2).pdf", agency="ubnd-x", sha256="ab" * 32, given={"archive_box": "7"})
    assert _line(queued.to_json()) == (
        '{"filename": "a (2).pdf", "agency": "ubnd-x", "sha256": "' + "ab" * 32 + '", '
        '"given": {"archive_box": "7"}, "queued": true}'
    )
    assert TaskSpec.from_json(json.loads(_line(queued.to_json()))) == queued
    assert queued.staged_key == f"_staging/ubnd-x/{'ab' * 32}"
    decided = TaskSpec("bad.pdf")
    assert decided.to_json() == {"filename": "bad.pdf"} and not decided.queued


def test_progress_reads_the_status_without_the_record() -> None:
    ingested = FileOutcome.ingested("c.png", make_record("r3"), pages=1)
    assert FileOutcome.status_of_json(ingested.to_json()) is OutcomeStatus.INGESTED
    assert FileOutcome.status_of_json(
        FileOutcome.skipped("d.png", ALREADY_STORED).to_json()) is OutcomeStatus.SKIPPED
    assert FileOutcome.status_of_json({}) is OutcomeStatus.FAILED
