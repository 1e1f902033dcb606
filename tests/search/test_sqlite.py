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
from search.sqlite import RESCORE_WINDOW, IndexLayoutError, SqliteIndex, path_from_url
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
    assert index.count() == 2501
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


def test_totals_past_the_cap_are_flagged_lower_bounds(tmp_path: Path) -> None:
    index = SqliteIndex(f"sqlite:///{tmp_path / 'index.sqlite3'}", total_cap=5)
    index.upsert_many(
        make_record(f"r{i:02d}", agency=f"a{i % 2}", text=f"giấy khai sinh số {i}")
        for i in range(12)
    )
    broad = index.search(SearchQuery(text="khai sinh", limit=20))
    assert (broad.total, broad.total_is_estimate) == (5, True)
    assert sum(broad.facets["agency"].values()) == 5  # counted over the same 5 matches
    assert len(broad.hits) == 12  # only counting stops early, never the hits
    narrow = index.search(SearchQuery(text="khai sinh 7"))
    assert (narrow.total, narrow.total_is_estimate, [h.id for h in narrow.hits]) == (
        1,
        False,
        ["r07"],
    )
    # A filter on a broad text counts among the first matches of the text only.
    filtered = index.search(SearchQuery(text="khai sinh", agency="a1", limit=20))
    assert filtered.total_is_estimate
    assert 0 < filtered.total <= 5
    assert len(filtered.hits) == 6
    browse = index.search(SearchQuery(agency="a0"))
    assert (browse.total, browse.total_is_estimate) == (5, True)
    index.close()


@pytest.mark.parametrize("text", ["pham hung", "Phạm Hùng"])  # unmarked / re-ranked blocks
def test_names_and_ids_rank_before_full_text_and_pages_never_overlap(
    tmp_path: Path, text: str
) -> None:
    index = SqliteIndex(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    mentions = RESCORE_WINDOW + 30  # more than one block of the full-text tier
    index.upsert_many(
        make_record(f"m{i:03d}", name="LÊ VĂN AN", text="người làm chứng: Phạm Hùng")
        for i in range(mentions)
    )
    index.upsert_many(make_record(f"n{i}", name="PHẠM HÙNG") for i in range(3))
    seen: list[str] = []
    for offset in range(0, mentions + 3, 7):
        result = index.search(SearchQuery(text=text, limit=7, offset=offset))
        assert result.total == mentions + 3
        seen += [hit.id for hit in result.hits]
    assert sorted(seen[:3]) == ["n0", "n1", "n2"]
    assert len(seen) == len(set(seen)) == mentions + 3
    # Full-text mentions come newest indexed first.
    assert seen[3:6] == [f"m{i:03d}" for i in range(mentions - 1, mentions - 4, -1)]
    index.close()


def test_total_of_form_wording_alone_counts_the_newest_records(tmp_path: Path) -> None:
    # Words on every form ("cộng hòa", "định danh") make FTS read the whole corpus'
    # word lists however few records match together: past count_window records only
    # the newest are counted, and the total says it is a lower bound.
    index = SqliteIndex(f"sqlite:///{tmp_path / 'index.sqlite3'}", count_window=20)
    form = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Số định danh cá nhân: {}"
    index.upsert(make_record("old", name="ĐINH VĂN DANH", text=form.format("001")))
    index.upsert_many(make_record(f"r{i}", text=form.format(f"{i:03d}")) for i in range(60))
    wording = index.search(SearchQuery(text="cong hoa dinh danh", limit=5))
    assert wording.total_is_estimate
    assert 20 <= wording.total < 61
    everything = index.search(SearchQuery(text="cong hoa dinh danh", limit=100))
    assert everything.total == len(everything.hits) == 61  # never fewer than the hits seen
    person = index.search(SearchQuery(text="Đinh Danh", limit=5))
    assert person.total_is_estimate
    assert person.hits[0].id == "old"  # named so: first, though oldest
    rare = index.search(SearchQuery(text="dinh danh 001", limit=100))
    assert (rare.total, rare.total_is_estimate) == (2, False)  # "001" is not form wording
    small = SqliteIndex(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    assert small.search(SearchQuery(text="cong hoa", limit=0)).total == 61
    small.close()
    index.close()


def test_a_name_is_marked_where_it_stands_not_each_word_everywhere() -> None:
    from search.sqlite import _snippet

    body = "Họ tên: Vũ Hữu Thắng. Sinh ngày 04 tháng 09 năm 1954."
    texts = ("Giấy khai sinh", "", "Vũ Hữu Thắng", "", body)
    words = [["vu"], ["huu"], ["thang"]]
    assert _snippet(texts, words, ["vu", "huu", "thang"]) == (
        "Họ tên: <mark>Vũ Hữu Thắng</mark>. Sinh ngày 04 tháng 09 năm 1954."
    )
    # Words that never stand together are each marked, as before.
    apart = "Nghĩa vụ hữu quan. Ngày 30 tháng 6."
    marked = _snippet(("", "", "Phạm Thị Lan", "", apart), words, ["vu", "huu", "thang"])
    assert marked is not None and marked.count("<mark>") == 3
