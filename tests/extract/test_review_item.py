"""``extract.review.ReviewItem`` says the shape of the review queue's items: its keys
are exactly those ``review_item`` writes, each value of its declared type, whether the
record comes as stored (``Record.to_dict``) or as indexed (``search.record_json``) (a
key added on one side only, or a value of another type, fails here)."""

from __future__ import annotations

import types
import typing
from typing import Any, get_args, get_origin, get_type_hints

from extract.review import ReviewItem, needs_review, review_item
from records.model import Record, Review, ReviewReason, Source, Status
from search.document import record_json


def _waiting(record_id: str, created_at: str, doc_type: str | None) -> Record:
    record = Record(id=record_id, agency="a",
                    source=Source(f"{record_id}.pdf", "0" * 64, "application/pdf", 10),
                    doc_type=doc_type, status=Status.NEEDS_REVIEW, created_at=created_at)
    record.review = Review([ReviewReason("low_confidence", "issued_on"),
                            ReviewReason("doc_type_unsure")])
    return record


def _fits(value: Any, hint: Any) -> bool:
    """``value`` is of the JSON type ``hint`` (str, int, an optional, a list of them)."""
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in get_args(hint))
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if hint is type(None):
        return value is None
    return type(value) is not bool and isinstance(value, hint)


def _mismatches(item: dict[str, Any]) -> list[str]:
    hints = get_type_hints(ReviewItem)
    out = [] if set(hints) == set(item) else [f"keys: {sorted(hints)} != {sorted(item)}"]
    return out + [f"{key}: {item[key]!r} is not {hint}" for key, hint in hints.items()
                  if key in item and not _fits(item[key], hint)]


def test_review_item_writes_the_shape_it_declares() -> None:
    for doc_type in ("birth_certificate", None):
        record = _waiting("r1", "2026-01-02T03:04:05+00:00", doc_type)
        for data in (record.to_dict(), record_json(record)):
            item = review_item(data, describe=str.upper)
            assert _mismatches(dict(item)) == []
            assert item["reasons"] == ["low_confidence:issued_on", "doc_type_unsure"]
            assert item["reasons_vi"] == ["LOW_CONFIDENCE:ISSUED_ON", "DOC_TYPE_UNSURE"]
            assert (item["id"], item["filename"], item["doc_type"]) == ("r1", "r1.pdf", doc_type)


def test_the_queue_is_made_of_review_items_oldest_first() -> None:
    newer, older = (_waiting("r2", "2026-02-01T00:00:00+00:00", None),
                    _waiting("r1", "2026-01-01T00:00:00+00:00", None))
    done = _waiting("r3", "2025-01-01T00:00:00+00:00", None)
    done.status = Status.READY
    data = [record_json(r) for r in (newer, done, older)]
    assert needs_review(data, describe=str.upper) == [
        review_item(data[2], describe=str.upper), review_item(data[0], describe=str.upper)]
