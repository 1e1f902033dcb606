"""BagIt export/import, across backends (filesystem -> SeaweedFS)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from storage import ObjectExists, load_record
from storage.bagit import BagError, export_archive, import_archive
from storage.filestore import FileStore
from storage.fixity import run
from tests.storage.conftest import s3_store
from tests.storage.helpers import store_full_record
from tests.support.seaweed import SeaweedServer

AGENCY = "ubnd-phường-bến-nghé"


def _source(tmp_path: Path) -> FileStore:
    store = FileStore(tmp_path / "source")
    store_full_record(store, AGENCY, "r1")
    store_full_record(store, AGENCY, "r2")
    store.put(
        f"{AGENCY}/records/r2/ghi chú 100%.txt", "ghi chú".encode(), content_type="text/plain"
    )
    store_full_record(store, "other-agency", "r9")
    return store


def test_bag_layout_and_tar_round_trip_file_to_s3(tmp_path: Path, seaweed: SeaweedServer) -> None:
    source = _source(tmp_path)
    bag = export_archive(source, AGENCY, tmp_path / "bag")
    assert bag.objects == 9
    names = sorted(p.name for p in bag.path.iterdir())
    assert names == [
        "bag-info.txt",
        "bagit.txt",
        "data",
        "manifest-sha256.txt",
        "sohoa-objects.jsonl",
        "tagmanifest-sha256.txt",
    ]
    assert (bag.path / "bagit.txt").read_text() == (
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    manifest = (bag.path / "manifest-sha256.txt").read_text(encoding="utf-8")
    assert f"data/{AGENCY}/records/r2/ghi chú 100%25.txt" in manifest
    assert f"Payload-Oxum: {bag.bytes}.9" in (bag.path / "bag-info.txt").read_text()
    assert not any("other-agency" in line for line in manifest.splitlines())

    tar_path = tmp_path / "export.tar.gz"
    export_archive(source, AGENCY, tar_path)
    target = s3_store(seaweed)
    result = import_archive(target, tar_path)
    assert result.objects == 9 and result.already_present == 0
    assert [i.key for i in target.list()] == [i.key for i in source.list(f"{AGENCY}/")]
    assert load_record(target, AGENCY, "r1").title == "Giấy khai sinh"
    note = target.head(f"{AGENCY}/records/r2/ghi chú 100%.txt")
    assert note is not None and note.content_type == "text/plain"
    assert (run(target).orphaned, run(target).missing, run(target).corrupt) == (1, 0, 0)
    # Importing again is a no-op.
    assert import_archive(target, bag.path).already_present == 9


def test_tampered_bag_is_refused_before_any_write(tmp_path: Path, seaweed: SeaweedServer) -> None:
    bag = export_archive(_source(tmp_path), AGENCY, tmp_path / "bag").path
    victim = bag / "data" / AGENCY / "records" / "r1" / "archival.pdf"
    victim.write_bytes(b"%PDF-1.7 forged")
    target = s3_store(seaweed)
    with pytest.raises(BagError) as caught:
        import_archive(target, bag)
    assert f"data/{AGENCY}/records/r1/archival.pdf: checksum mismatch" in str(caught.value)
    assert list(target.list()) == []


def test_unlisted_and_missing_payload_refused(tmp_path: Path) -> None:
    bag = export_archive(_source(tmp_path), AGENCY, tmp_path / "bag").path
    (bag / "data" / "smuggled.bin").write_bytes(b"x")
    (bag / "data" / AGENCY / "records" / "r1" / "text.txt").unlink()
    target = FileStore(tmp_path / "target")
    with pytest.raises(BagError) as caught:
        import_archive(target, bag)
    problems = caught.value.problems
    assert "data/smuggled.bin: not listed in manifest-sha256.txt" in problems
    assert f"data/{AGENCY}/records/r1/text.txt: listed in a manifest but missing" in problems
    assert list(target.list()) == []


def test_tampered_tag_file_refused(tmp_path: Path) -> None:
    bag = export_archive(_source(tmp_path), AGENCY, tmp_path / "bag").path
    with (bag / "bag-info.txt").open("a") as info:
        info.write("Contact-Name: someone\n")
    with pytest.raises(BagError, match=r"bag-info\.txt: checksum mismatch"):
        import_archive(FileStore(tmp_path / "target"), bag)


def test_conflicting_object_refused_before_any_write(tmp_path: Path) -> None:
    bag = export_archive(_source(tmp_path), AGENCY, tmp_path / "bag").path
    target = FileStore(tmp_path / "target")
    target.put(f"{AGENCY}/records/r2/text.txt", b"different text")
    with pytest.raises(BagError, match="already stored with other content"):
        import_archive(target, bag)
    assert [i.key for i in target.list()] == [f"{AGENCY}/records/r2/text.txt"]
    with pytest.raises(ObjectExists):
        target.put(f"{AGENCY}/records/r2/text.txt", b"again different")


def test_tar_with_path_traversal_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.tar"
    payload = tmp_path / "payload"
    payload.write_bytes(b"x")
    with tarfile.open(evil, "w") as tar:
        tar.add(payload, arcname="../escaped")
    with pytest.raises((tarfile.TarError, BagError)):
        import_archive(FileStore(tmp_path / "target"), evil)
    assert not (tmp_path.parent / "escaped").exists()
