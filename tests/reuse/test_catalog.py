"""The procedure catalog: shipped content, validation on load, agency extension."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from records.procedures import load_procedures
from records.result_types import CatalogError, load_result_types, parse_result_types


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "agency-procedures.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _procedure(code: str = "1.999001", **component: Any) -> dict[str, Any]:
    base = {
        "code": "GT",
        "name": "Giấy tờ",
        "required": True,
        "result_types": ["birth_certificate"],
    }
    return {"code": code, "name": "Thủ tục thử", "components": [{**base, **component}]}


def test_shipped_catalog_covers_every_result_type() -> None:
    catalog = load_procedures()
    assert len(catalog) >= 8
    used = {t for p in catalog.values() for t in p.result_types()}
    assert used == set(load_result_types())
    for code in ("1.000894", "1.001193", "1.001612", "1.004222"):
        assert code in catalog


def test_marriage_registration_accepts_a_fresh_marital_status_certificate() -> None:
    marriage = load_procedures()["1.000894"]
    assert marriage.name == "Đăng ký kết hôn"
    accepting = [c for c in marriage.components if "marital_status_certificate" in c.result_types]
    assert len(accepting) == 1
    assert accepting[0].max_age_months == 6 and accepting[0].required


def test_agency_file_adds_and_replaces_procedures(tmp_path: Path) -> None:
    replaced = _procedure("1.000894")
    path = _write(tmp_path, {"procedures": [_procedure("1.999001"), replaced]})
    catalog = load_procedures(path)
    assert "1.999001" in catalog and "1.001193" in catalog
    assert [c.code for c in catalog["1.000894"].components] == ["GT"]


def test_agency_file_can_replace_the_whole_catalog(tmp_path: Path) -> None:
    path = _write(tmp_path, {"extends": False, "procedures": [_procedure()]})
    assert list(load_procedures(path)) == ["1.999001"]


@pytest.mark.parametrize(
    ("procedure", "message"),
    [
        (_procedure("1000894"), "national code"),
        (_procedure(result_types=["passport"]), "unknown result type"),
        (_procedure(max_age_months=0), "max_age_months"),
        (_procedure(max_age_months="6"), "max_age_months"),
        (_procedure(required="yes"), "required"),
        (_procedure(subject_roles=[]), "subject_roles"),
        (
            _procedure(result_types=["marital_status_certificate"], subject_roles=["chủ hộ"]),
            "no role extraction writes on marital_status_certificate",
        ),
        ({"code": "1.999001", "name": "Thủ tục", "components": []}, "components"),
        (
            {"code": "1.999001", "components": [{"code": "A", "name": "A", "required": True}]},
            "name",
        ),
    ],
)
def test_malformed_entries_are_refused_with_their_place(
    tmp_path: Path, procedure: dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, {"procedures": [procedure]})
    with pytest.raises(CatalogError, match=message) as caught:
        load_procedures(path)
    assert str(path) in str(caught.value)


def test_duplicates_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"procedures": [_procedure(), _procedure()]})
    with pytest.raises(CatalogError, match="defined twice"):
        load_procedures(path)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot read"):
        load_procedures(broken)


def test_agency_result_types_are_accepted_when_passed(tmp_path: Path) -> None:
    path = _write(tmp_path, {"procedures": [_procedure(result_types=["passport"])]})
    known = [*load_result_types(), "passport"]
    catalog = load_procedures(path, result_types=known)
    assert catalog["1.999001"].components[0].result_types == ("passport",)


def test_every_component_asks_for_a_role_extraction_writes() -> None:
    written = {
        code: {t.default_role, *t.roles.values()} - {None}
        for code, t in load_result_types().items()
    }
    unfillable = [
        (p.code, c.code, t)
        for p in load_procedures().values()
        for c in p.components
        if c.subject_roles is not None
        for t in c.result_types
        if not written[t] & set(c.subject_roles)
    ]
    assert unfillable == []


def test_an_agency_type_writing_no_role_cannot_be_asked_for_in_a_role(tmp_path: Path) -> None:
    catalog = json.loads((Path("records/catalogs/result_types.json")).read_text(encoding="utf-8"))
    local = {"code": "giay_rieng", "name": "Giấy riêng", "titles": ["Giấy riêng"]}
    types = parse_result_types([*catalog["result_types"], local])
    asking = _write(tmp_path, {"procedures": [_procedure(result_types=["giay_rieng"])]})
    assert load_procedures(asking, result_types=types)["1.999001"].components[0].reusable
    in_a_role = _procedure(result_types=["giay_rieng"], subject_roles=["người được cấp"])
    with pytest.raises(CatalogError, match="none: use null"):
        load_procedures(_write(tmp_path, {"procedures": [in_a_role]}), result_types=types)


def test_death_extracts_naming_someone_else_are_brought_by_the_citizen() -> None:
    # The deceased is the spouse or the person leaving the estate, never the citizen:
    # matching the citizen on the paper would take any death extract they requested.
    catalog = load_procedures()
    for procedure, component in (("1.004873", "TL_KT_VC"), ("1.004227", "TL_KT")):
        found = next(c for c in catalog[procedure].components if c.code == component)
        assert not found.reusable and found.note
