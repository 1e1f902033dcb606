"""A deployment's own catalogs (SOHOA_RESULT_TYPES, SOHOA_PROCEDURES) govern the API and
the screens exactly as they govern the CLI: corrections, the reuse lookup, the names
shown for document types."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from api.auth import COOKIE_NAME
from api.tokens import Role
from records import Status
from records.result_types import DEFAULT_CATALOG
from tests.api.conftest import BINH
from tests.api.live import LiveServer, running_server
from tests.support.reuse import make_record, months_before

LOCAL_TYPE = "xac_nhan_rieng_cua_phuong"
LOCAL_TYPE_NAME = "Giấy xác nhận riêng của phường"
LOCAL_PROCEDURE = "9.900001"
ROLE = "người được cấp"


def _result_types(path: Path) -> Path:
    """The shipped result types plus one of the agency's own."""
    catalog = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    local = dict(catalog["result_types"][0], code=LOCAL_TYPE, name=LOCAL_TYPE_NAME,
                 titles=["Giấy xác nhận riêng"], default_role=ROLE)
    catalog["result_types"].append(local)
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    return path


def _procedures(path: Path) -> Path:
    """One procedure of the agency's own, asking for its own result type."""
    catalog = {"procedures": [{
        "code": LOCAL_PROCEDURE, "name": "Thủ tục riêng của phường", "domain": "Thử nghiệm",
        "components": [{
            "code": "XN_RIENG", "name": LOCAL_TYPE_NAME, "required": True,
            "result_types": [LOCAL_TYPE], "max_age_months": 12, "subject_roles": [ROLE],
        }],
    }]}
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("agency-catalogs")
    with running_server(
        root / "data",
        SOHOA_RESULT_TYPES=str(_result_types(root / "result_types.json")),
        SOHOA_PROCEDURES=str(_procedures(root / "procedures.json")),
    ) as server:
        yield server


def test_a_correction_accepts_the_agencys_own_result_type(live: LiveServer) -> None:
    (record,) = live.seed(make_record(
        "birth_certificate", BINH, issued_on=months_before(date.today(), 12),
        agency="ubnd-a", status=Status.NEEDS_REVIEW, seed="local-type",
    ))
    with live.client(Role.ARCHIVIST) as client:
        answer = client.post(f"/api/v1/records/{record.id}/corrections",
                             json={"set": {"doc_type": LOCAL_TYPE}})
        unknown = client.post(f"/api/v1/records/{record.id}/corrections",
                              json={"set": {"doc_type": "not_in_any_catalog"}})

    assert answer.status_code == 200, answer.text
    assert answer.json()["doc_type"] == LOCAL_TYPE
    assert answer.json()["version"] == record.version + 1
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "invalid_correction"


def test_the_portal_looks_up_the_agencys_own_procedure(live: LiveServer) -> None:
    (paper,) = live.seed(make_record(
        LOCAL_TYPE, BINH, issued_on=months_before(date.today(), 3), role=ROLE,
        agency="ubnd-a", seed="local-paper",
    ))
    with live.client(Role.PORTAL) as client:
        answer = client.get("/api/v1/reuse/lookup", params={
            "procedure": LOCAL_PROCEDURE, "subject": BINH.id_number,
            "name": BINH.name, "birth_date": BINH.birth_date,
        })

    assert answer.status_code == 200, answer.text
    (component,) = answer.json()["components"]
    assert component["code"] == "XN_RIENG"
    assert [c["id"] for c in component["candidates"]] == [paper.id]


def test_screens_name_the_agencys_own_result_type(live: LiveServer) -> None:
    live.seed(make_record(
        LOCAL_TYPE, BINH, issued_on=months_before(date.today(), 3), role=ROLE,
        agency="ubnd-a", seed="local-screen",
    ))
    with httpx.Client(base_url=live.base_url, timeout=60) as browser:
        browser.post("/login", data={"token": live.token(Role.OFFICER)})
        assert COOKIE_NAME in browser.cookies
        page = browser.get("/search", params={"doc_type": LOCAL_TYPE})

    assert page.status_code == 200
    assert LOCAL_TYPE_NAME in page.text
