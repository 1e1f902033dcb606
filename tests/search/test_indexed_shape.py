"""``search.IndexedRecord`` says the shape of what an index returns: its keys, nested
ones included, are exactly those ``record_json`` writes for a record that fills every
part (a ``Record`` field added without its place in the type fails here)."""

from __future__ import annotations

import types
import typing
from typing import Any, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from records.model import (
    ArchiveLocation,
    Correction,
    Doubts,
    FieldRegion,
    Files,
    OcrInfo,
    OcrPage,
    Record,
    Review,
    ReviewReason,
    SignatureInfo,
    Source,
    StackRef,
    StageEvent,
    Subject,
)
from search.document import IndexedRecord, as_indexed, record_json


def _full_record() -> Record:
    return Record(
        id="r1", agency="a",
        source=Source("a.pdf", "0" * 64, "application/pdf", 10, pages=2,
                      part_of=StackRef("stack.pdf", "1" * 64, 1, 2, unsure=[2])),
        subjects=[Subject("Lê Thị Lụa", "001190000001", "1990-01-02", "vợ", "nữ")],
        fields={"residence": "Hà Tĩnh"},
        doubts=Doubts(["0123"], ["1990-13-01"], {"subjects[0].name": ["Lụa", "Lúa"]},
                      ["UBND xã A"]),
        text="toàn văn",
        ocr=OcrInfo("tesseract", "vie", 91.0, [OcrPage(1, 91.0)]),
        signature=SignatureInfo("PAdES-B-LT", "UBND", "2026-01-01T00:00:00+00:00"),
        files=Files("o", "p", "t"),
        review=Review([ReviewReason("low_confidence", "title")],
                      [Correction("title", "A", "B", "can-bo", "2026-01-01")], "can-bo",
                      "2026-01-02"),
        location=ArchiveLocation("K1", "G2", "H-12", "C3", 4),
        stages=[StageEvent("ocr", "2026-01-01T00:00:00+00:00", {"pages": 2})],
        regions=[FieldRegion("subjects[0].name", 1, (1, 2, 3, 4), (100, 200))],
    )


def _typed_dicts(hint: Any) -> list[Any]:
    """The TypedDicts inside a field's type: itself, a list's items, an optional's."""
    if is_typeddict(hint):
        return [hint]
    if get_origin(hint) in (list, typing.Union, types.UnionType):
        return [t for arg in get_args(hint) for t in _typed_dicts(arg)]
    return []


def _mismatches(shape: Any, value: Any, where: str) -> list[str]:
    hints = get_type_hints(shape)
    out = [] if set(hints) == set(value) else [f"{where}: {sorted(hints)} != {sorted(value)}"]
    for key, hint in hints.items():
        nested = _typed_dicts(hint)
        items = value.get(key)
        for item in items if isinstance(items, list) else [items]:
            if nested and item is not None:
                out += _mismatches(nested[0], item, f"{where}.{key}")
    return out


def test_indexed_record_has_the_keys_record_json_writes() -> None:
    data = record_json(_full_record())
    assert _mismatches(IndexedRecord, data, "record") == []
    assert "text" not in data and data["status"] == "ready"


def test_a_stored_document_is_taken_only_as_an_object_with_an_id() -> None:
    assert as_indexed({"id": "r1"})["id"] == "r1"
    not_records: tuple[object, ...] = ([], {"agency": "a"}, None)
    for bad in not_records:
        with pytest.raises(ValueError):
            as_indexed(bad)
