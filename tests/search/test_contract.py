"""The index contract, run against every backend (see conftest.py for which run)."""

from __future__ import annotations

import pytest

from records import ArchiveLocation, Status, Subject
from search import Index, SearchQuery
from tests.support.search import make_record


def ids_of(index: Index, **query: object) -> list[str]:
    return [hit.id for hit in index.search(SearchQuery(limit=100, **query)).hits]  # type: ignore[arg-type]


def test_upsert_get_count_delete_clear(index: Index) -> None:
    record = make_record("r1", name="NGUYỄN VĂN HÙNG", title="Giấy khai sinh", text="toàn văn")
    index.upsert(record)
    index.upsert_many([make_record("r2"), make_record("r3")])
    assert index.count() == 3
    stored = index.get("r1")
    assert stored is not None
    assert stored["subjects"][0]["name"] == "NGUYỄN VĂN HÙNG"
    assert "text" not in stored  # the JSON is kept without its full text
    assert index.get("missing") is None
    index.delete("r2")
    index.delete("missing")  # deleting what is not there is not an error
    assert index.count() == 2
    assert index.get("r2") is None
    index.clear()
    assert index.count() == 0
    assert ids_of(index) == []


def test_upsert_replaces_without_duplicates(index: Index) -> None:
    index.upsert(make_record("r1", title="Giấy khai sinh", text="bản cũ"))
    index.upsert(make_record("r1", title="Giấy khai sinh", text="bản mới"))
    index.upsert_many([make_record("r1", title="Giấy khai sinh", text="bản mới nhất")] * 2)
    assert index.count() == 1
    assert ids_of(index, text="giay khai sinh") == ["r1"]
    assert ids_of(index, text="cũ") == []  # the old text is gone from the index
    assert ids_of(index, text="nhất") == ["r1"]


def test_versions_lists_every_indexed_id_with_its_version(index: Index) -> None:
    corrected = make_record("r1", agency="a")
    corrected.version = 3
    index.upsert_many([corrected, make_record("r2", agency="a"), make_record("r3", agency="b")])
    index.upsert(make_record("r2", agency="a"))  # replacing keeps one entry
    assert sorted(index.versions()) == [("r1", 3), ("r2", 1), ("r3", 1)]
    assert sorted(index.versions("a")) == [("r1", 3), ("r2", 1)]
    assert list(index.versions("nobody")) == []


def test_folded_query_finds_text_with_diacritics(index: Index) -> None:
    index.upsert_many(
        [
            make_record("person", name="NGUYỄN VĂN HÙNG"),
            make_record("form", text="Tờ khai đăng ký kết hôn"),
            make_record("other", name="TRẦN THỊ MAI", text="giấy phép xây dựng"),
        ]
    )
    assert ids_of(index, text="nguyen van hung") == ["person"]
    assert ids_of(index, text="dang ky") == ["form"]
    assert ids_of(index, text="ĐĂNG KÝ") == ["form"]


def test_query_with_diacritics_ranks_exact_spelling_first(index: Index) -> None:
    # "hùng" is in more than half the records: a plain bm25 would all but ignore it.
    index.upsert_many(
        [
            make_record("plain", name="PHẠM HUNG"),
            make_record("tilde", name="PHẠM HŨNG"),
            make_record("exact-1", name="PHẠM HÙNG"),
            make_record("exact-2", name="LÊ HÙNG"),
            make_record("exact-3", name="ĐỖ HÙNG"),
        ]
    )
    found = ids_of(index, text="Hùng")
    assert len(found) == 5
    assert set(found[:3]) == {"exact-1", "exact-2", "exact-3"}
    assert set(found[3:]) == {"plain", "tilde"}
    assert set(ids_of(index, text="hung")) == set(found)


BOILERPLATE = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
    "Họ, chữ đệm, tên: {name} Số định danh cá nhân: 001090012345 Người ký: NGUYỄN VĂN AN"
)


