"""The contract every backend fulfils, run against the filesystem and real SeaweedFS."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable

import pytest

from storage import (
    IntegrityError,
    InvalidKey,
    ObjectExists,
    ObjectNotFound,
    Store,
)


def test_put_get_head_roundtrip(store: Store) -> None:
    data = "Giấy khai sinh — bản chính".encode()
    info = store.put(
        "ubnd/a.txt",
        data,
        content_type="text/plain; charset=utf-8",
        metadata={"source-name": "Giấy khai sinh 100%.jpg"},
    )
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert store.get("ubnd/a.txt") == data
    head = store.head("ubnd/a.txt")
    assert head is not None
    assert head.size == len(data)
    assert head.sha256 == info.sha256
    assert head.content_type.startswith("text/plain")
    assert head.metadata == {"source-name": "Giấy khai sinh 100%.jpg"}
    assert store.head("ubnd/absent.txt") is None
    with pytest.raises(ObjectNotFound):
        store.get("ubnd/absent.txt")


def _orders(keys: list[str]) -> tuple[list[str], list[str]]:
    """Byte order (filesystem, AWS, MinIO) and level-by-level order (SeaweedFS)."""
    return sorted(keys), sorted(keys, key=lambda k: k.split("/"))


def test_list_is_in_key_order_and_respects_prefix(store: Store) -> None:
    keys = ["a/b", "a-b", "a.b", "a0", "a/c/d", "a/c-d", "b/x", "ab/y", "a/đ", "a/z", "a/c/e"]
    for key in keys:
        store.put(key, key.encode())
    listed = [i.key for i in store.list()]
    assert listed in _orders(keys)
    assert [i.key for i in store.list("a/")] in _orders([k for k in keys if k.startswith("a/")])
    assert [i.key for i in store.list("a/c")] in _orders(["a/c-d", "a/c/d", "a/c/e"])
    assert [i.key for i in store.list("a")] in _orders([k for k in keys if k.startswith("a")])
    assert list(store.list("nothing/")) == []
    assert {i.key: i.size for i in store.list("b/")} == {"b/x": 3}
    # What iteration relies on: a "/"-terminated prefix is one contiguous run.
    for prefix in ("a/", "a/c/", "ab/", "b/"):
        positions = [n for n, key in enumerate(listed) if key.startswith(prefix)]
        assert positions == list(range(positions[0], positions[-1] + 1))


def test_filesystem_lists_in_byte_order(file_store: Store) -> None:
    keys = ["a/b", "a-b", "a.b", "a0", "a/c/d", "a/c-d", "a/đ", "a/z"]
    for key in keys:
        file_store.put(key, b"x")
    assert [i.key for i in file_store.list()] == sorted(keys)


def test_put_is_idempotent_and_immutable(store: Store) -> None:
    first = store.put("x/original.pdf", b"%PDF-1.7 one")
    again = store.put("x/original.pdf", b"%PDF-1.7 one")
    assert again.sha256 == first.sha256
    with pytest.raises(ObjectExists) as caught:
        store.put("x/original.pdf", b"%PDF-1.7 two")
    assert caught.value.key == "x/original.pdf"
    assert store.get("x/original.pdf") == b"%PDF-1.7 one"


def test_corruption_is_detected_on_read(
    store: Store, tamper: Callable[[Store, str, bytes], None]
) -> None:
    store.put("x/archival.pdf", b"%PDF-1.7 good bytes")
    tamper(store, "x/archival.pdf", b"%PDF-1.7 evil bytes")
    with pytest.raises(IntegrityError) as caught:
        store.get("x/archival.pdf")
    assert caught.value.expected == hashlib.sha256(b"%PDF-1.7 good bytes").hexdigest()
    assert caught.value.actual == hashlib.sha256(b"%PDF-1.7 evil bytes").hexdigest()


def test_vietnamese_keys(store: Store) -> None:
    keys = [
        "ubnd-phường-bến-nghé/records/r1/original.jpg",
        "ubnd-phường-bến-nghé/hồ sơ/Giấy chứng nhận quyền sử dụng đất.pdf",
        "ubnd-xã-đông-hòa/trích lục khai tử.txt",
    ]
    for key in keys:
        store.put(key, key.encode())
    assert [i.key for i in store.list("ubnd-")] == sorted(keys)
    for key in keys:
        assert store.get(key) == key.encode()


def test_five_megabyte_object(store: Store) -> None:
    data = os.urandom(5 * 1024 * 1024)
    store.put("big/scan.tif", data, content_type="image/tiff")
    assert store.get("big/scan.tif") == data
    head = store.head("big/scan.tif")
    assert head is not None and head.size == len(data)


@pytest.mark.parametrize(
    "key",
    ["", "/abs", "a//b", "a/../b", "a/./b", "trailing/", ".sohoa/meta/x", "a\\b", "a\nb",
     # C1 control, right-to-left override, zero-width space: lookalike keys
     "a\x85b", "ubnd-\u202ea/x", "ubnd\u200b-a/x"],
)
def test_invalid_keys_are_refused(store: Store, key: str) -> None:
    with pytest.raises(InvalidKey):
        store.put(key, b"x")


def test_delete_removes_and_is_idempotent(store: Store) -> None:
    store.put("d/one", b"1")
    store.put("d/two", b"2")
    store.delete("d/one")
    store.delete("d/one")
    assert store.head("d/one") is None
    assert [i.key for i in store.list("d/")] == ["d/two"]
    # After an (audited) deletion the key may be written again.
    store.put("d/one", b"other")
    assert store.get("d/one") == b"other"


def test_metadata_names_are_checked(store: Store) -> None:
    with pytest.raises(ValueError):
        store.put("m/x", b"x", metadata={"Bad Name": "v"})
    with pytest.raises(ValueError):
        store.put("m/x", b"x", metadata={"sha256": "forged"})
    assert store.head("m/x") is None


def test_racing_writers_cannot_overwrite_each_other(store: Store) -> None:
    payloads = [f"writer {n}".encode() for n in range(6)]
    outcomes: list[str] = []

    def write(data: bytes) -> None:
        try:
            store.put("race/original.pdf", data)
            outcomes.append("stored")
        except ObjectExists:
            outcomes.append("refused")

    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["refused"] * 5 + ["stored"]
    assert store.get("race/original.pdf") in payloads


def test_repair_restores_only_damaged_bytes_and_only_as_recorded(
    store: Store, tamper: Callable[[Store, str, bytes], None]
) -> None:
    key, good = "x/archival.pdf", b"%PDF-1.7 signed bytes"
    digest = hashlib.sha256(good).hexdigest()
    store.put(key, good, content_type="application/pdf", metadata={"record-id": "r1"})
    assert store.repair(key, good, digest) is False  # intact: nothing to do

    tamper(store, key, b"%PDF-1.7 signed byteZ")
    other = b"%PDF-1.7 forged"
    with pytest.raises(IntegrityError):  # bytes that are not what the caller vouches for
        store.repair(key, other, digest)
    with pytest.raises(ObjectExists):  # bytes the object never recorded
        store.repair(key, other, hashlib.sha256(other).hexdigest())
    with pytest.raises(ObjectNotFound):  # repair never creates
        store.repair("x/absent.pdf", good, digest)
    with pytest.raises(IntegrityError):
        store.get(key)

    assert store.repair(key, good, digest) is True
    assert store.get(key) == good
    head = store.head(key)
    assert head is not None and head.sha256 == digest
    assert (head.content_type, head.metadata) == ("application/pdf", {"record-id": "r1"})
    assert store.repair(key, good, digest) is False
    with pytest.raises(ObjectExists):  # write-once otherwise unchanged
        store.put(key, other)
