"""Every screen as a person sees it, in real headless Chromium, on a desktop and on a
phone (390 px): Vietnamese only (no English word of a list that once leaked, no raw
field key), dates as dd/mm/yyyy that never wrap, and nothing wider than the screen.
Also: a person searched by name comes first with the name marked, and the dates an
officer types are taken as dd/mm/yyyy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.tokens import Role
from records import Record, ReviewReason, Status
from tests.api.live import LiveServer, running_server
from tests.support.browser import browser_page, chromium_path
from tests.support.reuse import Person, make_record

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="chromium not installed")

THANG = Person("Vũ Hữu Thắng", "1954-09-04", "001054012345")
LAN = Person("Phạm Thị Lan", "1980-03-15", "001180054321")
AGENCY = "ubnd-hang-bac"

# English words and raw codes that once reached a person (issue 18), as whole words.
ENGLISH = ["birth_certificate", "needs_review", "forbidden", "Forbidden", "registered_on",
           "registration_place", "missing", "id_not_cmnd", "unreadable", "signed", "bytes",
           "revocation", "DEVELOPMENT", "certificate", "error", "Error", "Not Found",
           "unauthorized", "invalid", "ready", "failed", "usage", "Signature", "true", "false",
           "None", "null"]
_ENGLISH = re.compile(r"\b(" + "|".join(map(re.escape, ENGLISH)) + r")\b")
_RAW_KEY = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # snake_case: a field key or code
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture(scope="module")
def people_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the records seen are exactly those seeded here."""
    with running_server(tmp_path_factory.mktemp("screens-people"),
                        SOHOA_AGENCY=AGENCY) as server:
        yield server


@pytest.fixture(scope="module")
def people(people_server: LiveServer) -> tuple[Record, Record]:
    thang, lan = _records()
    people_server.seed(thang, lan)
    return thang, lan


def _records() -> tuple[Record, Record]:
    thang = make_record(
        "birth_certificate", THANG, issued_on="2011-12-02", agency=AGENCY,
        status=Status.NEEDS_REVIEW, seed="thang-khai-sinh",
        fields={"registered_on": "1954-09-20", "registration_place": "UBND phường Hàng Bạc",
                "father_name": "Vũ Hữu Thành", "mother_name": "Nguyễn Thị Hoa"},
    )
    thang.title = "Giấy khai sinh"
    thang.text = "Giấy khai sinh. Họ tên: Vũ Hữu Thắng. Sinh ngày 04 tháng 09 năm 1954."
    thang.review.reasons = [ReviewReason("missing", "subjects"),
                            ReviewReason("id_not_cmnd", "subjects[0].id_number"),
                            ReviewReason("low_confidence", "issued_on")]
    lan = make_record("marital_status_certificate", LAN, issued_on="2011-06-30", agency=AGENCY,
                      seed="lan-hon-nhan")
    lan.title = "Giấy xác nhận tình trạng hôn nhân"
    # "vu huu thang" folds onto words of this paper too: "vụ", "hữu", "tháng".
    lan.text = "Nghĩa vụ hữu quan. Cấp ngày 30 tháng 6 năm 2011 cho Phạm Thị Lan."
    return thang, lan


def _sign_in(page: Any, token: str) -> None:
    page.goto("/login")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(search|help)$"))


def _check(page: Any, where: str, width: int) -> None:
    """What a person sees on this screen: the whole list of issue 18's rules."""
    text = page.inner_text("body")
    assert not _ENGLISH.findall(text), (where, _ENGLISH.findall(text))
    assert not _RAW_KEY.findall(text), (where, _RAW_KEY.findall(text))
    assert not _ISO_DATE.findall(text), (where, _ISO_DATE.findall(text))
    values = page.eval_on_selector_all(
        "input:not([type=hidden]):not([type=file]):not([type=checkbox])",
        "els => els.map(e => e.value)")
    assert not [v for v in values if _ISO_DATE.search(v)], (where, values)
    # Dates never wrap mid-date.
    wraps = page.eval_on_selector_all(
        ".date", "els => els.filter(e => getComputedStyle(e).whiteSpace !== 'nowrap').length")
    assert wraps == 0, where
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, (where, width, overflow)