def test_name_ranks_its_person_first_when_its_words_are_form_wording(index: Index) -> None:
    # "Đình"/"định danh"/"Ba Đình" and "Nghĩa"/"CHỦ NGHĨA" fold alike: every form holds
    # all three words of the name; these forms also name a "Nguyễn ... Nghĩa" and their
    # issuer is in Ba Đình. Many of them, newer than the person's record.
    index.upsert(
        make_record(
            "person",
            name="NGUYỄN ĐÌNH NGHĨA",
            issuer="UBND phường Bến Nghé, Quận 1",
            text=BOILERPLATE.format(name="NGUYỄN ĐÌNH NGHĨA") + " Ghi chú: bản sao." * 20,
        )
    )
    index.upsert_many(
        make_record(
            f"form{i}",
            name="NGUYỄN VĂN NGHĨA",
            issuer="UBND phường Phúc Xá, Quận Ba Đình",
            text=BOILERPLATE.format(name="NGUYỄN VĂN NGHĨA"),
        )
        for i in range(250)
    )
    for text in ("nguyen dinh nghia", "Nguyễn Đình Nghĩa", "NGHIA NGUYEN dinh"):
        result = index.search(SearchQuery(text=text, limit=5))
        assert result.total == 251
        assert result.hits[0].id == "person", text


def test_id_number_matches_exactly(index: Index) -> None:
    index.upsert_many(
        [
            make_record("id", name="A", id_number="001090012345"),
            make_record("longer", name="B", id_number="0010900123456"),
            make_record("prefix", name="C", id_number="00109001234"),
            make_record("in-text", text="CCCD số 001090012345 cấp ngày 01/01/2020"),
        ]
    )
    assert set(ids_of(index, text="001090012345")) == {"id", "in-text"}
    assert ids_of(index, text="0010900123456") == ["longer"]


def test_archive_box_by_filter_and_by_text(index: Index) -> None:
    index.upsert_many([
        make_record("h12", name="Lê Văn An", location=ArchiveLocation(store="K1", box="H-12")),
        make_record("h12b", name="Trần Thị Bình", location=ArchiveLocation(box="H-12")),
        make_record("h120", name="Lê Văn An", location=ArchiveLocation(box="H-120")),
        make_record("none", name="Lê Văn An"),
    ])
    assert set(ids_of(index, box="H-12")) == {"h12", "h12b"}  # the label exactly
    assert ids_of(index, box="H-12", text="Lê Văn An") == ["h12"]
    assert ids_of(index, box="H-99") == []
    assert "h12" in ids_of(index, text="H-12 K1")  # typed into the search box
    assert index.get("h12")["location"]["box"] == "H-12"  # type: ignore[index]


def test_document_number(index: Index) -> None:
    index.upsert_many(
        [
            make_record("d1", document_number="123/2023/QĐ-UBND"),
            make_record("d2", document_number="124/2023/QĐ-UBND"),
        ]
    )
    assert ids_of(index, text="123/2023/QĐ-UBND") == ["d1"]
    assert ids_of(index, text="123/2023/QD-UBND") == ["d1"]


def test_phrase(index: Index) -> None:
    index.upsert_many(
        [
            make_record("together", text="ông Nguyễn Văn Hùng cư trú tại"),
            make_record("apart", text="Hùng, con ông Văn"),
        ]
    )
    assert set(ids_of(index, text="van hung")) == {"together", "apart"}
    assert ids_of(index, text='"van hung"') == ["together"]
    assert ids_of(index, text='"Văn Hùng" cư') == ["together"]


def test_fuzzy_finds_ocr_slips_and_ranks_them_last(index: Index) -> None:
    index.upsert_many(
        [
            make_record("slip", text="Họ tên: NGUYCN THỊ LAN"),
            make_record("right", text="Họ tên: NGUYỄN THỊ LAN"),
        ]
    )
    assert ids_of(index, text="nguyen lan") == ["right"]
    assert ids_of(index, text="nguyen lan", fuzzy=True) == ["right", "slip"]
    # Numbers never match approximately: an ID one digit off is another person.
    index.upsert(make_record("id", name="X", id_number="001090012345"))
    assert ids_of(index, text="001090012346", fuzzy=True) == []


