"""Doc type from the body when the title was lost: decided only on clear evidence."""

from __future__ import annotations

import pytest

from extract.classify import classify
from extract.lines import lines_from_text
from records.result_types import ResultType
from specimens import DOC_TYPES, generate


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_top_of_page_lost_never_gives_another_type(
    doc_type: str, catalog: dict[str, ResultType]
) -> None:
    for seed in (1, 2, 3):
        lines = lines_from_text([generate(doc_type, seed).text])
        where = classify(lines, catalog).title_lines
        assert where is not None
        body = lines[where[1] :]  # the header and the title gone, as under a fold
        got = classify(body, catalog)
        assert got.doc_type == doc_type


def test_criminal_record_without_title_read_from_its_body(
    catalog: dict[str, ResultType],
) -> None:
    body = [
        "Họ và tên: NGUYỄN VĂN AN",
        "Ngày, tháng, năm sinh: 02/03/1990 Nơi sinh: Hà Nội",
        "Án tích: Không có án tích.",
        "Tình trạng thi hành án: Không",
        "Thông tin về cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp: Không",
    ]
    got = classify(lines_from_text(["\n".join(body)]), catalog)
    assert got.doc_type == "criminal_record_certificate"
    assert got.title is None
    assert 0.5 <= got.confidence < 1.0  # the body is never as sure as a title


def test_one_body_phrase_is_not_enough(catalog: dict[str, ResultType]) -> None:
    body = ["Họ và tên: NGUYỄN VĂN AN", "Án tích: Không có", "Ghi chú: không"]
    assert classify(lines_from_text(["\n".join(body)]), catalog).doc_type is None


def test_two_types_in_the_body_stay_unsure(catalog: dict[str, ResultType]) -> None:
    # Each half alone would decide (see above); together no type stands out.
    body = [
        "Án tích: Không có án tích.",
        "Thông tin về cấm đảm nhiệm chức vụ: Không",
        "Nơi chết: Bệnh viện Bạch Mai",
        "Nguyên nhân chết: bệnh",
    ]
    assert classify(lines_from_text(["\n".join(body)]), catalog).doc_type is None
    assert classify(lines_from_text(["\n".join(body[:2])]), catalog).doc_type is not None


def test_marriage_table_without_title(catalog: dict[str, ResultType]) -> None:
    # The table layout prints no "tên chồng": its header row "Thông tin | Chồng | Vợ".
    body = [
        "Thông tin",
        "Chồng",
        "Vợ",
        "Họ, chữ đệm, tên",
        "LÊ ĐÌNH ƯỚC",
        "TRẦN HẢI LAN",
        "Nơi đăng ký: Ủy ban nhân dân xã Đức Hòa, tỉnh Tây Ninh",
    ]
    got = classify(lines_from_text(["\n".join(body)]), catalog)
    assert got.doc_type == "marriage_certificate"
    # Without the header row only "chồng" and "vợ" are left: not enough.
    del body[0]
    assert classify(lines_from_text(["\n".join(body)]), catalog).doc_type is None


def test_phrase_another_type_cites_does_not_decide(catalog: dict[str, ResultType]) -> None:
    # A marital status certificate whose title and status label were lost: "kết hôn" is
    # a marriage certificate's word, but marital status papers cite it too.
    body = [
        "Đã đăng ký kết hôn, nhưng đã ly hôn theo Bản án số 12/2019",
        "với chồng là ông LÊ VĂN BÌNH; người vợ: TRẦN THỊ HOA",
    ]
    assert classify(lines_from_text(["\n".join(body)]), catalog).doc_type is None
