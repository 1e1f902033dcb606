"""Bearer tokens: created once, kept only as a hash, looked up through a small cache.

A token is 32 random bytes (256 bits) from ``secrets``. At rest we keep only its
SHA-256, as ``_system/tokens/{sha256}.json`` in the object store, so every API replica
sees the same tokens and a copy of the store holds nothing that signs a request in.
A plain hash is enough here, unlike for passwords: slow, salted hashes (bcrypt,
argon2) exist to slow down guessing low-entropy secrets, but nobody can enumerate
2^256 candidates, so one fast hash is as safe and lets a request find its token by
key in O(1) without a comparison loop.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from records import utc_now
from storage.base import ObjectNotFound, Store
from storage.layout import normalize_agency

TOKEN_PREFIX = "sohoa_"
TOKENS_PREFIX = "_system/tokens/"


class Role(StrEnum):
    ARCHIVIST = "archivist"
    OFFICER = "officer"
    PORTAL = "portal"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's role and agency, and a short id for audit trails."""

    role: Role
    agency: str
    token_id: str
    label: str | None = None
    created_at: str | None = None

    @property
    def actor(self) -> str:
        """The name audit entries carry: role, agency and the token's public id."""
        return f"{self.role}:{self.agency}:{self.token_id}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["role"] = str(self.role)
        return data


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_id_of(token: str) -> str:
    """A token's public id: the start of its hash, safe to print and to log."""
    return hash_token(token)[:12]


def token_key(token_hash: str) -> str:
    return f"{TOKENS_PREFIX}{token_hash}.json"


def create_token(store: Store, *, role: Role, agency: str, label: str | None = None) -> str:
    """Make a token, store its hash, and return the token: the only time it exists."""
    agency = normalize_agency(agency)  # as records carry it, or access would not match
    token = new_token()
    token_hash = hash_token(token)
    entry = {
        "role": str(role),
        "agency": agency,
        "token_id": token_id_of(token),
        "label": label,
        "created_at": utc_now(),
    }
    store.put(
        token_key(token_hash),
        json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        content_type="application/json",
    )
    return token


def list_tokens(store: Store) -> list[Principal]:
    """Every token's public side (role, agency, id, label, date), oldest first."""
    found: list[Principal] = []
    for info in store.list(TOKENS_PREFIX):
        if not info.key.endswith(".json"):
            continue
        try:
            found.append(_principal(json.loads(store.get(info.key))))
        except ObjectNotFound:  # revoked while listing
            continue
    return sorted(found, key=lambda p: (p.created_at or "", p.token_id))


def revoke_token(store: Store, token_id: str) -> Principal:
    """Delete the token whose public id (``token_id``, as in audit actors) or full
    token is given; return what it was. Raises ``KeyError`` if none matches.
    API processes stop accepting it within their cache's ``ttl`` (30 s)."""
    wanted = token_id_of(token_id) if token_id.startswith(TOKEN_PREFIX) else token_id
    if len(wanted) != 12:
        raise KeyError(token_id)
    for info in store.list(f"{TOKENS_PREFIX}{wanted}"):
        principal = _principal(json.loads(store.get(info.key)))
        store.delete(info.key)
        return principal
    raise KeyError(token_id)


def _principal(entry: dict[str, Any]) -> Principal:
    return Principal(
        role=Role(entry["role"]),
        agency=str(entry["agency"]),
        token_id=str(entry["token_id"]),
        label=entry.get("label"),
        created_at=entry.get("created_at"),
    )


class ExpiringCache:
    """A small thread-safe map of hash → answer, each answer kept until its deadline:
    what lets a request find its caller without a store read."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, Principal | None]:
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return True, entry[1]
        return False, None

    def put(self, key: str, value: Principal | None, seconds: float) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self._size:
                self._evict(now)
            self._entries[key] = (now + seconds, value)

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def _evict(self, now: float) -> None:
        expired = [k for k, (exp, _) in self._entries.items() if exp <= now]
        for key in expired or list(self._entries)[: self._size // 10 or 1]:
            del self._entries[key]


class TokenCache:
    """Token hash → principal, read from the store at most once per ``ttl`` seconds.

    Negative answers are cached too (briefly) so a client hammering with a bad token
    does not turn into store reads. A revoked token stops working within ``ttl``.
    """

    def __init__(
        self, store: Store, *, ttl: float = 30.0, negative_ttl: float = 5.0, size: int = 10_000
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._entries = ExpiringCache(size)

    def cached(self, token: str) -> tuple[bool, Principal | None]:
        """``(True, principal-or-None)`` when the answer is known without the store (a
        malformed token, or a fresh cache entry); ``(False, None)`` when ``lookup``
        would read the store. Lets an async caller skip the thread hop on a hit."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return True, None
        return self._entries.get(hash_token(token))

    def lookup(self, token: str) -> Principal | None:
        known, principal = self.cached(token)
        if known:
            return principal
        return self.lookup_hash(hash_token(token))

    def lookup_hash(self, token_hash: str) -> Principal | None:
        """The principal of the token whose hash is ``token_hash`` (a session knows
        only that), through the same cache."""
        known, principal = self._entries.get(token_hash)
        if known:
            return principal
        principal = self._read(token_hash)
        self._entries.put(token_hash, principal,
                          self._ttl if principal is not None else self._negative_ttl)
        return principal

    def _read(self, token_hash: str) -> Principal | None:
        try:
            entry = json.loads(self._store.get(token_key(token_hash)))
        except ObjectNotFound:
            return None
        return _principal(entry)
