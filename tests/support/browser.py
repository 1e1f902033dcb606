"""Headless Chromium for screen tests: Debian's ``/usr/bin/chromium`` driven by Playwright.

Browser downloads are not possible here, so Playwright never installs its own build:
``launch`` points it at the system binary with flags that keep it off the network.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@contextmanager
def browser_page(base_url: str, *, width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A fresh page (own cookie jar) in headless Chromium, Vietnamese locale."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("chromium not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            context = browser.new_context(
                base_url=base_url, locale="vi-VN", viewport={"width": width, "height": height}
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            yield page
            context.close()
        finally:
            browser.close()
