"""Screen sessions: what the sign-in cookie holds, instead of the token itself.

Signing in with a token opens a session: 32 random bytes, kept at rest only as their
SHA-256 under ``_system/sessions/{sha256}.json`` (in the object store, so every API
replica sees it, as with tokens) together with the token's hash and an expiry. So:

- signing out deletes the session: a copied cookie stops working at once in the
  process that served the sign-out, and within the cache's ``ttl`` (30 s) elsewhere;
- a session ends ``SESSION_SECONDS`` after sign-in, whatever the browser keeps;
- revoking the token (``sohoa token revoke``) ends every session opened with it;
- the cookie never carries the long-lived token, which would outlive any sign-out.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta

from api.tokens import ExpiringCache, Principal, TokenCache, hash_token
from storage.base import ObjectNotFound, Store

log = logging.getLogger("sohoa.api")

SESSION_PREFIX = "phien_"
SESSIONS_PREFIX = "_system/sessions/"
SESSION_SECONDS = 12 * 3600
SWEEP_EVERY_SECONDS = 3600.0


def session_key(session_hash: str) -> str:
    return f"{SESSIONS_PREFIX}{session_hash}.json"


def _now() -> datetime:
    return datetime.now(UTC)


def _hash_of(session: str | None) -> str | None:
    """The key of a well-formed session value; None for anything else (no store read)."""
    if not session or not session.startswith(SESSION_PREFIX) or len(session) > 200:
        return None
    return hash_token(session)


class Sessions:
    """Open, find and close sessions; answers cached like tokens' (``TokenCache``)."""

    def __init__(self, store: Store, tokens: TokenCache, *, ttl: float = 30.0,
                 negative_ttl: float = 5.0, size: int = 10_000) -> None:
        self._store = store
        self._tokens = tokens
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._entries = ExpiringCache(size)
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()

    def open(self, token: str) -> str:
        """A new session for ``token`` (already checked by the caller); the value for
        the cookie, which exists nowhere else."""
        session = SESSION_PREFIX + secrets.token_urlsafe(32)
        expires = _now() + timedelta(seconds=SESSION_SECONDS)
        entry = {"token_hash": hash_token(token), "expires_at": expires.isoformat()}
        self._store.put(session_key(hash_token(session)),
                        json.dumps(entry).encode("utf-8"), content_type="application/json")
        self._sweep_now_and_then()
        return session

    def close(self, session: str | None) -> None:
        """Sign out: the session is gone for every replica (this one at once)."""
        session_hash = _hash_of(session)
        if session_hash is None:
            return
        self._entries.forget(session_hash)
        self._store.delete(session_key(session_hash))

    def cached(self, session: str | None) -> tuple[bool, Principal | None]:
        """As ``TokenCache.cached``: known without a store read, or not."""
        session_hash = _hash_of(session)
        if session_hash is None:
            return True, None
        return self._entries.get(session_hash)

    def lookup(self, session: str | None) -> Principal | None:
        known, principal = self.cached(session)
        session_hash = _hash_of(session)
        if known or session_hash is None:
            return principal
        principal, remaining = self._read(session_hash)
        seconds = min(self._ttl, remaining) if principal is not None else self._negative_ttl
        self._entries.put(session_hash, principal, seconds)
        return principal

    def _read(self, session_hash: str) -> tuple[Principal | None, float]:
        try:
            entry = json.loads(self._store.get(session_key(session_hash)))
        except ObjectNotFound:
            return None, 0.0
        remaining = (datetime.fromisoformat(entry["expires_at"]) - _now()).total_seconds()
        if remaining <= 0:
            return None, 0.0
        return self._tokens.lookup_hash(str(entry["token_hash"])), remaining

    def _sweep_now_and_then(self) -> None:
        """Delete expired sessions, at most once an hour per process: their number is
        bounded by sign-ins per ``SESSION_SECONDS``, so a listing stays small."""
        with self._sweep_lock:
            if time.monotonic() < self._next_sweep:
                return
            self._next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
        now = _now()
        for info in self._store.list(SESSIONS_PREFIX):
            try:
                entry = json.loads(self._store.get(info.key))
                if datetime.fromisoformat(entry["expires_at"]) <= now:
                    self._store.delete(info.key)
            except ObjectNotFound:
                continue  # signed out meanwhile
            except (ValueError, KeyError) as exc:
                log.warning("unreadable session %s removed: %s", info.key, exc)
                self._store.delete(info.key)
