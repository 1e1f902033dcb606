"""The keying screen in a real browser (Debian's chromium), keyboard only: two clerks
key a six-field form each, one typing composed Vietnamese, the other decomposed (NFD);
the form opens with the focus in its first input, Tab moves on, Enter on the last input
submits and loads the next form; the stored values are NFC."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.tokens import Role, create_token
from storage import open_store
from tests.api.live import LiveServer, running_server, server_log
from tests.support.browser import browser_page, chromium_path
from tests.support.keying import key_by_keyboard, keying_form, seed_forms

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="chromium not installed")
AGENCY = "ubnd-a"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("keying-browser")) as live:
        yield live
        assert "unhandled error" not in server_log(live)


def _sign_in(page: Any, token: str) -> None:
    page.goto("/login")
    page.fill("input[name=token]", token)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.slow  # two browsers and four forms served: about 20 s on a loaded machine
def test_two_clerks_key_a_form_by_keyboard_composed_and_decomposed(server: LiveServer) -> None:
    forms = [keying_form(f"browser-{n}", agency=AGENCY) for n in range(2)]
    seed_forms(server, forms)
    store = open_store(server.settings.storage_url)
    clerks = [create_token(store, role=Role.ARCHIVIST, agency=AGENCY, label=f"clerk-{n}")
              for n in range(2)]
    # The queue's order (oldest first, then by id) decides which form comes first.
    first, second = sorted(forms, key=lambda f: (f.record.created_at, f.record.id))
    for token, decomposed in zip(clerks, (False, True), strict=True):
        with browser_page(server.base_url) as page:
            _sign_in(page, token)
            page.goto("/keying")
            page.wait_for_url(f"**/keying/{first.record.id}")
            page.wait_for_selector("#keying-form input[autofocus]")
            keys = key_by_keyboard(page, first.values, decomposed=decomposed)
            # Enter on the last input submitted and the next form came up, focused.
            page.wait_for_url(f"**/keying/{second.record.id}")
            page.wait_for_function(
                "document.activeElement && document.activeElement.name === 'subjects[0].name'")
            assert keys.extra == len(first.values)  # one Tab or Enter per field, nothing else
            assert keys.chars == sum(len(v) for v in first.values.values())

    admin = create_token(store, role=Role.ADMIN, agency=AGENCY, label="admin")
    with httpx.Client(base_url=server.base_url,
                      headers={"Authorization": f"Bearer {admin}"}) as client:
        record = client.get(f"/api/v1/records/{first.record.id}").json()
    name = record["subjects"][0]["name"]
    assert name == first.values["subjects[0].name"]
    assert unicodedata.is_normalized("NFC", name) and name != unicodedata.normalize("NFD", name)
    assert record["fields"]["mother_name"] == first.values["fields.mother_name"]
    assert record["review"]["reasons"] == [] and record["status"] == "ready"


@pytest.mark.slow  # eight screens in two widths: about 20 s on a loaded machine
def test_the_keying_screens_speak_vietnamese_on_desktop_and_phone(server: LiveServer) -> None:
    from tests.api.test_screens_people import _check

    other = "ubnd-b"  # not in the other test's clerks' queue, whichever runs first
    form = keying_form("browser-screens", agency=other)
    seed_forms(server, [form])
    rid = form.record.id
    store = open_store(server.settings.storage_url)
    tokens = {who: create_token(store, role=role, agency=other, label=who) for who, role in
              (("an", Role.ARCHIVIST), ("binh", Role.ARCHIVIST), ("boss", Role.ADMIN))}
    path = "fields.mother_name"
    for who, value in (("an", "Trần Thị Hà"), ("binh", "Trần Thị Hạ")):
        with httpx.Client(base_url=server.base_url,
                          headers={"Authorization": f"Bearer {tokens[who]}"}) as client:
            assert client.post(f"/api/v1/keying/records/{rid}/entries",
                               json={"values": {path: value}}).status_code == 200
    screens = [f"/keying/{rid}", "/keying-disputes", f"/keying/{rid}/decide?field={path}",
               "/keying-clerks"]
    for width in (1280, 390):
        with browser_page(server.base_url, width=width, height=844) as page:
            _sign_in(page, tokens["boss"])
            for screen in screens:
                page.goto(screen)
                assert "/login" not in page.url, screen
                _check(page, screen, width)
            page.goto("/keying-disputes")
            assert "Trần Thị Hạ" in page.inner_text("body")


@pytest.mark.slow  # a browser and a form served: about 5 s
def test_a_placed_crop_says_it_is_approximate_beside_its_field(server: LiveServer,
                                                               out_dir: Path) -> None:
    # The birth date's printed label was not found: its crop is placed from the form's
    # layout, and the clerk reads, under the picture, that it is approximate.
    other = "ubnd-c"  # not in the other tests' clerks' queues
    form = keying_form("browser-placed", agency=other, placed=("subjects[0].birth_date",))
    seed_forms(server, [form])
    rid = form.record.id
    token = create_token(open_store(server.settings.storage_url), role=Role.ARCHIVIST,
                         agency=other, label="an")
    for width in (1280, 390):
        with browser_page(server.base_url, width=width, height=844) as page:
            _sign_in(page, token)
            page.goto(f"/keying/{rid}")
            rows = page.locator(".keying-row")
            placed = rows.filter(has=page.locator("input[name='subjects[0].birth_date']"))
            note = placed.locator(".estimated-note")
            note.wait_for(state="visible")
            assert "Vùng ước lượng" in note.inner_text()
            assert page.locator(".estimated-note").count() == 1
            crop = placed.locator("img.crop.estimated")
            crop.wait_for(state="visible")
            page.wait_for_function(
                "document.querySelector('img.crop.estimated').complete"
                " && document.querySelector('img.crop.estimated').naturalWidth > 0")
            # Shown taller than a found field's crop, so the writing in it stays legible.
            found = rows.first.locator("img.crop")
            assert crop.bounding_box()["height"] > found.bounding_box()["height"]
            if width == 1280:
                page.screenshot(path=str(out_dir / "screen-keying-placed.png"), full_page=True)
