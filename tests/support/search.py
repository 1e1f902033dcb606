"""Building records for search tests, straight from the model (no OCR)."""

from __future__ import annotations

import hashlib
from typing import Any

from records import Record, Source, Status, Subject


def make_record(
    record_id: str,
    *,
    name: str | None = None,
    id_number: str | None = None,
    birth_date: str | None = None,
    subjects: list[Subject] | None = None,
    agency: str = "ubnd-phuong-1",
    status: Status = Status.READY,
    **fields: Any,
) -> Record:
    """A record with one subject (or ``subjects``) and any other Record fields."""
    people = subjects
    if people is None:
        people = (
            [Subject(name=name, id_number=id_number, birth_date=birth_date)]
            if (name or id_number)
            else []
        )
    digest = hashlib.sha256(record_id.encode()).hexdigest()
    return Record(
        id=record_id,
        agency=agency,
        source=Source(
            filename=f"{record_id}.pdf",
            sha256=digest,
            media_type="application/pdf",
            size=1000,
            pages=1,
        ),
        status=status,
        subjects=people,
        **fields,
    )
