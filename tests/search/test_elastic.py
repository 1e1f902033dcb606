"""The Elasticsearch request bodies, checked without a server (none runs here)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from records import Subject
from search import SearchQuery
from search.elastic import (
    DEFAULT_INDEX,
    TOTAL_CAP,
    build_document,
    build_mapping,
    build_query,
    build_subject_query,
    parse_response,
    parse_url,
)
from tests.support.search import make_record


def _filters(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["query"]["bool"]["filter"])


def test_mapping_needs_no_plugin_and_folds_d_bar() -> None:
    mapping = build_mapping()
    text = json.dumps(mapping)
    assert "icu" not in text
    analysis = mapping["settings"]["analysis"]
    folded = analysis["analyzer"]["vi_folded"]
    assert folded["filter"] == ["lowercase", "asciifolding"]
    assert folded["char_filter"] == ["vi_d"]
    assert {"đ => d", "Đ => D"} <= set(analysis["char_filter"]["vi_d"]["mappings"])
    assert analysis["analyzer"]["vi_exact"]["filter"] == ["lowercase"]
    props = mapping["mappings"]["properties"]
    for name in ("title", "issuer", "names", "ids", "body"):
        assert props[name]["analyzer"] == "vi_exact"
        assert props[name]["fields"]["folded"]["analyzer"] == "vi_folded"
    for name in ("id", "agency", "doc_type", "status"):
        assert props[name]["type"] == "keyword"
    assert props["issuer"]["fields"]["keyword"]["type"] == "keyword"
    assert props["issued_on"]["type"] == "date"
    assert props["subjects"]["type"] == "nested"
    assert props["record"]["enabled"] is False


def test_document_carries_search_fields_and_record() -> None:
    record = make_record(
        "r1",
        name="Nguyễn  Văn Hùng",
        id_number="001 090 012 345",
        birth_date="1990-05-01",
        document_number="12/2020",
        text="toàn văn",
    )
    doc = build_document(record)
    assert doc["subjects"] == [
        {
            "id_number": "001090012345",
            "name_folded": "nguyen van hung",
            "birth_date": "1990-05-01",
            "role": None,
        }
    ]
    assert doc["ids"] == "001090012345 12/2020"
    assert doc["body"] == "toàn văn"
    assert "text" not in doc["record"]
    assert doc["record"]["id"] == "r1"


def test_text_query_folded_match_with_exact_boost() -> None:
    body = build_query(SearchQuery(text='Hùng "văn an" 123/QĐ nguyen', fuzzy=True))
    must = body["query"]["bool"]["must"]
    should = body["query"]["bool"]["should"]
    assert [m["multi_match"]["query"] for m in must] == ["Hùng", "văn an", "123/QĐ", "nguyen"]
    assert all(f.split("^")[0].endswith(".folded") for f in must[0]["multi_match"]["fields"])
    assert must[0]["multi_match"]["fuzziness"] == "AUTO"
    assert must[1]["multi_match"]["type"] == "phrase"
    assert "fuzziness" not in must[1]["multi_match"]
    assert must[2]["multi_match"]["type"] == "phrase"  # several tokens: kept together
    # Only words typed with diacritics get the exact-spelling boost.
    assert [s["multi_match"]["query"] for s in should] == ["Hùng", "văn an", "123/QĐ"]
    assert should[0]["multi_match"]["boost"] == 3.0
    assert "title^2" in should[0]["multi_match"]["fields"]
    assert "fuzziness" not in should[0]["multi_match"]
    assert body["sort"][0] == "_score"
    highlight = body["highlight"]
    assert highlight["pre_tags"] == ["<mark>"] and highlight["encoder"] == "html"
    assert "body.folded" in highlight["fields"]


def test_no_fuzziness_unless_asked() -> None:
    body = build_query(SearchQuery(text="nguyen"))
    assert "fuzziness" not in body["query"]["bool"]["must"][0]["multi_match"]


def test_filters_and_facets() -> None:
    body = build_query(
        SearchQuery(
            text="an",
            doc_type="giay_khai_sinh",
            issuer="UBND phường 1",
            agency="a1",
            status="ready",
            subject_id="079090000001",
            issued_from="2020-01-01",
            issued_to="2020-12-31",
            agencies=["a1", "a2"],
            limit=20,
            offset=40,
        )
    )
    filters = _filters(body)
    assert {"term": {"doc_type": "giay_khai_sinh"}} in filters
    assert {"term": {"issuer.keyword": "UBND phường 1"}} in filters
    assert {"term": {"agency": "a1"}} in filters
    assert {"term": {"status": "ready"}} in filters
    assert {"range": {"issued_on": {"gte": "2020-01-01", "lte": "2020-12-31"}}} in filters
    assert {
        "nested": {"path": "subjects", "query": {"term": {"subjects.id_number": "079090000001"}}}
    } in filters
    assert {
        "bool": {
            "should": [{"terms": {"agency": ["a1", "a2"]}}, {"term": {"shared": True}}],
            "minimum_should_match": 1,
        }
    } in filters
    assert (body["from"], body["size"], body["track_total_hits"]) == (40, 20, TOTAL_CAP)
    assert body["aggs"]["issuer"] == {"terms": {"field": "issuer.keyword", "size": 100}}
    assert set(body["aggs"]) == {"doc_type", "issuer", "status", "agency"}


@pytest.mark.parametrize(
    ("agencies", "include_shared", "expected"),
    [
        ([], True, {"bool": {"should": [{"term": {"shared": True}}], "minimum_should_match": 1}}),
        ([], False, {"match_none": {}}),
        (
            ["a1"],
            False,
            {"bool": {"should": [{"terms": {"agency": ["a1"]}}], "minimum_should_match": 1}},
        ),
    ],
)
def test_agency_restriction(
    agencies: list[str], include_shared: bool, expected: dict[str, Any]
) -> None:
    body = build_query(SearchQuery(agencies=agencies, include_shared=include_shared))
    assert _filters(body) == [expected]


def test_browse_without_text_sorts_newest_first() -> None:
    body = build_query(SearchQuery(doc_type="x"))
    assert body["query"] == {"bool": {"filter": [{"term": {"doc_type": "x"}}]}}
    assert body["sort"][0] == {"issued_on": {"order": "desc", "missing": "_last"}}
    assert "highlight" not in body


def test_unsearchable_text_matches_nothing() -> None:
    assert build_query(SearchQuery(text="!!! --"))["query"] == {"match_none": {}}


def test_subject_query() -> None:
    body = build_subject_query(
        id_number="001090012345",
        name="Nguyễn Văn Hùng",
        birth_date="1990-05-01",
        doc_types=["giay_khai_sinh"],
    )
    nested, doc_types = _filters(body)
    ways = nested["nested"]["query"]["bool"]["should"]
    assert ways[0] == {"term": {"subjects.id_number": "001090012345"}}
    same_person = ways[1]["bool"]["filter"]
    assert {"term": {"subjects.name_folded": "nguyen van hung"}} in same_person
    assert {"term": {"subjects.birth_date": "1990-05-01"}} in same_person
    assert doc_types == {"terms": {"doc_type": ["giay_khai_sinh"]}}
    with pytest.raises(ValueError):
        build_subject_query(id_number=None, name="A", birth_date=None, doc_types=None)


def test_parse_url() -> None:
    assert parse_url("http://localhost:9200") == ("http://localhost:9200", DEFAULT_INDEX)
    assert parse_url("https://u:p@es.local:9200/records-v2/") == (
        "https://u:p@es.local:9200",
        "records-v2",
    )
    with pytest.raises(ValueError):
        parse_url("http://localhost:9200/a/b")


def test_document_for_record_without_subjects() -> None:
    doc = build_document(make_record("r2", subjects=[Subject(name=None, role="owner")]))
    assert doc["names"] == ""
    assert doc["subjects"][0]["name_folded"] is None


def _response(total: dict[str, Any]) -> dict[str, Any]:
    hit = {
        "_id": "r1",
        "_score": 2.5,
        "_source": {"record": {"id": "r1"}},
        "highlight": {"names.folded": ["<mark>HÙNG</mark>"]},
    }
    buckets = {"buckets": [{"key": "giay_khai_sinh", "doc_count": 7}]}
    return {"hits": {"total": total, "hits": [hit]}, "aggregations": {"doc_type": buckets}}


def test_response_counted_exactly() -> None:
    result = parse_response(_response({"value": 7, "relation": "eq"}))
    assert (result.total, result.total_is_estimate) == (7, False)
    (hit,) = result.hits
    assert (hit.id, hit.score, hit.record, hit.snippet) == (
        "r1",
        2.5,
        {"id": "r1"},
        "<mark>HÙNG</mark>",
    )
    assert result.facets["doc_type"] == {"giay_khai_sinh": 7}
    assert result.facets["agency"] == {}


def test_total_past_the_cap_is_a_flagged_lower_bound() -> None:
    # track_total_hits stops counting at the cap and says so with relation "gte".
    result = parse_response(_response({"value": TOTAL_CAP, "relation": "gte"}))
    assert (result.total, result.total_is_estimate) == (TOTAL_CAP, True)
