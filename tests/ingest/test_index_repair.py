"""Repairing the index from storage without dropping it: what a process that died
between writing storage and the index leaves behind is found and healed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from application import Runtime, Settings
from application.operations import repair_index
from cli.main import main
from records import Record
from storage import record_key, save_record
from storage.filestore import FileStore
from tests.support.search import make_record

AGENCY, OTHER = "ubnd-phuong-test", "ubnd-phuong-khac"


@pytest.fixture
def runtime(sohoa_env: dict[str, str]) -> Iterator[Runtime]:
    rt = Runtime.open(Settings.from_env())
    yield rt
    rt.close()


def _stored(runtime: Runtime, record: Record, *, indexed: bool = True) -> Record:
    save_record(runtime.store, record)
    if indexed:
        runtime.index.upsert(record)
    return record


def _indexed_versions(runtime: Runtime) -> dict[str, int]:
    return dict(runtime.index.versions())


def _drifted_archive(runtime: Runtime) -> None:
    """Every kind of drift a crash can leave, beside records that are in step."""
    _stored(runtime, make_record("in-step", agency=AGENCY, name="Nguyễn Văn An"))
    _stored(runtime, make_record("not-indexed", agency=AGENCY), indexed=False)
    corrected = _stored(runtime, make_record("corrected", agency=AGENCY, issuer="UBND cũ"))
    corrected.version, corrected.issuer = 2, "UBND Phường Thạc Gián"
    _stored(runtime, corrected, indexed=False)  # died after saving v2, before indexing
    runtime.index.upsert(make_record("deleted", agency=AGENCY))  # objects gone, entry left
    _stored(runtime, make_record("elsewhere", agency=OTHER))


def test_repair_adds_updates_and_removes_only_what_drifted(runtime: Runtime) -> None:
    _drifted_archive(runtime)

    repair = repair_index(runtime)

    assert (repair.checked, repair.added, repair.updated, repair.removed) == (4, 1, 1, 1)
    assert repair.written == 2  # the records in step are left alone
    assert _indexed_versions(runtime) == {
        "in-step": 1, "not-indexed": 1, "corrected": 2, "elsewhere": 1,
    }
    corrected = runtime.index.get("corrected")
    assert corrected is not None, "the corrected record is still indexed"
    assert corrected["issuer"] == "UBND Phường Thạc Gián"
    assert repair_index(runtime).to_dict() == {
        "checked": 4, "written": 0, "added": 0, "updated": 0, "removed": 0, "unreadable": [],
    }


def test_reindex_of_one_agency_leaves_the_others_indexed(runtime: Runtime) -> None:
    _drifted_archive(runtime)

    code = main(["reindex", "--agency", AGENCY, "--json"])

    assert code == 0
    assert _indexed_versions(runtime) == {
        "in-step": 1, "not-indexed": 1, "corrected": 2, "elsewhere": 1,
    }


def test_an_unreadable_record_keeps_its_entry_and_is_reported(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    _stored(runtime, make_record("good", agency=AGENCY))
    damaged = _stored(runtime, make_record("damaged", agency=AGENCY))
    assert isinstance(runtime.store, FileStore)
    key = record_key(AGENCY, damaged.id, damaged.version)
    (runtime.store.root / key).write_bytes(b"{}")
    runtime.index.delete("good")

    code = main(["reindex", "--repair", "--json"])

    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert code == 1
    assert report["unreadable"] == [key] and report["added"] == 1 and report["removed"] == 0
    assert _indexed_versions(runtime) == {"good": 1, "damaged": 1}

    # A full rebuild goes past it too, and says so.
    assert main(["reindex"]) == 1
    out = capsys.readouterr().out
    assert key in out and "sohoa fixity" in out
    assert _indexed_versions(runtime) == {"good": 1}


def test_a_record_written_before_doubts_rebuilds_the_index_with_them_moved(
    runtime: Runtime,
) -> None:
    # The shape records had before ``Record.doubts``: the cross-checks' leftovers under
    # ``fields``, beside the paper's values, and no ``doubts`` key at all.
    old = make_record("before-doubts", agency=AGENCY).to_dict()
    del old["doubts"]
    old["fields"] = {
        "mother_name": "Lê Thị Tư",
        "unverified_id_numbers": ["001090012345"],
        "unverified_birth_dates": ["1990-05-01"],
        "name_readings": {"subjects[0].name": ["Lý Hông Nhung", "Lý Hồng Nhung"]},
        "issuer_candidates": ["Ủy ban nhân dân phường Tân Định", "Ủy ban nhân dân xã Tân Định"],
    }
    key = record_key(AGENCY, old["id"], old["version"])
    runtime.store.put(key, json.dumps(old, ensure_ascii=False).encode(),
                      content_type="application/json; charset=utf-8")

    assert main(["reindex"]) == 0

    indexed = runtime.index.get("before-doubts")
    assert indexed is not None
    assert indexed["fields"] == {"mother_name": "Lê Thị Tư"}
    assert indexed["doubts"] == {
        "unverified_id_numbers": ["001090012345"],
        "unverified_birth_dates": ["1990-05-01"],
        "name_readings": {"subjects[0].name": ["Lý Hông Nhung", "Lý Hồng Nhung"]},
        "issuer_candidates": ["Ủy ban nhân dân phường Tân Định", "Ủy ban nhân dân xã Tân Định"],
    }
    # Read back as a record and written again, it has the new shape only.
    again = Record.from_dict(Record.from_dict(old).to_dict())
    assert again.doubts.name_readings == old["fields"]["name_readings"]
    assert "unverified_id_numbers" not in again.to_dict()["fields"]
