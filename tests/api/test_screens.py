"""The officers' screens in real headless Chromium: sign in, upload with live progress,
search without diacritics, the record page with its signature status, the review queue.

Screenshots of every screen go to ``bench/out/screen-*.png`` for a person to look at.
"""

from __future__ import annotations

import contextlib
import io
import re
from datetime import date
from pathlib import Path

import pytest

from api.tokens import Role
from records import Status
from records.folding import fold
from specimens import generate, render_page
from tests.api.conftest import BINH
from tests.api.live import LiveServer
from tests.support.browser import browser_page, chromium_path
from tests.support.reuse import make_record, months_before

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="chromium not installed")


def test_screens_from_sign_in_to_review(live: LiveServer, out_dir: Path, tmp_path: Path) -> None:
    specimen = generate("marriage_certificate", 23)
    scan = tmp_path / "kết hôn 23.png"
    buffer = io.BytesIO()
    render_page(specimen, dpi=150).save(buffer, format="PNG", dpi=(150, 150))
    scan.write_bytes(buffer.getvalue())
    name = str(specimen.subjects[0]["name"])
    live.seed(make_record(
        "birth_certificate", BINH, issued_on=months_before(date.today(), 6), agency="ubnd-a",
        status=Status.NEEDS_REVIEW, seed="screen-review",
    ))

    with browser_page(live.base_url) as page:
        # The Content-Security-Policy must block nothing the screens use: Chromium
        # reports each refusal on the console.
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.goto("/search")
        assert page.url.startswith(f"{live.base_url}/login")
        page.fill("#token", "sohoa_wrong")
        page.click("button[type=submit]")
        assert "Mã truy cập không đúng" in page.inner_text("main")
        page.screenshot(path=str(out_dir / "screen-login.png"))
        page.fill("#token", live.token(Role.ARCHIVIST))
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/search$"))
        cookie = next(c for c in page.context.cookies() if c["name"] == "sohoa_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert cookie["value"].startswith("phien_")  # a session, never the token itself

        page.goto("/upload")
        page.set_input_files("#files", str(scan))
        page.click("#upload-form button")
        page.wait_for_selector("#progress[data-status=done]", timeout=240_000)
        row = page.inner_text("#batch-files")
        assert "kết hôn 23.png" in row and "Đã số hóa" in row, row
        page.screenshot(path=str(out_dir / "screen-upload.png"), full_page=True)

        plain = fold(name)  # typed without diacritics
        page.goto(f"/search?q={plain.replace(' ', '+')}")
        assert "Tìm thấy" in page.inner_text("main")
        first = page.locator(".hit h2 a").first
        assert page.locator(".hit mark").count() > 0
        page.screenshot(path=str(out_dir / "screen-search.png"), full_page=True)
        first.click()
        page.wait_for_url(re.compile(r".*/records/[0-9a-f]{24}$"))
        status = page.inner_text("#signature-status")
        assert "Chữ ký hợp lệ" in status, status
        assert name in page.inner_text("main") or fold(name) in fold(page.inner_text("main"))
        page.screenshot(path=str(out_dir / "screen-record.png"))
        record_id = page.url.rsplit("/", 1)[-1]

        page.goto("/review")
        assert "Hồ sơ cần rà soát" in page.inner_text("h1")
        assert page.locator("table.list a").count() >= 1
        page.screenshot(path=str(out_dir / "screen-review-queue.png"))

        page.goto(f"/review/{record_id}")
        page.wait_for_function(
            "document.getElementById('page-image').complete"
            " && document.getElementById('page-image').naturalWidth > 0"
        )
        assert page.evaluate("document.getElementById('page-image').naturalWidth") > 500
        page.screenshot(path=str(out_dir / "screen-review.png"))
        page.fill("input[name=document_number]", "99/2024")
        page.click("button[value='1']")
        page.wait_for_url(re.compile(r".*/review/[0-9a-f]{24}\?done=approved$"))
        assert "Đã duyệt hồ sơ." in page.inner_text("main")
        assert blocked == []
        # ... while an injected inline script is refused (and would be reported).
        with contextlib.suppress(Exception):
            page.add_script_tag(content="document.title = 'injected'")
        page.wait_for_function("true")
        assert page.title() != "injected"
        assert any("inline script" in text for text in blocked), blocked

    with live.client(Role.OFFICER) as officer:
        record = officer.get(f"/api/v1/records/{record_id}").json()
    assert record["document_number"] == "99/2024" and record["status"] == "ready"


def test_screens_refuse_other_roles_in_vietnamese(live: LiveServer, out_dir: Path) -> None:
    with browser_page(live.base_url) as page:
        page.goto("/login")
        page.fill("#token", live.token(Role.OFFICER))
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/search$"))
        response = page.goto("/upload")
        assert response is not None and response.status == 403
        assert "Không được phép" in page.inner_text("h1")
        page.goto("/records/" + "0" * 24)
        assert "Không tìm thấy" in page.inner_text("h1")
        page.screenshot(path=str(out_dir / "screen-forbidden.png"))