def _filter_corpus(index: Index) -> None:
    index.upsert_many(
        [
            make_record(
                "birth",
                name="LÊ VĂN AN",
                id_number="079090000001",
                doc_type="giay_khai_sinh",
                issuer="UBND phường Bến Nghé",
                issued_on="2020-03-01",
                text="giấy khai sinh",
            ),
            make_record(
                "marriage",
                name="LÊ VĂN AN",
                doc_type="giay_chung_nhan_ket_hon",
                issuer="UBND phường Bến Thành",
                issued_on="2022-07-15",
                agency="ubnd-phuong-2",
                text="giấy chứng nhận kết hôn",
            ),
            make_record(
                "shared",
                name="LÊ VĂN AN",
                doc_type="phieu_ly_lich_tu_phap",
                issuer="Sở Tư pháp",
                issued_on="2023-01-10",
                agency="so-tu-phap",
                shared=True,
                status=Status.NEEDS_REVIEW,
                text="phiếu lý lịch tư pháp",
            ),
        ]
    )


def test_each_filter(index: Index) -> None:
    _filter_corpus(index)
    assert set(ids_of(index, text="le van an")) == {"birth", "marriage", "shared"}
    assert ids_of(index, text="le van an", doc_type="giay_khai_sinh") == ["birth"]
    assert ids_of(index, text="an", issuer="UBND phường Bến Thành") == ["marriage"]
    assert ids_of(index, text="an", agency="ubnd-phuong-2") == ["marriage"]
    assert ids_of(index, text="an", status="needs_review") == ["shared"]
    assert ids_of(index, text="an", subject_id="079090000001") == ["birth"]
    # A person by full name, diacritics or not: their papers, not papers with the words.
    assert set(ids_of(index, subject_name="le van an")) == {"birth", "marriage", "shared"}
    assert ids_of(index, text="an", subject_name="Lê Văn An", agency="ubnd-phuong-1") == [
        "birth"
    ]
    assert ids_of(index, subject_name="Lê Văn") == []  # a full name, not a part of one
    assert set(ids_of(index, text="an", issued_from="2022-01-01")) == {"marriage", "shared"}
    assert ids_of(index, text="an", issued_to="2021-12-31") == ["birth"]
    assert ids_of(index, text="an", issued_from="2022-01-01", issued_to="2022-12-31") == [
        "marriage"
    ]
    # Filters alone, without text: newest paper first.
    assert ids_of(index, agency="ubnd-phuong-1") == ["birth"]
    assert ids_of(index) == ["shared", "marriage", "birth"]


def test_agency_restriction_with_shared_records(index: Index) -> None:
    _filter_corpus(index)
    assert set(ids_of(index, text="an", agencies=["ubnd-phuong-1"])) == {"birth", "shared"}
    assert ids_of(index, text="an", agencies=["ubnd-phuong-1"], include_shared=False) == ["birth"]
    assert ids_of(index, text="an", agencies=[]) == ["shared"]
    assert ids_of(index, text="an", agencies=[], include_shared=False) == []
    assert set(ids_of(index, agencies=["ubnd-phuong-1", "ubnd-phuong-2"])) == {
        "birth",
        "marriage",
        "shared",
    }


def test_facets_count_the_filtered_query(index: Index) -> None:
    _filter_corpus(index)
    result = index.search(SearchQuery(text="le van an", issued_from="2022-01-01", limit=1))
    assert result.total == 2
    assert not result.total_is_estimate
    assert len(result.hits) == 1
    assert result.facets["doc_type"] == {
        "giay_chung_nhan_ket_hon": 1,
        "phieu_ly_lich_tu_phap": 1,
    }
    assert result.facets["status"] == {"ready": 1, "needs_review": 1}
    assert result.facets["agency"] == {"ubnd-phuong-2": 1, "so-tu-phap": 1}
    assert result.facets["issuer"] == {"UBND phường Bến Thành": 1, "Sở Tư pháp": 1}


