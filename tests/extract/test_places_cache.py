"""The official-unit indexes cached on disk: a hit is the build, anything else is rebuilt."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract import places


def _clear() -> None:
    for cached in (places._indexes, places._legacy_index, places._new_index, places._listed_keys):
        cached.cache_clear()


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _clear()
    yield tmp_path / "sohoa"
    _clear()  # the other tests' indexes come from their own cache, not this folder


@pytest.fixture(scope="module")
def fresh() -> dict[str, places._Index]:
    return {
        "legacy": places._Index(places._legacy_units()),
        "2025": places._Index(places._new_units()),
    }


def _same(got: dict[str, places._Index], want: dict[str, places._Index]) -> None:
    for era in ("legacy", "2025"):
        assert got[era].by_key == want[era].by_key
        assert got[era].deletes == want[era].deletes


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> list[places.Unit]:
        raise AssertionError("built although the cache holds the indexes")

    monkeypatch.setattr(places, "_legacy_units", refuse)
    monkeypatch.setattr(places, "_new_units", refuse)


def test_a_cache_hit_equals_a_fresh_build(
    cache_home: Path, fresh: dict[str, places._Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    _same(places._indexes(), fresh)  # built, and written
    (written,) = cache_home.glob("places-index-*")
    _clear()
    _no_build(monkeypatch)
    loaded = places._indexes()
    _same(loaded, fresh)
    # The lookups answer the same from the loaded index (days restored as days).
    places.warm()
    assert places.index_for("legacy") is loaded["legacy"]
    dated = [u for units in loaded["legacy"].by_key.values() for u in units if u.valid_until]
    assert dated and all(u.valid_until.year > 1900 for u in dated if u.valid_until)
    assert places.match_issuer("UBND phường Máy Chai\nquận Ngô Quyền, TP Hải Phòng").unit
    assert written.exists()


@pytest.mark.parametrize("damage", ["flip a payload byte", "truncate", "other key", "empty"])
def test_a_stale_or_corrupt_cache_is_rebuilt_and_replaced(
    cache_home: Path,
    fresh: dict[str, places._Index],
    damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    places._indexes()
    (path,) = cache_home.glob("places-index-*")
    blob = bytearray(path.read_bytes())
    head = len(places._CACHE_FORMAT)
    if damage == "flip a payload byte":
        blob[-100] ^= 0xFF
    elif damage == "truncate":
        del blob[len(blob) // 2 :]
    elif damage == "other key":
        blob[head] ^= 0xFF
    else:
        blob = bytearray()
    path.write_bytes(bytes(blob))
    _clear()
    with caplog.at_level(logging.INFO, logger="sohoa.extract"):
        rebuilt = places._indexes()
    _same(rebuilt, fresh)
    assert "stale or corrupt: rebuilt" in caplog.text
    key = places._cache_key()
    assert places._read_cache(path, key) is not None  # replaced by a good file


def test_concurrent_writers_leave_one_whole_file(
    cache_home: Path, fresh: dict[str, places._Index]
) -> None:
    key = places._cache_key()
    path = places._cache_path(key)
    done = threading.Event()
    seen: list[bool] = []
    wrong: list[bool] = []

    def read() -> None:
        while True:
            last = done.is_set()  # one more read after the last write
            got = places._read_cache(path, key)
            seen.append(got is not None)
            if got is not None and got["2025"].by_key != fresh["2025"].by_key:
                wrong.append(True)
            if last:
                return

    def write() -> None:
        for _ in range(3):
            places._write_cache(path, key, fresh)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write) for _ in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    done.set()
    reader.join()
    assert not wrong
    # Every read saw no file or a whole one (a partial one would fail its checksum and
    # log, and read as None: none is missing once the first rename happened).
    assert True in seen and seen[seen.index(True) :] == [True] * (len(seen) - seen.index(True))
    assert [p.name for p in cache_home.iterdir()] == [path.name]  # no temporary left
    _same(places._read_cache(path, key) or {}, fresh)


def test_an_unwritable_cache_builds_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: dict[str, places._Index]
) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    _clear()
    try:
        _same(places._indexes(), fresh)
    finally:
        _clear()


def test_other_versions_files_are_removed_only_when_old(cache_home: Path) -> None:
    cache_home.mkdir(parents=True)
    old = cache_home / f"{places._CACHE_PREFIX}{'0' * 24}.bin"
    recent = cache_home / f"{places._CACHE_PREFIX}{'1' * 24}.bin"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    long_ago = old.stat().st_mtime - places._CACHE_KEEP_OTHERS_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    places._indexes()
    assert not old.exists() and recent.exists()


def test_the_key_follows_what_the_build_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = places._cache_key()
    assert places._cache_key() == key
    db = tmp_path / "dataset.db"
    db.write_bytes(places._db_path().read_bytes())
    monkeypatch.setattr(places, "_db_path", lambda: db)
    copied = places._cache_key()
    assert copied != key  # another dataset file
    os.utime(db, ns=(db.stat().st_atime_ns, db.stat().st_mtime_ns + 10**9))
    reinstalled = places._cache_key()
    assert reinstalled != copied  # the package reinstalled
    # The historical file and the module's own source are read by content.
    source = places.Path(places.__file__).read_bytes()
    real_read = Path.read_bytes

    def edited(path: Path) -> bytes:
        content = real_read(path)
        return content + b"#" if content == source else content

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert places._cache_key() != reinstalled


def test_a_file_gone_while_cleaning_up_is_skipped(
    cache_home: Path, fresh: dict[str, places._Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer renamed its temporary (or removed an old file) after the listing."""
    key = places._cache_key()
    path = places._cache_path(key)
    gone = cache_home / f"{places._CACHE_PREFIX}gone.bin.tmp"
    cache_home.mkdir(parents=True)
    old = cache_home / f"{places._CACHE_PREFIX}{'0' * 24}.bin"
    old.write_bytes(b"x")
    long_ago = old.stat().st_mtime - places._CACHE_KEEP_OTHERS_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    real_glob = Path.glob
    monkeypatch.setattr(Path, "glob", lambda self, pattern: [gone, *real_glob(self, pattern)])
    places._write_cache(path, key, fresh)
    _same(places._read_cache(path, key) or {}, fresh)
    assert not old.exists()  # the clean-up went on past the vanished one
