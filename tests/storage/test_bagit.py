"""BagIt export/import, across backends (filesystem -> SeaweedFS)."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cli.main import main
from storage import ObjectExists, Store, archival_key, load_record, record_key
from storage.bagit import (
    BagError,
    export_archive,
    extract_safely,
    import_archive,
    validate_bag,
)
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


@pytest.mark.parametrize("data_filter", [True, False], ids=["tarfile-filter", "by-hand"])
def test_unpacking_a_tar_keeps_everything_inside(tmp_path: Path, data_filter: bool) -> None:
    """Both paths of extract_safely: Python's data filter, and the check by hand that
    Debian 12's Python 3.11.2 (no ``filter=``) relies on."""
    if data_filter and not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python has no tarfile data filter: the by-hand case covers it")
    good = tmp_path / "good.tar"
    export_archive(_source(tmp_path), AGENCY, good)
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    with tarfile.open(good) as tar:
        extract_safely(tar, unpacked, data_filter=data_filter)
    assert validate_bag(next(unpacked.iterdir()))

    payload = tmp_path / "payload"
    payload.write_bytes(b"x")
    for name, kind in (("../escaped", tarfile.REGTYPE), ("bag/link", tarfile.SYMTYPE)):
        evil = tmp_path / f"evil-{kind!r}.tar"
        with tarfile.open(evil, "w") as tar:
            info = tar.gettarinfo(payload, arcname=name)
            if kind == tarfile.SYMTYPE:
                info.type, info.linkname, info.size = tarfile.SYMTYPE, "/etc/passwd", 0
                tar.addfile(info)
            else:
                with payload.open("rb") as data:
                    tar.addfile(info, data)
        target = tmp_path / f"out-{kind!r}"
        target.mkdir()
        with tarfile.open(evil) as tar, pytest.raises((tarfile.TarError, BagError)):
            extract_safely(tar, target, data_filter=data_filter)
        assert not (tmp_path / "escaped").exists()
        assert not (target / "bag" / "link").is_symlink()


def test_a_directory_bag_reads_nothing_outside_itself(tmp_path: Path) -> None:
    """A payload file replaced by a symbolic link to a file of the importing machine,
    with a manifest that hashes it correctly, is refused all the same."""
    import hashlib

    bag = export_archive(_source(tmp_path), AGENCY, tmp_path / "bag").path
    secret = tmp_path / "host-secret.txt"
    secret.write_bytes(b"a file of the machine running the import")
    rel = f"data/{AGENCY}/records/r1/text.txt"
    (bag / rel).unlink()
    (bag / rel).symlink_to(secret)
    manifest = bag / "manifest-sha256.txt"
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    lines = [f"{digest}  {rel}" if line.endswith(rel) else line
             for line in manifest.read_text(encoding="utf-8").splitlines()]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tags = bag / "tagmanifest-sha256.txt"
    tags.unlink()  # optional in BagIt: leaves the manifest as the only guard

    target = FileStore(tmp_path / "target")
    with pytest.raises(BagError) as caught:
        import_archive(target, bag)
    assert f"{rel}: outside the bag or a symbolic link" in caught.value.problems
    assert list(target.list()) == []


def _damage(store: Store, tamper: Callable[[Store, str, bytes], None], *keys: str) -> None:
    """Flip one byte of each object, leaving its recorded checksum as it was."""
    for key in keys:
        data = bytearray(store.get(key))
        data[len(data) // 2] ^= 1
        tamper(store, key, bytes(data))


def test_import_repairs_damaged_objects_from_a_good_bag(
    store: Store, tamper: Callable[[Store, str, bytes], None], tmp_path: Path
) -> None:
    store_full_record(store, AGENCY, "r1")
    store_full_record(store, AGENCY, "r2")
    bag = export_archive(store, AGENCY, tmp_path / "backup.tar").path
    damaged = [archival_key(AGENCY, "r1"), record_key(AGENCY, "r2", 1)]
    _damage(store, tamper, *damaged)
    assert run(store).corrupt == 2

    result = import_archive(store, bag)
    assert sorted(result.repaired) == sorted(damaged)
    assert result.already_present == 8 - 2
    assert run(store).corrupt == 0
    assert load_record(store, AGENCY, "r2").title == "Giấy khai sinh"
    assert import_archive(store, bag).repaired == ()


def test_export_leaves_damaged_objects_out_and_names_them(
    store: Store, tamper: Callable[[Store, str, bytes], None], tmp_path: Path
) -> None:
    store_full_record(store, AGENCY, "r1")
    store_full_record(store, AGENCY, "r2")
    damaged = archival_key(AGENCY, "r1")
    _damage(store, tamper, damaged)

    result = export_archive(store, AGENCY, tmp_path / "out" / "bag")
    assert result.skipped == (damaged,)
    assert result.objects == 7
    assert sorted(e.key for e in validate_bag(result.path)) == sorted(
        i.key for i in store.list(f"{AGENCY}/") if i.key != damaged)
    assert f"Sohoa-Damaged-Not-Exported: {damaged}" in (
        result.path / "bag-info.txt").read_text(encoding="utf-8")
    assert [p.name for p in result.path.parent.iterdir()] == ["bag"]  # nothing staged left


def test_interrupted_export_leaves_no_bag_and_can_be_run_again(tmp_path: Path) -> None:
    source = _source(tmp_path)
    # An unreadable object (a symlink loop) stops the export half-way through.
    loop = source.root / AGENCY / "records" / "r1" / "zz-loop"
    loop.symlink_to(loop.name)
    dest = tmp_path / "exports" / "bag"
    with pytest.raises(OSError):
        export_archive(source, AGENCY, dest)
    assert list(dest.parent.iterdir()) == []

    loop.unlink()
    assert export_archive(source, AGENCY, dest).objects == 9
    assert sorted(p.name for p in dest.parent.iterdir()) == ["bag"]


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main([*argv, "--json"])
    lines = capsys.readouterr().out.splitlines()
    return code, json.loads(lines[-1])


def test_cli_export_and_import_report_damage(
    sohoa_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    tamper: Callable[[Store, str, bytes], None],
) -> None:
    agency = sohoa_env["SOHOA_AGENCY"]
    store = FileStore(Path(sohoa_env["SOHOA_DATA"]) / "objects")
    store_full_record(store, agency, "r1")
    code, exported = _cli(capsys, "export", str(tmp_path / "good.tar"))
    assert code == 0 and exported["skipped_damaged"] == []

    damaged = sorted([archival_key(agency, "r1"), record_key(agency, "r1", 1)])
    _damage(store, tamper, *damaged)
    code, partial = _cli(capsys, "export", str(tmp_path / "partial"))
    assert code == 1
    skipped = partial["skipped_damaged"]
    assert isinstance(skipped, list) and sorted(skipped) == damaged
    assert partial["objects"] == 2

    code, imported = _cli(capsys, "import", str(tmp_path / "good.tar"))
    assert code == 0
    repaired = imported["repaired"]
    assert isinstance(repaired, list) and sorted(repaired) == damaged
    for key in damaged:
        store.get(key)
    # A bag is never written over: naming a used folder is the caller's mistake (exit 2).
    assert main(["export", str(tmp_path / "partial")]) == 2
    assert "Thư mục đích không trống" in capsys.readouterr().err
    code, fresh = _cli(capsys, "export", str(tmp_path / "fresh"))
    assert code == 0 and fresh["objects"] == 4

