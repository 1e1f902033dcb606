"""A field's region on the record: through the record's JSON with its ``estimated`` flag
(a region placed from the form's layout, its label not found), and records written
before the flag read as found regions."""

from __future__ import annotations

import json

from records import FieldRegion, Record, Source


def _record(regions: list[FieldRegion]) -> Record:
    return Record(id="r1", agency="a",
                  source=Source("a.pdf", "0" * 64, "application/pdf", 10, pages=1),
                  regions=regions)


def test_the_estimated_flag_goes_through_the_records_json() -> None:
    found = FieldRegion("subjects[0].name", 1, (10, 20, 300, 60), (1654, 2339))
    placed = FieldRegion("subjects[0].birth_date", 1, (100, 300, 1200, 700), (1654, 2339),
                         estimated=True)
    data = json.loads(json.dumps(_record([found, placed]).to_dict()))
    assert [r["estimated"] for r in data["regions"]] == [False, True]
    back = Record.from_dict(data).regions
    assert back == [found, placed] and back[1].estimated and not back[0].estimated
    assert FieldRegion.from_dict(placed.to_dict()) == placed


def test_a_region_written_before_the_flag_reads_as_found() -> None:
    data = json.loads(json.dumps(_record([]).to_dict()))
    data["regions"] = [{"path": "document_number", "page": 1, "box": [1, 2, 3, 4],
                        "page_size": [100, 200]}]
    (region,) = Record.from_dict(data).regions
    assert region == FieldRegion("document_number", 1, (1, 2, 3, 4), (100, 200))
    assert region.estimated is False
