"""An append-only, hash-chained audit log kept in object storage.

Every entry is its own immutable object at ``audit/entries/{seq // 10000:08d}/{seq:012d}.json``.
The key depends on the sequence number only (not on the clock): two writers racing for
the same sequence number then race for the same key, and the store's put-if-absent
(``ObjectExists`` on different bytes) lets exactly one win; the loser re-reads the head
and retries on the next number, so the chain never forks. A clock-derived key
(``audit/{YYYY}/{MM}/...``) would let two writers on either side of a month boundary, or
with skewed clocks, both "win" the same number.

Each entry's ``hash`` is SHA-256 over the canonical JSON of the entry without its hash
(so including ``seq`` and ``prev_hash``): editing, deleting, inserting or reordering
entries breaks the chain, which ``verify`` reports. Rewriting the whole tail of the
chain consistently is only caught against an anchor (a ``(seq, hash)`` kept elsewhere,
e.g. printed by a previous ``sohoa audit verify``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from storage.base import IntegrityError, ObjectExists, ObjectNotFound, Store

GENESIS_HASH = "0" * 64
PARTITION = 10_000
DEFAULT_PREFIX = "audit/entries/"
_KEY_RE = re.compile(r"^(\d{8})/(\d{12})\.json$")
_MAX_ATTEMPTS = 10_000


class AuditError(Exception):
    """The log could not be read or written."""


def canonical_json(value: Any) -> bytes:
    """The one byte form hashed and stored: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_jsonable,
    ).encode("utf-8")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"audit detail of type {type(value).__name__} is not JSON")


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """Details as they will read back from JSON (dates become ISO strings), so that the
    hash computed now is the hash recomputed from storage later."""
    return dict(json.loads(canonical_json(details)))


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    action: str
    actor: str
    details: dict[str, Any]
    prev_hash: str
    nonce: str
    hash: str

    def body(self) -> dict[str, Any]:
        """The hashed part: everything but the hash itself."""
        return {
            "seq": self.seq,
            "at": self.at,
            "action": self.action,
            "actor": self.actor,
            "details": self.details,
            "prev_hash": self.prev_hash,
            "nonce": self.nonce,
        }

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.body())).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    def to_bytes(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditEntry:
        try:
            return cls(
                seq=int(data["seq"]),
                at=str(data["at"]),
                action=str(data["action"]),
                actor=str(data["actor"]),
                details=dict(data["details"]),
                prev_hash=str(data["prev_hash"]),
                nonce=str(data["nonce"]),
                hash=str(data["hash"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AuditError(f"malformed audit entry: {exc}") from exc

    @classmethod
    def from_bytes(cls, raw: bytes) -> AuditEntry:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AuditError(f"audit entry is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise AuditError("audit entry is not a JSON object")
        return cls.from_dict(data)


@dataclass(frozen=True)
class AuditAnchor:
    """A point of the chain remembered outside the store (seq and its hash)."""

    seq: int
    hash: str


@dataclass
class AuditVerification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    entries: int = 0
    head: AuditAnchor | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": list(self.problems),
            "entries": self.entries,
            "head": None if self.head is None else {"seq": self.head.seq, "hash": self.head.hash},
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class AuditLog:
    """The audit log over ``store``. Safe to share between threads; several processes
    (or machines) may append to the same store at once."""

    def __init__(self, store: Store, *, prefix: str = DEFAULT_PREFIX) -> None:
        if not prefix.endswith("/"):
            raise ValueError("prefix must end with '/'")
        self.store = store
        self.prefix = prefix
        self._lock = threading.Lock()
        # The last head this process saw: a hint that spares a full listing. Correctness
        # comes from storage (put-if-absent, probing forward from the hint).
        self._head: AuditAnchor | None = None

    def key(self, seq: int) -> str:
        return f"{self.prefix}{seq // PARTITION:08d}/{seq:012d}.json"

    def _seq_of(self, key: str) -> int | None:
        match = _KEY_RE.match(key[len(self.prefix) :]) if key.startswith(self.prefix) else None
        return int(match.group(2)) if match else None

    def _read(self, seq: int) -> AuditEntry:
        return AuditEntry.from_bytes(self.store.get(self.key(seq)))

    def _head_by_listing(self) -> AuditAnchor | None:
        last: int | None = None
        for info in self.store.list(self.prefix):
            seq = self._seq_of(info.key)
            if seq is not None and (last is None or seq > last):
                last = seq
        if last is None:
            return None
        return AuditAnchor(last, self._read(last).hash)

    def head(self) -> AuditAnchor | None:
        """The newest entry's sequence number and hash, or ``None`` for an empty log."""
        start = self._head
        if start is None or self.store.head(self.key(start.seq)) is None:
            start = self._head_by_listing()
        if start is None:
            return None
        while True:
            try:
                entry = self._read(start.seq + 1)
            except ObjectNotFound:
                break
            start = AuditAnchor(entry.seq, entry.hash)
        self._head = start
        return start

    def append(self, action: str, actor: str, **details: Any) -> AuditEntry:
        """Add an entry chained to the current head and return it."""
        if not action or not actor:
            raise ValueError("an audit entry needs an action and an actor")
        plain = _plain(details)
        with self._lock:
            for _ in range(_MAX_ATTEMPTS):
                head = self.head()
                seq = 0 if head is None else head.seq + 1
                unsigned = AuditEntry(
                    seq=seq,
                    at=_now(),
                    action=action,
                    actor=actor,
                    details=plain,
                    prev_hash=GENESIS_HASH if head is None else head.hash,
                    # Two racers with identical content would otherwise write identical
                    # bytes, which the store accepts twice as one idempotent write.
                    nonce=uuid.uuid4().hex,
                    hash="",
                )
                entry = dataclasses.replace(unsigned, hash=unsigned.computed_hash())
                try:
                    self.store.put(self.key(seq), entry.to_bytes(), content_type="application/json")
                except ObjectExists:
                    # Another writer took this number: back off a little to spread the
                    # retries, then chain to whatever it wrote.
                    time.sleep(random.uniform(0, 0.002))
                    continue
                self._head = AuditAnchor(seq, entry.hash)
                return entry
        raise AuditError(f"could not append to the audit log after {_MAX_ATTEMPTS} attempts")

    def entries(self, since: int | None = None) -> Iterator[AuditEntry]:
        """Entries in sequence order, from sequence number ``since`` on."""
        for info in self.store.list(self.prefix):
            seq = self._seq_of(info.key)
            if seq is None or (since is not None and seq < since):
                continue
            yield AuditEntry.from_bytes(self.store.get(info.key))

    def verify(self, anchor: AuditAnchor | None = None) -> AuditVerification:
        """Walk the whole chain from storage and report every break in it."""
        problems: list[str] = []
        expected_seq, prev_hash, count = 0, GENESIS_HASH, 0
        head: AuditAnchor | None = None
        anchor_seen = False
        for info in self.store.list(self.prefix):
            seq = self._seq_of(info.key)
            if seq is None or info.key != self.key(seq):
                problems.append(f"unexpected object {info.key} in the audit log")
                continue
            try:
                entry = AuditEntry.from_bytes(self.store.get(info.key))
            except (AuditError, IntegrityError) as exc:
                problems.append(f"entry {seq} unreadable or altered in storage: {exc}")
                expected_seq, prev_hash = seq + 1, "unknown"
                continue
            count += 1
            if seq > expected_seq:
                gap = range(expected_seq, seq)
                span = str(gap[0]) if len(gap) == 1 else f"{gap[0]}-{gap[-1]}"
                problems.append(f"entries {span} missing (deleted?)")
            if entry.seq != seq:
                problems.append(f"entry stored as {seq} says it is {entry.seq} (moved or inserted)")
            if entry.computed_hash() != entry.hash:
                problems.append(f"entry {seq} edited: its content does not match its hash")
            if prev_hash != "unknown" and entry.prev_hash != prev_hash:
                problems.append(
                    f"entry {seq} does not chain to the entry before it (inserted or replaced)"
                )
            if anchor is not None and seq == anchor.seq:
                anchor_seen = True
                if entry.hash != anchor.hash:
                    problems.append(f"entry {seq} differs from the anchor (history rewritten)")
            expected_seq, prev_hash = seq + 1, entry.hash
            head = AuditAnchor(seq, entry.hash)
        if anchor is not None and not anchor_seen:
            problems.append(f"anchored entry {anchor.seq} is missing (log truncated?)")
        known = self._head
        if known is not None and (head is None or head.seq < known.seq):
            problems.append(f"entry {known.seq} written by this process is missing (truncated?)")
        return AuditVerification(ok=not problems, problems=problems, entries=count, head=head)


def format_verification(check: AuditVerification) -> str:
    """What ``sohoa audit verify`` prints (Vietnamese for officers)."""
    head = (
        "nhật ký trống"
        if check.head is None
        else f"mục cuối số {check.head.seq}, mã băm {check.head.hash}"
    )
    lines = [
        f"Nhật ký kiểm toán: {check.entries} mục; {head}",
        "Kết quả: toàn vẹn" if check.ok else f"Kết quả: PHÁT HIỆN {len(check.problems)} vấn đề",
    ]
    lines += [f"  - {problem}" for problem in check.problems]
    if check.head is not None:
        lines.append(
            "Lưu lại mốc (số mục, mã băm) ở nơi khác để lần kiểm tra sau phát hiện việc cắt bớt."
        )
    return "\n".join(lines)
