"""Papers name the units standing on their issue date (evalset.history).

The facts below are written here from the laws, apart from `evalset.history`, so that a
wrong day or a missing entry there fails: a unit created on `since` is never printed on a
paper dated before it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from evalset.content import DOC_TYPES, build, make_issuer
from evalset.data import Level, random_place
from evalset.handwriting import build_form, build_marriage_form
from evalset.layout import Span

D = dt.date
REFORM = D(2025, 7, 1)
# (unit as printed, case-folded; the day it was created or took that name; its province)
LATER_UNITS: tuple[tuple[str, dt.date, str], ...] = (
    ("thành phố huế", D(2025, 1, 1), "46"),  # the province (Nghị quyết 175/2024/QH15)
    ("quận thuận hóa", D(2025, 1, 1), "46"),
    ("quận phú xuân", D(2025, 1, 1), "46"),
    ("thị xã phong điền", D(2025, 1, 1), "46"),
    ("thành phố thủ đức", D(2021, 1, 1), "79"),
    ("quận bình tân", D(2004, 1, 1), "79"),
    ("quận bắc từ liêm", D(2014, 4, 1), "01"),
    ("quận nam từ liêm", D(2014, 4, 1), "01"),
    ("quận hà đông", D(2008, 8, 1), "01"),
    ("huyện mê linh, thành phố hà nội", D(2008, 8, 1), "01"),
    ("quận an dương", D(2025, 1, 1), "31"),
    ("thành phố thủy nguyên", D(2025, 1, 1), "31"),
    ("thị xã kim bảng", D(2025, 1, 1), "35"),
    ("phường hải châu, quận hải châu", D(2025, 1, 1), "48"),  # Hải Châu I and II merged
    ("thành phố bến tre", D(2009, 8, 11), "83"),  # Nghị quyết 34/NQ-CP (was a thị xã)
    ("huyện mỏ cày bắc", D(2009, 2, 9), "83"),  # Nghị định 08/NĐ-CP (Mỏ Cày split)
    ("thị xã ba đồn", D(2013, 12, 20), "44"),  # Nghị quyết 125/NQ-CP (was huyện Quảng Trạch)
    ("tỉnh bắc ninh", D(1997, 1, 1), "27"),
    ("tỉnh đắk nông", D(2004, 1, 1), "67"),
    ("tỉnh hậu giang", D(2004, 1, 1), "93"),
    ("thành phố cần thơ", D(2004, 1, 1), "92"),
    ("tỉnh bà rịa - vũng tàu", D(1991, 8, 12), "77"),
)
DISTRICT_WORDS = re.compile(r"\b(quận|huyện|thị xã)\s", re.IGNORECASE)


def _spans(node: Any) -> Iterator[str]:
    if isinstance(node, Span):
        yield node.text
    elif isinstance(node, str):
        yield node
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _spans(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _spans(getattr(node, f.name))


def printed(page: Any) -> str:
    """Every string the page prints (blocks, signature block, seal), case-folded."""
    return "\n".join(_spans(page)).casefold()


def _docs(n: int, offset: int = 0) -> Iterator[Any]:
    for i in range(offset, offset + n):
        yield build(random.Random(i), DOC_TYPES[i % len(DOC_TYPES)])


@pytest.mark.parametrize(("name", "since", "province"), LATER_UNITS)
def test_a_place_drawn_for_a_date_never_names_a_unit_created_after_it(
        name: str, since: dt.date, province: str) -> None:
    before, after = since - dt.timedelta(days=1), max(since, D(2025, 1, 1))
    seen_after = False
    for seed in range(300):
        levels: tuple[tuple[dt.date, Level], ...] = ((before, "ward"), (before, "province"))
        for on, level in levels:
            if on < D(1976, 1, 1):
                continue
            try:
                place = random_place(random.Random(seed), "legacy", province_code=province,
                                     on=on, level=level)
            except ValueError:
                continue  # the whole province did not stand yet: nothing to name
            text = (place.address() if level == "ward" else place.province).casefold()
            assert name not in text, (on, text)
        later = random_place(random.Random(seed), "legacy", province_code=province,
                             on=min(after, REFORM - dt.timedelta(days=1)))
        seen_after |= name in later.address().casefold()
    # The unit is in the list and drawn once it stands (the check is not vacuous).
    assert seen_after, name


def test_the_province_is_named_as_it_was_before_a_rename() -> None:
    for seed in range(40):
        place = random_place(random.Random(seed), "legacy", province_code="46",
                             on=D(2016, 5, 1))
        assert place.province == "Tỉnh Thừa Thiên Huế", place
        assert place.address().endswith(", tỉnh Thừa Thiên Huế")


def test_a_post_reform_birth_place_is_the_2025_province() -> None:
    names = {random_place(random.Random(s), "legacy", on=D(2025, 9, 1), level="province")
             .province for s in range(400)}
    gone = {"Tỉnh Hà Giang", "Tỉnh Bắc Giang", "Tỉnh Đắk Nông", "Tỉnh Bình Dương",
            "Tỉnh Bà Rịa - Vũng Tàu", "Tỉnh Kiên Giang", "Tỉnh Hậu Giang"}
    assert not names & gone, names & gone
    assert len(names) <= 34


def test_a_unit_that_stood_is_drawn_with_the_same_generator_state() -> None:
    # Papers whose units stood come out byte-identical to the generator before dates were
    # checked: the first draw is kept, nothing more is drawn.
    on = D(2012, 3, 1)
    kept = 0
    for seed in range(300):
        plain, dated = random.Random(seed), random.Random(seed)
        first = random_place(plain, "legacy").as_of(on)
        got = random_place(dated, "legacy", on=on)
        if first is not None:
            kept += 1
            assert got == first and plain.getstate() == dated.getstate()
    assert kept > 200


def test_papers_print_only_units_standing_on_their_date() -> None:
    eras = set()
    for doc in _docs(2400):
        text = printed(doc.page)
        eras.add(doc.issuer.era)
        if doc.issued_on >= REFORM:
            # No districts after the reform: none printed, none in the truth.
            assert doc.issuer.era == "2025" and doc.issuer.district_code is None
            assert not DISTRICT_WORDS.search(text), DISTRICT_WORDS.search(text)
            continue
        # A unit named as it stood before a change the legacy list shows is historical.
        former = "thừa thiên huế" in doc.issuer.official.casefold()
        assert doc.issuer.era == ("historical" if former else "legacy"), doc.issuer
        for name, since, _ in LATER_UNITS:
            if doc.issued_on < since:
                assert name not in text, (doc.doc_type, doc.issued_on, name)
    assert eras == {"legacy", "historical", "2025"}


# The issuer kinds of `make_issuer`, each naming the province (and its ward or district).
ISSUER_KINDS = ("ward", "district", "tckh", "stp", "land")


@pytest.mark.parametrize("kind", ISSUER_KINDS)
def test_an_issuer_named_by_its_former_province_is_of_the_historical_era(kind: str) -> None:
    """Tỉnh Thừa Thiên Huế ceased on 31/12/2024 (Nghị quyết 175/2024/QH15: thành phố Huế
    from 1/1/2025), before the state the legacy list records (mid-2025, "Thành phố Huế"):
    a unit named under it is a unit since abolished, "historical" in sohoa's `issuer_era`
    (docs/extract.md), as quận 2 (ceased 1/1/2021) is; from 1/1/2025 to the reform the list
    names it as printed ("legacy")."""
    for seed in range(30):
        for on, era, province in ((D(2019, 7, 25), "historical", "tỉnh Thừa Thiên Huế"),
                                  (D(2024, 12, 31), "historical", "tỉnh Thừa Thiên Huế"),
                                  (D(2025, 1, 1), "legacy", "thành phố Huế")):
            place = random_place(random.Random(seed), "legacy", province_code="46", on=on)
            issuer = make_issuer(random.Random(seed), kind, place)
            assert issuer.official.endswith(province), (on, issuer.official)
            assert issuer.era == era, (on, issuer.official, issuer.era)
            assert issuer.to_dict()["era"] == era
            assert place.era == "legacy"  # the list it was drawn from, for the layouts
        # Another province's units stood as listed: legacy before the reform.
        other = random_place(random.Random(seed), "legacy", province_code="48",
                             on=D(2019, 7, 25))
        assert make_issuer(random.Random(seed), kind, other).era == "legacy"


def test_the_truth_names_the_units_the_page_prints() -> None:
    place_keys = ("birth_place", "residence", "registration_place", "husband_residence",
                  "wife_residence", "business_address", "owner_residence", "last_residence",
                  "owner_address", "site")
    for doc in _docs(800, offset=5000):
        text = printed(doc.page)
        for line in doc.issuer.lines:
            assert line.casefold() in text
        # The province the truth names (its last unit) is the one the page prints.
        province = re.search(r"(?:tỉnh|thành phố) ([^,]+)$", doc.issuer.official)
        assert province and province[1].casefold() in text, doc.issuer.official
        for key in place_keys:
            value = doc.fields.get(key)
            if isinstance(value, str):
                assert value.casefold() in text, (key, value)


def test_handwritten_forms_name_the_units_of_their_date() -> None:
    seen = 0
    for i in range(600):
        rng = random.Random(7000 + i)
        form = (build_form if i % 2 else build_marriage_form)(rng, {})
        text = printed(form.page) + "\n" + "\n".join(form.written.values()).casefold()
        for name, since, _ in LATER_UNITS:
            if form.issued_on < since:
                assert name not in text, (form.issued_on, name)
                seen += 1
    assert seen


def test_every_unit_the_history_names_is_in_the_list() -> None:
    # A mistyped code would silently date nothing.
    import importlib.resources
    import sqlite3

    from evalset import history

    path = importlib.resources.files("vietnamadminunits") / "data" / "dataset.db"
    with importlib.resources.as_file(path) as file:
        con = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            districts = {r[0] for r in con.execute(
                "SELECT DISTINCT districtCode FROM admin_units_legacy")}
            wards = {r[0] for r in con.execute("SELECT wardCode FROM admin_units_legacy")}
            legacy = {r[0] for r in con.execute(
                "SELECT DISTINCT provinceCode FROM admin_units_legacy")}
            after = {r[0] for r in con.execute("SELECT DISTINCT provinceCode FROM admin_units")}
        finally:
            con.close()
    assert set(history._DISTRICT_SINCE) | set(history._RAISED_OR_MADE_IN) <= districts
    assert set(history._WARD_SINCE) <= wards
    # Every legacy province became part of one 2025 province.
    assert set(history.PROVINCE_2025) == legacy
    assert set(history.PROVINCE_2025.values()) == after
