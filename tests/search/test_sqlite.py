"""What only the embedded SQLite index promises: file layout, transactions, threads."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import elasticsearch
import pytest

from records import Record
from search import SearchQuery, open_index
from search.sqlite import IndexLayoutError, SqliteIndex, path_from_url
from tests.support.search import make_record


def test_urls(tmp_path: Path) -> None:
    assert path_from_url("sqlite:////abs/index.sqlite3") == Path("/abs/index.sqlite3")
    assert path_from_url("sqlite:///rel/index.sqlite3") == Path("rel/index.sqlite3")
    index = open_index(f"sqlite:///{tmp_path}/sub/dir/index.sqlite3")
    assert isinstance(index, SqliteIndex)
    assert (tmp_path / "sub" / "dir" / "index.sqlite3").is_file()
    index.close()
    with pytest.raises(ValueError):
        open_index("ftp://example/index")
    with pytest.raises(ValueError):
        open_index("sqlite:///")


def test_elasticsearch_url_picks_the_elastic_backend() -> None:
    # Opening checks that the index exists, so with nothing listening on the port the
    # Elasticsearch client itself reports the refused connection.
    with pytest.raises(elasticsearch.ConnectionError):
        open_index("http://127.0.0.1:9/sohoa-x")


def test_wal_mode_and_persistence(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'index.sqlite3'}"
    index = open_index(url)
    index.upsert(make_record("r1", name="NGUYỄN VĂN HÙNG"))
    index.close()
    mode = sqlite3.connect(tmp_path / "index.sqlite3").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"
    reopened = open_index(url)
    assert [h.id for h in reopened.search(SearchQuery(text="hung")).hits] == ["r1"]
    reopened.close()


def test_upsert_many_is_one_transaction(tmp_path: Path) -> None:
    index = open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    index.upsert(make_record("kept", text="trước"))

    def failing() -> Iterator[Record]:
        for i in range(2500):  # more than one internal chunk
            yield make_record(f"r{i}", text="giấy khai sinh")
        raise RuntimeError("storage went away mid-reindex")

    with pytest.raises(RuntimeError):
        index.upsert_many(failing())
    assert index.count() == 1
    assert index.search(SearchQuery(text="khai sinh")).total == 0
    assert index.upsert_many(make_record(f"r{i}", text="giấy khai sinh") for i in range(2500))
    assert index.search(SearchQuery(text="khai sinh", limit=0)).total == 2500
    index.close()


def test_layout_change_asks_for_a_reindex(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    index = open_index(f"sqlite:///{path}")
    index.upsert(make_record("r1", text="cũ"))
    index.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = 'schema=0;fold=0' WHERE key = 'layout'")
    stale = open_index(f"sqlite:///{path}")
    with pytest.raises(IndexLayoutError, match="reindex"):
        stale.search(SearchQuery(text="cũ"))
    stale.clear()
    assert stale.count() == 0
    stale.upsert(make_record("r2", text="mới"))
    assert [h.id for h in stale.search(SearchQuery(text="moi")).hits] == ["r2"]
    stale.close()


def test_fuzzy_vocabulary_is_rebuilt_with_the_index(tmp_path: Path) -> None:
    index = open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    index.upsert(make_record("slip", text="NGUYCN"))
    assert index.search(SearchQuery(text="nguyen", fuzzy=True)).total == 1
    index.clear()
    index.upsert(make_record("right", text="NGUYỄN"))
    assert [h.id for h in index.search(SearchQuery(text="nguyrn", fuzzy=True)).hits] == ["right"]
    index.close()


def test_threads_share_one_index(tmp_path: Path) -> None:
    index = open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    index.upsert_many(make_record(f"base{i}", text="giấy khai sinh") for i in range(50))
    errors: list[BaseException] = []
    totals: list[int] = []

    def writer(worker: int) -> None:
        try:
            for i in range(20):
                index.upsert(make_record(f"w{worker}-{i}", text="giấy chứng nhận kết hôn"))
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(30):
                totals.append(index.search(SearchQuery(text="khai sinh", limit=5)).total)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    threads += [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert set(totals) == {50}
    assert index.search(SearchQuery(text="ket hon", limit=0)).total == 60
    index.close()
