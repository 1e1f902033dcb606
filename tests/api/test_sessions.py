"""Screen sessions over real HTTP: the cookie holds a server-side session, never the
token; signing out ends it; a page of another site cannot sign a user in or out, nor
change anything with the user's cookie."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api.auth import COOKIE_NAME
from api.sessions import SESSIONS_PREFIX, Sessions, session_key
from api.tokens import Role, TokenCache, create_token, hash_token, revoke_token, token_id_of
from records import Status
from storage.filestore import FileStore
from tests.api.conftest import BINH
from tests.api.live import LiveServer
from tests.support.reuse import make_record, months_before

EVIL = {"Origin": "https://evil.example"}


def _browser(live: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=live.base_url, timeout=60, follow_redirects=False)


def _sign_in(client: httpx.Client, token: str, **headers: str) -> httpx.Response:
    return client.post("/login", data={"token": token}, headers=headers)


def test_the_cookie_holds_a_session_that_sign_out_ends(live: LiveServer) -> None:
    token = live.token(Role.OFFICER)
    with _browser(live) as browser:
        signed_in = _sign_in(browser, token, Origin=live.base_url)
        assert signed_in.status_code == 303
        session = browser.cookies[COOKIE_NAME]
        assert session != token and token not in signed_in.headers["set-cookie"]
        assert browser.get("/search").status_code == 200

        assert browser.post("/logout", headers={"Origin": live.base_url}).status_code == 303

    # The copied cookie no longer works, on the screens or the API.
    with httpx.Client(base_url=live.base_url, cookies={COOKIE_NAME: session},
                      timeout=60) as copied:
        after = copied.get("/search")
        assert after.status_code == 303 and after.headers["location"].startswith("/login")
        assert copied.get("/api/v1/search", params={"q": "an"}).status_code == 401
    # The token itself is not a session: it does not work as the cookie either.
    with httpx.Client(base_url=live.base_url, cookies={COOKIE_NAME: token},
                      timeout=60) as forged:
        assert forged.get("/api/v1/search", params={"q": "an"}).status_code == 401


def test_another_site_cannot_sign_a_user_in_or_out(live: LiveServer) -> None:
    with _browser(live) as browser:
        forced = _sign_in(browser, live.token(Role.ARCHIVIST, "ubnd-b"), **EVIL)
        assert forced.status_code == 403 and "set-cookie" not in forced.headers
        assert _sign_in(browser, live.token(Role.OFFICER), Origin=live.base_url).status_code == 303
        out = browser.post("/logout", headers={"Sec-Fetch-Site": "cross-site"})
        assert out.status_code == 403
        assert browser.get("/search").status_code == 200  # still signed in


def test_another_site_cannot_change_a_record_with_the_users_cookie(live: LiveServer) -> None:
    (record,) = live.seed(make_record(
        "birth_certificate", BINH, issued_on=months_before(datetime.now(UTC).date(), 6),
        agency="ubnd-a", status=Status.NEEDS_REVIEW, seed="cross-site-correction",
    ))
    correction = {"set": {"document_number": "66/2026"}}
    path = f"/api/v1/records/{record.id}/corrections"
    with _browser(live) as browser:
        _sign_in(browser, live.token(Role.ARCHIVIST), Origin=live.base_url)
        by_origin = browser.post(path, json=correction, headers=EVIL)
        by_fetch_site = browser.post(path, json=correction,
                                     headers={"Sec-Fetch-Site": "same-site"})
        form = browser.post(f"/review/{record.id}", data={"document_number": "66/2026"},
                            headers=EVIL)
        assert [by_origin.status_code, by_fetch_site.status_code, form.status_code] == [
            403, 403, 403]
        assert by_origin.json()["error"]["code"] == "cross_site_request"
        assert browser.get(f"/api/v1/records/{record.id}").json()["version"] == record.version

        # The same request from the site's own page goes through.
        own = browser.post(path, json=correction, headers={"Origin": live.base_url})
        assert own.status_code == 200, own.text
        assert own.json()["version"] == record.version + 1


def test_a_bearer_token_needs_no_origin(live: LiveServer) -> None:
    """Scripts and the portal send no Origin; another site cannot attach a bearer."""
    (record,) = live.seed(make_record(
        "birth_certificate", BINH, issued_on=months_before(datetime.now(UTC).date(), 6),
        agency="ubnd-a", status=Status.NEEDS_REVIEW, seed="bearer-correction",
    ))
    with live.client(Role.ARCHIVIST) as client:
        answer = client.post(f"/api/v1/records/{record.id}/corrections",
                             json={"approve": True}, headers=EVIL)
    assert answer.status_code == 200, answer.text


@pytest.fixture
def sessions(tmp_path: Path) -> tuple[FileStore, Sessions]:
    store = FileStore(tmp_path / "objects")
    return store, Sessions(store, TokenCache(store, ttl=0, negative_ttl=0), ttl=0,
                           negative_ttl=0)


def test_revoking_the_token_ends_its_sessions(sessions: tuple[FileStore, Sessions]) -> None:
    store, live_sessions = sessions
    token = create_token(store, role=Role.OFFICER, agency="ubnd-a")
    session = live_sessions.open(token)
    assert live_sessions.lookup(session) is not None

    revoke_token(store, token_id_of(token))

    assert live_sessions.lookup(session) is None


def test_an_expired_session_is_refused_and_swept(sessions: tuple[FileStore, Sessions]) -> None:
    store, _ = sessions
    token = create_token(store, role=Role.OFFICER, agency="ubnd-a")
    stale = Sessions(store, TokenCache(store, ttl=0), ttl=0, negative_ttl=0)
    old = stale.open(token)
    key = session_key(hash_token(old))
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    store.delete(key)  # objects are write-once: age it by writing it again
    store.put(key, json.dumps({"token_hash": hash_token(token), "expires_at": past}).encode())

    assert stale.lookup(old) is None
    # The next sign-in in a fresh process sweeps expired sessions away.
    fresh = Sessions(store, TokenCache(store, ttl=0), ttl=0, negative_ttl=0)
    kept = fresh.open(token)
    remaining = [info.key for info in store.list(SESSIONS_PREFIX)]
    assert remaining == [session_key(hash_token(kept))]


def test_the_review_screen_shows_only_its_own_words(live: LiveServer) -> None:
    (record,) = live.seed(make_record(
        "birth_certificate", BINH, issued_on=months_before(datetime.now(UTC).date(), 6),
        agency="ubnd-a", status=Status.NEEDS_REVIEW, seed="review-words",
    ))
    planted = "Gửi mã truy cập tới admin@evil.example"
    with _browser(live) as browser:
        _sign_in(browser, live.token(Role.ARCHIVIST), Origin=live.base_url)
        page = browser.get(f"/review/{record.id}",
                           params={"done": planted, "message": planted, "error": planted})
        assert page.status_code == 200 and "evil.example" not in page.text

        refused = browser.post(f"/review/{record.id}", data={"issued_on": "2999-01-01"},
                               headers={"Origin": live.base_url})
        assert refused.status_code == 422 and 'role="alert"' in refused.text

        saved = browser.post(f"/review/{record.id}", data={"document_number": "7/2026"},
                             headers={"Origin": live.base_url})
        assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
        assert "Đã lưu chỉnh sửa." in browser.get(saved.headers["location"]).text
