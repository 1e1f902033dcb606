"""Folding, query parsing, fuzzy matching, snippets and the stored JSON: the pieces every
backend shares."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from records import Correction, Review, ReviewReason, StageEvent
from records.folding import edit_distance, fold_aligned, has_diacritics, nfc
from search import fold, fold_name
from search.document import record_json
from search.fuzzy import delete_keys, within_one_edit
from search.query import parse_text
from search.snippets import highlight
from tests.support.search import make_record

VIETNAMESE = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợ"
    'úùủũụứừửữựýỳỷỹỵĐĂÂÊÔƠƯÁÀẢÃẠ 0123456789-/<>&"',
    max_size=40,
)


def test_fold_strips_vietnamese_marks_and_d_bar() -> None:
    assert fold("NGUYỄN VĂN HÙNG") == "nguyen van hung"
    assert fold("đăng ký") == "dang ky"
    assert fold("ĐƯỜNG Đỗ Đức Dục") == "duong do duc duc"
    assert fold("Giấy chứng nhận quyền sử dụng đất") == "giay chung nhan quyen su dung dat"
    # Tone marks typed as combining characters fold the same as precomposed letters.
    assert fold(unicodedata.normalize("NFD", "Hùng Đạt")) == "hung dat"


def test_fold_name_is_single_spaced() -> None:
    assert fold_name("  Nguyễn   Văn\tHùng ") == "nguyen van hung"


def test_has_diacritics() -> None:
    assert has_diacritics("Hùng")
    assert has_diacritics("Dang Đ")
    assert not has_diacritics("NGUYEN van")


@given(VIETNAMESE)
def test_fold_is_idempotent_and_ascii_for_vietnamese(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once.isascii()


@given(VIETNAMESE)
def test_fold_aligned_keeps_positions(text: str) -> None:
    composed = nfc(text)
    aligned = fold_aligned(composed)
    assert len(aligned) == len(composed)
    assert aligned == fold(composed)


def test_parse_text_words_and_phrases() -> None:
    clauses = parse_text('nguyễn "văn hùng" 123/QĐ !!! "unclosed')
    assert [(c.text, c.phrase) for c in clauses] == [
        ("nguyễn", False),
        ("văn hùng", True),
        ("123/QĐ", False),
        ("unclosed", True),
    ]
    assert clauses[0].marked
    assert clauses[2].folded_tokens == ["123", "qd"]
    assert parse_text('!!! "" -') == []


def _osa(a: str, b: str) -> int:
    """Reference optimal-string-alignment distance (full dynamic programme)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@given(st.text(alphabet="abcn", max_size=7), st.text(alphabet="abcn", max_size=7))
def test_within_one_edit_matches_reference(a: str, b: str) -> None:
    assert within_one_edit(a, b) == (_osa(a, b) <= 1)


@given(st.text(alphabet="abcn", min_size=1, max_size=7), st.text(alphabet="abcn", max_size=7))
def test_delete_keys_find_every_word_within_one_edit(a: str, b: str) -> None:
    if _osa(a, b) <= 1:
        assert delete_keys(a) & delete_keys(b)


def test_highlight_marks_folded_matches_in_original_text() -> None:
    snippet = highlight("Ông NGUYỄN VĂN HÙNG <b>&</b> đăng ký", [["hung"], ["dang", "ky"]])
    assert (
        snippet == "Ông NGUYỄN VĂN <mark>HÙNG</mark> &lt;b&gt;&amp;&lt;/b&gt; <mark>đăng ký</mark>"
    )
    assert highlight("HÙNGS", [["hung"]]) is None  # whole words only


def test_highlight_cuts_long_text_around_the_match() -> None:
    text = "mở đầu " * 100 + "NGUYỄN VĂN HÙNG" + " kết thúc" * 100
    snippet = highlight(text, [["nguyen", "van", "hung"]])
    assert snippet is not None
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>NGUYỄN VĂN HÙNG</mark>" in snippet
    assert len(snippet) < 260


def test_record_json_is_to_dict_without_text() -> None:
    record = make_record(
        "r1",
        name="NGUYỄN VĂN HÙNG",
        text="toàn văn",
        fields={"nested": {"a": [1, {"b": None}]}, "tuple": (1, 2)},
        review=Review(
            reasons=[ReviewReason("low_confidence")],
            corrections=[Correction("name", "A", "B", "officer", "2025-01-01")],
        ),
        stages=[StageEvent("ocr", "2025-01-01T00:00:00+00:00", {"pages": 2})],
    )
    expected = record.to_dict()
    del expected["text"]
    assert record_json(record) == expected
    assert json.loads(json.dumps(record_json(record))) == json.loads(json.dumps(expected))


def test_edit_distance_counts_letters_changed_missing_or_added() -> None:
    assert edit_distance("CONG", "CONG") == 0
    assert edit_distance("ONG", "CONG") == 1  # missing
    assert edit_distance("LONG", "CONG") == 1  # changed
    assert edit_distance("CONGG", "CONG") == 1  # added
    assert edit_distance("nơisinh", "noisinh") == 1
    assert edit_distance("", "HOA") == 3
    assert edit_distance("kitten", "sitting") == 3
