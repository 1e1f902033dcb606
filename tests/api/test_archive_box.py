"""The archive box over HTTP: `GET /api/v1/search?box=` finds exactly that box's papers."""

from __future__ import annotations

from datetime import date

from api.tokens import Role
from records import ArchiveLocation
from tests.api.live import LiveServer
from tests.support.reuse import Person, make_record, months_before


def test_search_by_archive_box(live: LiveServer) -> None:
    today = date.today()
    boxed = [make_record("birth_certificate", Person("Lê Văn Hộp", "1991-01-02", None),
                         issued_on=months_before(today, 3), agency="ubnd-a", seed=f"box-{n}",
                         with_id=False)
             for n in range(3)]
    boxed[0].location = ArchiveLocation(store="K1", box="HOP-77")
    boxed[1].location = ArchiveLocation(box="HOP-77", folder="C-2")
    boxed[2].location = ArchiveLocation(box="HOP-770")
    live.seed(*boxed)
    with live.client(Role.ARCHIVIST) as client:
        hits = client.get("/api/v1/search", params={"box": "HOP-77", "limit": 100}).json()
    assert {h["id"] for h in hits["hits"]} == {boxed[0].id, boxed[1].id}
    assert {h["record"]["location"]["box"] for h in hits["hits"]} == {"HOP-77"}
