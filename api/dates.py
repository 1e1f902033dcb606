"""Dates the API takes from a person or the portal: ISO 8601 (``1954-09-04``, as the
guide documents) or ``dd/mm/yyyy`` (``04/09/1954``, as Vietnamese papers and forms write
them). Either is read by ``records.vntime.parse_person_date``; anything else answers 422
naming the expected format, not a parser's "invalid character in year"."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from records.vntime import parse_person_date

EXPECTED = "expected YYYY-MM-DD (ISO 8601), or dd/mm/yyyy"


def _person_date(value: Any) -> Any:
    if value is None or isinstance(value, date) or not isinstance(value, str):
        return value  # None, a date already, or a type pydantic itself refuses
    try:
        return parse_person_date(value)
    except ValueError:
        raise ValueError(f"invalid date {value!r}: {EXPECTED}, e.g. 1954-09-04 or "
                         "04/09/1954") from None


PersonDate = Annotated[
    date,
    BeforeValidator(_person_date),
    WithJsonSchema({"type": "string", "format": "date",
                    "description": "YYYY-MM-DD (ISO 8601); dd/mm/yyyy is also accepted"}),
]
