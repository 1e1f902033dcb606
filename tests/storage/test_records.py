"""Versioned record JSON, on both backends."""

from __future__ import annotations

import json

import pytest

from storage import (
    ObjectExists,
    ObjectNotFound,
    iter_latest_records,
    load_record,
    original_key,
    record_exists,
    record_key,
    record_versions,
    save_record,
)
from storage.base import DamagedRecord, Store
from tests.storage.helpers import make_record


def test_save_and_load_versions(store: Store) -> None:
    v1 = make_record("ubnd-bến-nghé", "r1")
    key = save_record(store, v1)
    assert key == "ubnd-bến-nghé/records/r1/record/v0001.json"
    raw = store.get(key).decode("utf-8")
    assert "Nguyễn Văn A" in raw  # UTF-8, not \\u escapes
    assert list(json.loads(raw)) == sorted(json.loads(raw))
    assert save_record(store, v1) == key  # idempotent retry

    corrected = make_record("ubnd-bến-nghé", "r1", version=2, name="Nguyễn Văn Á")
    save_record(store, corrected)
    assert record_versions(store, "ubnd-bến-nghé", "r1") == [1, 2]
    assert load_record(store, "ubnd-bến-nghé", "r1").subjects[0].name == "Nguyễn Văn Á"
    assert load_record(store, "ubnd-bến-nghé", "r1", version=1).subjects[0].name == "Nguyễn Văn A"
    assert record_exists(store, "ubnd-bến-nghé", "r1")
    assert not record_exists(store, "ubnd-bến-nghé", "r2")
    with pytest.raises(ObjectNotFound):
        load_record(store, "ubnd-bến-nghé", "r2")


def test_a_version_is_never_rewritten(store: Store) -> None:
    save_record(store, make_record("a", "r1"))
    with pytest.raises(ObjectExists):
        save_record(store, make_record("a", "r1", name="Trần Thị B"))
    assert load_record(store, "a", "r1").subjects[0].name == "Nguyễn Văn A"


def test_iter_latest_records_streams_latest_per_record(store: Store) -> None:
    # Ids that are prefixes of one another stress the grouping by list order.
    for agency, record_id, versions in [
        ("a", "abc", 3),
        ("a", "abc-1", 1),
        ("a", "abc.d", 2),
        ("a", "abd", 1),
        ("b", "abc", 2),
    ]:
        for v in range(1, versions + 1):
            save_record(store, make_record(agency, record_id, v, name=f"{record_id} v{v}"))
    store.put(original_key("a", "abc", ".jpg"), b"not a record")
    latest = {(r.agency, r.id): r.version for r in iter_latest_records(store)}
    assert latest == {
        ("a", "abc"): 3,
        ("a", "abc-1"): 1,
        ("a", "abc.d"): 2,
        ("a", "abd"): 1,
        ("b", "abc"): 2,
    }
    only_b = [(r.agency, r.id, r.version) for r in iter_latest_records(store, "b")]
    assert only_b == [("b", "abc", 2)]


def test_iter_latest_records_reports_unreadable(store: Store) -> None:
    save_record(store, make_record("a", "good"))
    store.put(record_key("a", "bad", 1), b"{not json")
    with pytest.raises(DamagedRecord, match="record JSON unreadable") as raised:
        list(iter_latest_records(store, "a"))
    assert raised.value.key == record_key("a", "bad", 1)
    errors: list[str] = []
    records = list(iter_latest_records(store, "a", on_error=lambda key, exc: errors.append(key)))
    assert [r.id for r in records] == ["good"]
    assert errors == [record_key("a", "bad", 1)]


def test_damage_errors_survive_pickling() -> None:
    """Raised in worker processes, they must reach the driver intact."""
    import pickle

    from storage.base import IntegrityError

    for error in (IntegrityError("a/k", "00", "11"), DamagedRecord("a/r/v1.json", "bad")):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert copy.key == error.key and copy.user_message() == error.user_message()