def test_snippets_mark_matches_and_escape_the_rest(index: Index) -> None:
    index.upsert(
        make_record(
            "r1",
            text='Công dân <script>alert("x")</script> & NGUYỄN VĂN HÙNG đăng ký thường trú',
        )
    )
    (hit,) = index.search(SearchQuery(text="hung")).hits
    assert hit.snippet is not None
    assert "<mark>HÙNG</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "&amp;" in hit.snippet
    without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks


def test_pagination(index: Index) -> None:
    index.upsert_many([make_record(f"r{i:02d}", text=f"giấy khai sinh số {i}") for i in range(25)])
    seen: list[str] = []
    for offset in (0, 10, 20):
        result = index.search(SearchQuery(text="khai sinh", limit=10, offset=offset))
        assert result.total == 25
        seen += [hit.id for hit in result.hits]
    assert len(seen) == 25
    assert len(set(seen)) == 25
    assert index.search(SearchQuery(text="khai sinh", limit=10, offset=30)).hits == []
    with pytest.raises(ValueError):
        index.search(SearchQuery(text="khai sinh", limit=-1))


@pytest.mark.parametrize(
    "text",
    [
        '"',
        'a" OR "b',
        "NEAR(a b)",
        "hùng*",
        "title:hùng",
        "-hùng",
        "AND OR NOT",
        "^hùng",
        "(((",
        "!!!",
        "'; DROP TABLE records; --",
        "{title}: x",
    ],
)
def test_query_syntax_is_never_interpreted(index: Index, text: str) -> None:
    index.upsert(make_record("r1", name="NGUYỄN VĂN HÙNG", text="and or not"))
    result = index.search(SearchQuery(text=text))
    assert result.total == len(result.hits)
    assert index.count() == 1


def test_records_for_subject_by_id(index: Index) -> None:
    index.upsert_many(
        [
            make_record(
                "birth",
                name="NGUYỄN VĂN HÙNG",
                id_number="001090012345",
                doc_type="giay_khai_sinh",
                issued_on="1990-05-10",
            ),
            make_record(
                "marriage",
                name="NGUYỄN VĂN HÙNG",
                id_number="001090012345",
                doc_type="giay_chung_nhan_ket_hon",
                issued_on="2018-01-01",
            ),
            make_record("other", name="NGUYỄN VĂN HÙNG", id_number="001090099999"),
        ]
    )
    found = index.records_for_subject(id_number="001090012345")
    assert [r["id"] for r in found] == ["marriage", "birth"]  # newest first
    assert "text" not in found[0]
    only = index.records_for_subject(id_number="001090012345", doc_types=["giay_khai_sinh"])
    assert [r["id"] for r in only] == ["birth"]
    assert index.records_for_subject(id_number="001090012346") == []


def test_records_for_subject_by_name_and_birth_date(index: Index) -> None:
    index.upsert_many(
        [
            make_record("no-id", name="NGUYỄN VĂN HÙNG", birth_date="1990-05-01"),
            make_record("other-day", name="NGUYỄN VĂN HÙNG", birth_date="1990-05-02"),
            make_record(
                "other-name",
                name="NGUYỄN VĂN HƯNG",
                birth_date="1990-05-01",
                subjects=[Subject(name="TRẦN VĂN HÙNG", birth_date="1990-05-01")],
            ),
            make_record(
                "other-id",
                name="NGUYỄN VĂN HÙNG",
                birth_date="1990-05-01",
                id_number="001090099999",
            ),
            make_record(
                "with-id",
                name="Nguyễn  Văn Hùng",
                birth_date="1990-05-01",
                id_number="001090012345",
            ),
        ]
    )
    by_name = index.records_for_subject(name="Nguyen Van Hung", birth_date="1990-05-01")
    assert {r["id"] for r in by_name} == {"no-id", "other-id", "with-id"}
    # With an ID too: a namesake with another ID is another person.
    both = index.records_for_subject(
        id_number="001090012345", name="Nguyen Van Hung", birth_date="1990-05-01"
    )
    assert {r["id"] for r in both} == {"no-id", "with-id"}
    with pytest.raises(ValueError):
        index.records_for_subject(name="Nguyen Van Hung")
