"""Record builders shared by the storage tests."""

from __future__ import annotations

from records.model import Files, Record, Source, Subject
from storage import archival_key, original_key, save_record, text_key
from storage.base import Store


def make_record(
    agency: str, record_id: str, version: int = 1, name: str = "Nguyễn Văn A"
) -> Record:
    return Record(
        id=record_id,
        agency=agency,
        source=Source(
            filename="giấy khai sinh.jpg", sha256="0" * 64, media_type="image/jpeg", size=10
        ),
        title="Giấy khai sinh",
        subjects=[Subject(name=name, id_number="001203004567")],
        files=Files(
            original=original_key(agency, record_id, ".jpg"),
            archival_pdf=archival_key(agency, record_id),
            text=text_key(agency, record_id),
        ),
        version=version,
        created_at="2024-05-01T08:00:00+00:00",
    )


def store_full_record(store: Store, agency: str, record_id: str) -> None:
    store.put(original_key(agency, record_id, ".jpg"), b"JPEG " + record_id.encode())
    store.put(archival_key(agency, record_id), b"%PDF-1.7 signed " + record_id.encode())
    store.put(text_key(agency, record_id), f"văn bản {record_id}".encode())
    save_record(store, make_record(agency, record_id))
