from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from records.result_types import CatalogError, ResultType, load_result_types

REQUIRED = {
    "birth_certificate",
    "marriage_certificate",
    "marital_status_certificate",
    "criminal_record_certificate",
    "household_business_registration",
    "construction_permit",
    "death_extract",
    "land_use_certificate",
}


def test_shipped_catalog_has_every_required_type(catalog: dict[str, ResultType]) -> None:
    assert set(catalog) >= REQUIRED
    assert catalog["marital_status_certificate"].name == "Giấy xác nhận tình trạng hôn nhân"


def test_validity_rules(catalog: dict[str, ResultType]) -> None:
    issued = date(2024, 8, 31)
    assert catalog["birth_certificate"].valid_until(issued) is None
    assert catalog["marriage_certificate"].valid_until(issued) is None
    assert catalog["marital_status_certificate"].valid_until(issued) == date(2025, 2, 28)
    assert catalog["criminal_record_certificate"].valid_until(issued) == date(2025, 2, 28)
    permit = catalog["construction_permit"]
    assert permit.valid_until(date(2024, 1, 5)) == date(2025, 1, 5)
    assert permit.valid_until(date(2024, 1, 5), stated_term=18) == date(2025, 7, 5)
    assert permit.valid_until(date(2024, 1, 5), stated_term=date(2024, 9, 1)) == date(2024, 9, 1)


def test_agency_extends_catalog_with_its_own_file(tmp_path: Path) -> None:
    data = json.loads(Path("records/catalogs/result_types.json").read_text(encoding="utf-8"))
    data["result_types"].append(
        {
            "code": "business_license_liquor",
            "name": "Giấy phép bán lẻ rượu",
            "titles": ["Giấy phép bán lẻ rượu"],
            "keywords": {"rượu": 2},
            "validity": {"rule": "months_from_issue", "months": 60},
        }
    )
    path = tmp_path / "types.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8-sig")
    catalog = load_result_types(path)
    assert catalog["business_license_liquor"].titles == ("giay phep ban le ruou",)
    assert catalog["business_license_liquor"].valid_until(date(2020, 1, 1)) == date(2025, 1, 1)


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"code": "x", "name": "X", "titles": ["X"], "validity": "forever"}, "unknown validity"),
        ({"code": "x", "name": "X"}, "at least one title"),
        (
            {"code": "x", "name": "X", "titles": ["X"], "validity": {"rule": "months_from_issue"}},
            "needs 'months'",
        ),
        (
            {"code": "x", "name": "X", "titles": ["X"], "issued_on_fallback": [{"unless": "y"}]},
            "a fallback is a field name",
        ),
        (
            {"code": "x", "name": "X", "titles": ["X"], "number_fallback": "code"},
            "'number_fallback' must be a list",
        ),
        (
            {"code": "x", "name": "X", "titles": ["X"], "number_symbol": "yes"},
            "'number_symbol' must be true or false",
        ),
        (
            {"code": "x", "name": "X", "titles": ["X"], "number_symbols": ["ks"]},
            "'number_symbols' must be a list of symbols in capitals",
        ),
    ],
)
def test_malformed_catalog_is_refused(tmp_path: Path, entry: dict, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"result_types": [entry]}), encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        load_result_types(path)


def test_fallbacks_are_catalog_data(catalog: dict[str, ResultType]) -> None:
    business = catalog["household_business_registration"]
    assert business.number_fallback == ("household_business_code",)
    (first,) = business.issued_on_fallback
    # Matched on folded page text, so the phrase is stored folded.
    assert (first.field, first.unless) == ("first_registered_on", "dang ky thay doi")
    assert catalog["land_use_certificate"].number_fallback == ("register_number",)
    assert [f.field for f in catalog["birth_certificate"].issued_on_fallback] == ["registered_on"]


def test_types_numbered_with_a_symbol_are_catalog_data(catalog: dict[str, ResultType]) -> None:
    # Their templates print "Số: …/STP-LLTP", "Số: …/GPXD"; the others may print a register
    # serial alone ("Số: 54" on a marriage certificate) or a code (household businesses).
    symbol = {code for code, kind in catalog.items() if kind.number_symbol}
    assert symbol == {"criminal_record_certificate", "construction_permit"}