def test_every_screen_speaks_vietnamese_on_desktop_and_phone(
    people_server: LiveServer, people: tuple[Record, Record], out_dir: Path
) -> None:
    thang, lan = people
    archivist = people_server.token(Role.ARCHIVIST, AGENCY)
    officer = people_server.token(Role.OFFICER, AGENCY)
    screens = [
        "/search", "/search?q=vu+huu+thang", "/search?name=vu+huu+thang",
        "/search?from=01%2F01%2F2011&to=31%2F12%2F2011&q=giay",
        f"/records/{thang.id}", f"/records/{lan.id}", "/review", f"/review/{thang.id}",
        "/upload", "/help", "/stats",
    ]
    for width in (1280, 390):
        with browser_page(people_server.base_url, width=width, height=844) as page:
            page.goto("/login")
            _check(page, "/login", width)
            _sign_in(page, archivist)
            for screen in screens:
                response = page.goto(screen)
                assert response is not None and response.status == 200, screen
                _check(page, screen, width)
                name = re.sub(r"\W+", "-", screen).strip("-") or "root"
                page.screenshot(path=str(out_dir / f"screen-people-{width}-{name}.png"),
                                full_page=True)
        with browser_page(people_server.base_url, width=width, height=844) as page:
            _sign_in(page, officer)
            response = page.goto("/upload")
            assert response is not None and response.status == 403
            assert "Không được phép" in page.inner_text("h1")
            _check(page, "403", width)
            page.goto("/records/" + "0" * 24)
            _check(page, "404", width)


def test_a_person_searched_by_name_comes_first_marked(
    people_server: LiveServer, people: tuple[Record, Record]
) -> None:
    thang, _ = people
    with browser_page(people_server.base_url, width=390, height=844) as page:
        _sign_in(page, people_server.token(Role.ARCHIVIST, AGENCY))
        page.goto("/search?q=vu+huu+thang")
        hits = page.locator(".hit")
        assert hits.count() == 2  # the folded words are in both papers ...
        first = hits.first
        assert first.locator("h2 a").get_attribute("href") == f"/records/{thang.id}"
        assert first.locator(".holder mark").count() == 3  # ... the person's first, marked
        assert "Vũ Hữu Thắng" in first.locator(".holder").inner_text()
        # In the text, the name where it stands, not "tháng" of the birth date.
        assert first.locator(".snippet mark").all_inner_texts() == ["Vũ Hữu Thắng"]
        assert "Phạm Thị Lan" in hits.nth(1).locator(".holder").inner_text()

        page.goto("/search")
        page.fill("input[name=name]", "vu huu thang")  # a person, not words
        page.click("form.search button[type=submit]")
        assert page.locator(".hit").count() == 1
        assert "Vũ Hữu Thắng" in page.locator(".hit .holder").inner_text()

        # The date filters are text fields taking dd/mm/yyyy, not the browser's picker.
        page.goto("/search")
        page.click("details summary")
        date_input = page.locator("input[name=from]")
        assert date_input.get_attribute("type") == "text"
        assert date_input.get_attribute("placeholder") == "dd/mm/yyyy"
        date_input.fill("01/07/2011")
        page.click("form.search button[type=submit]")
        assert [page.locator(".hit h2 a").get_attribute("href")] == [f"/records/{thang.id}"]
        assert page.locator("input[name=from]").input_value() == "01/07/2011"

        # needs_review explained where the record is shown: what it means, what to do.
        page.goto(f"/records/{thang.id}")
        box = page.inner_text("#needs-review")
        assert "Cần rà soát nghĩa là gì?" in box and "Lưu và duyệt" in box
        assert "Người được cấp: không đọc được" in box
        assert "Rà soát hồ sơ này" in box
        fields = page.inner_text("dl")
        assert "Ngày đăng ký" in fields and "20/09/1954" in fields
        assert "Nơi đăng ký" in fields


def test_review_form_untouched_is_no_change(
    people_server: LiveServer, people: tuple[Record, Record]
) -> None:
    """Dates are shown dd/mm/yyyy in the review form: saving it untouched is no change."""
    thang, _ = people
    with browser_page(people_server.base_url) as page:
        _sign_in(page, people_server.token(Role.ARCHIVIST, AGENCY))
        page.goto(f"/review/{thang.id}")
        assert page.locator("input[name=issued_on]").input_value() == "02/12/2011"
        page.click("button[value='0']")
        # Before, the ISO value in the form differed from the one typed back: a change.
        page.wait_for_selector("p.error")
        assert "Không có thay đổi nào." in page.inner_text("p.error")
    with people_server.client(Role.OFFICER, AGENCY) as client:
        record = client.get(f"/api/v1/records/{thang.id}").json()
    assert record["issued_on"] == "2011-12-02"
    assert record["review"]["corrections"] == []
