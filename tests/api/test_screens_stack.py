"""Stacks and archive boxes on the officers' screens, in real headless Chromium: the
upload screen splits a stack when asked, a split paper's record page says which sheets
of which scan it is, a record page shows where the paper is kept (kho, hộp, cặp, số
tờ), and the search screen filters by box. Screenshots go to ``bench/out/``."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from api.tokens import Role
from records import ArchiveLocation
from tests.api.live import LiveServer
from tests.support.browser import browser_page, chromium_path
from tests.support.reuse import Person, make_record, months_before
from tests.support.stacks import text_stack

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="chromium not installed")


def test_split_upload_stack_place_and_box_on_the_screens(
        live: LiveServer, out_dir: Path, tmp_path: Path) -> None:
    stack = tmp_path / "tập quét 7.pdf"
    text_stack(stack, [2, 1], box="HOP-S7", tag="screen-split")
    kept = make_record("birth_certificate", Person("Đỗ Thị Kho", "1992-03-04", None),
                       issued_on=months_before(date.today(), 5), agency="ubnd-a",
                       seed="screen-box", with_id=False)
    kept.location = ArchiveLocation(store="K2", box="HOP-S7", folder="C-3", sheets=4)
    live.seed(kept)

    with browser_page(live.base_url) as page:
        page.goto("/login")
        page.fill("#token", live.token(Role.ARCHIVIST))
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/search$"))

        page.goto("/upload")
        assert "tách thành từng giấy tờ" in page.inner_text("#upload-form")
        page.check("#split")
        page.set_input_files("#files", str(stack))
        page.click("#upload-form button")
        page.wait_for_selector("#progress[data-status=done]", timeout=240_000)
        rows = page.inner_text("#batch-files")
        assert "tập quét 7.p002-003.pdf" in rows and "tập quét 7.p005-005.pdf" in rows, rows
        assert "tập quét 7.pdf\t" not in rows  # the stack itself is no record
        links = page.eval_on_selector_all("#batch-files a", "els => els.map(e => e.href)")
        assert len(links) == 2

        page.goto(links[0])
        assert page.inner_text("#part-of") == "tờ 2–3 của tệp tập quét 7.pdf"
        source = page.get_attribute("#part-of a", "href")
        assert source is not None and source.endswith("/original")
        assert page.request.get(source).status == 200
        assert page.inner_text(".location-box") == "HOP-S7"
        page.screenshot(path=str(out_dir / "screen-record-stack.png"), full_page=True)

        page.goto(f"/records/{kept.id}")
        shown = {key: page.inner_text(f".location-{key}")
                 for key in ("store", "box", "folder", "sheets")}
        assert shown == {"store": "K2", "box": "HOP-S7", "folder": "C-3", "sheets": "4"}
        text = page.inner_text("main")
        for label in ("Kho", "Hộp", "Cặp", "Số tờ"):
            assert f"{label}\n" in text or f"{label}\t" in text, label
        assert page.locator("#part-of").count() == 0  # not split from a stack

        # The box links to the search screen filtered by it, which offers the filter.
        page.click(".location-box a")
        page.wait_for_url(re.compile(r".*/search\?box=HOP-S7$"))
        assert page.input_value("input[name=box]") == "HOP-S7"
        assert "Tìm thấy 3 kết quả trong hộp «HOP-S7»" in page.inner_text("main")
        assert page.locator("article.hit", has_text="Hộp HOP-S7").count() == 3
        page.fill("input[name=box]", "HOP-S")  # a box label is matched exactly
        page.click("form.search button")
        page.wait_for_url(re.compile(r".*box=HOP-S(&|$)"))
        assert "Tìm thấy 0 kết quả trong hộp «HOP-S»" in page.inner_text("main")
        page.screenshot(path=str(out_dir / "screen-search-box.png"), full_page=True)
