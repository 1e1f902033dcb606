"""An append-only, hash-chained audit log kept in object storage, with group commit.

Entries are written in *segments*: one immutable object holding one or more consecutive
entries, at ``audit/segments/{first // 10000:08d}/{first:012d}.json`` where ``first`` is
the sequence number of its first entry. Concurrent ``append`` calls in one process are
gathered into one segment and acknowledged together once that object is durable, so N
callers pay one durable write (one fsync'd object on disk: ~26 ms here) instead of N.

The key depends on the first sequence number only (not on the clock, nor on how many
entries the segment holds): two writers racing for the next number race for the same
key, and the store's put-if-absent (``ObjectExists`` on different bytes) lets exactly one
win; the loser re-reads the head and re-chains its pending entries after the winner's,
so the chain never forks. A key carrying the segment's last number too, or a
clock-derived key, would let two writers both "win" overlapping numbers.

Each entry's ``hash`` is SHA-256 over the canonical JSON of the entry without its hash
(so including ``seq`` and ``prev_hash``), and every entry chains to the one before it,
inside a segment and across segments: editing, deleting, inserting or reordering entries
breaks the chain, which ``verify`` reports. Rewriting the whole tail of the chain
consistently is only caught against an anchor (a ``(seq, hash)`` kept elsewhere, e.g.
printed by a previous ``sohoa audit verify``), or against the head each host's journal
remembers having written (``audit.journal``: ``sohoa audit verify`` without
``--anchor``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from audit.errors import AuditError
from audit.group import GroupCommit
from storage.base import IntegrityError, ObjectExists, ObjectNotFound, Store

GENESIS_HASH = "0" * 64
PARTITION = 10_000
DEFAULT_PREFIX = "audit/segments/"
_KEY_RE = re.compile(r"^(\d{8})/(\d{12})\.json$")
_MAX_ATTEMPTS = 10_000
# Bounds a segment object (a few hundred KiB at most) and one commit's latency.
MAX_SEGMENT_ENTRIES = 256


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

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> AuditAnchor:
        """``SEQ:HASH`` as ``sohoa audit verify`` prints it; ``ValueError`` otherwise."""
        seq, sep, digest = text.strip().partition(":")
        if not (sep and seq.isdigit() and re.fullmatch(r"[0-9a-f]{64}", digest)):
            raise ValueError(f"not an anchor (SEQ:SHA-256 hex): {text!r}")
        return cls(int(seq), digest)


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


def encode_segment(entries: list[AuditEntry]) -> bytes:
    """The stored form of a segment: its entries in order, canonical JSON."""
    return canonical_json({"entries": [entry.to_dict() for entry in entries]})


def decode_segment(raw: bytes) -> list[AuditEntry]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AuditError(f"audit segment is not JSON: {exc}") from exc
    items = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise AuditError("audit segment holds no list of entries")
    if not all(isinstance(item, dict) for item in items):
        raise AuditError("audit segment holds something other than entries")
    return [AuditEntry.from_dict(item) for item in items]


@dataclass(frozen=True)
class AuditDraft:
    """An entry accepted but not yet numbered and chained: what a journal keeps."""

    action: str
    actor: str
    details: dict[str, Any]
    at: str
    # Two racers with identical content would otherwise write identical bytes, which
    # the store accepts twice as one idempotent write; it also lets a journal find
    # its drafts in the chain after a crash.
    nonce: str

    @classmethod
    def new(cls, action: str, actor: str, details: dict[str, Any]) -> AuditDraft:
        if not action or not actor:
            raise ValueError("an audit entry needs an action and an actor")
        return cls(action, actor, _plain(details), _now(), uuid.uuid4().hex)


def chain(drafts: list[AuditDraft], head: AuditAnchor | None) -> list[AuditEntry]:
    """The drafts numbered and hash-chained after ``head``."""
    seq = 0 if head is None else head.seq + 1
    prev_hash = GENESIS_HASH if head is None else head.hash
    entries: list[AuditEntry] = []
    for offset, item in enumerate(drafts):
        unsigned = AuditEntry(
            seq=seq + offset, at=item.at, action=item.action, actor=item.actor,
            details=item.details, prev_hash=prev_hash, nonce=item.nonce, hash="",
        )
        entry = dataclasses.replace(unsigned, hash=unsigned.computed_hash())
        entries.append(entry)
        prev_hash = entry.hash
    return entries


class AuditSink(Protocol):
    """Whatever makes drafted entries durable before ``write`` returns: ``AuditLog`` or
    ``AuditJournal``. What ``application.audited.AuditTrail``, the one writer of audit
    entries, writes through."""

    def write(self, drafts: list[AuditDraft]) -> object: ...


@dataclass(frozen=True)
class _Tail:
    """The newest segment this process knows of: its first number, and the head."""

    first: int
    head: AuditAnchor


class AuditLog:
    """The audit log over ``store``. Safe to share between threads; several processes
    (or machines) may append to the same store at once.

    Group commit: ``submit`` queues an entry and returns a future; one writer thread
    per log takes every entry queued at that moment and writes them as one segment,
    while the next ones queue up behind that write. A future resolves only once its
    entry is durable (or with the write's error). ``append`` is ``submit(...).result()``.
    ``write(drafts)`` chains and stores drafts accepted elsewhere (a journal's).
    """

    def __init__(
        self, store: Store, *, prefix: str = DEFAULT_PREFIX,
        max_segment_entries: int = MAX_SEGMENT_ENTRIES,
    ) -> None:
        if not prefix.endswith("/"):
            raise ValueError("prefix must end with '/'")
        self.store = store
        self.prefix = prefix
        self._group: GroupCommit[AuditDraft, AuditEntry] = GroupCommit(
            self.write, max_batch=max_segment_entries, name="sohoa-audit"
        )
        # The last tail this process saw: a hint that spares a full listing. Correctness
        # comes from storage (put-if-absent, probing forward from the hint).
        self._tail: _Tail | None = None

    @property
    def max_segment_entries(self) -> int:
        return self._group.max_batch

    def queued(self) -> int:
        """Entries waiting for a write that has not started yet."""
        return self._group.queued()

    def key(self, first: int) -> str:
        """The key of the segment whose first entry is number ``first``."""
        return f"{self.prefix}{first // PARTITION:08d}/{first:012d}.json"

    def _first_of(self, key: str) -> int | None:
        match = _KEY_RE.match(key[len(self.prefix) :]) if key.startswith(self.prefix) else None
        return int(match.group(2)) if match else None

    def _segments(self) -> Iterator[tuple[int, str]]:
        """(first number, key) of every segment, in order; stray keys are skipped."""
        for info in self.store.list(self.prefix):
            first = self._first_of(info.key)
            if first is not None and info.key == self.key(first):
                yield first, info.key

    def _read(self, first: int) -> list[AuditEntry]:
        return decode_segment(self.store.get(self.key(first)))

    def _tail_of(self, entries: list[AuditEntry]) -> _Tail:
        last = entries[-1]
        return _Tail(entries[0].seq, AuditAnchor(last.seq, last.hash))

    def _tail_by_listing(self) -> _Tail | None:
        last: int | None = None
        for first, _ in self._segments():
            last = first if last is None else max(last, first)
        return None if last is None else self._tail_of(self._read(last))

    def head(self) -> AuditAnchor | None:
        """The newest entry's sequence number and hash, or ``None`` for an empty log."""
        tail = self._tail
        if tail is None or self.store.head(self.key(tail.first)) is None:
            tail = self._tail_by_listing()
        if tail is None:
            return None
        while True:
            try:
                entries = self._read(tail.head.seq + 1)
            except ObjectNotFound:
                break
            tail = self._tail_of(entries)
        self._tail = tail
        return tail.head

    def append(self, action: str, actor: str, **details: Any) -> AuditEntry:
        """Add an entry chained to the current head; return it once it is durable."""
        return self.submit(action, actor, **details).result()

    def submit(self, action: str, actor: str, **details: Any) -> Future[AuditEntry]:
        """Queue an entry; the future gives it once durable. An async caller awaits
        ``asyncio.wrap_future(...)`` instead of holding a thread while it waits."""
        return self._group.submit(AuditDraft.new(action, actor, details))

    def write(self, drafts: list[AuditDraft]) -> list[AuditEntry]:
        """Write ``drafts`` as one segment after the head, re-chaining them after
        whatever another writer stored first; return them as chained, once durable."""
        for _ in range(_MAX_ATTEMPTS):
            entries = chain(drafts, self.head())
            try:
                self.store.put(
                    self.key(entries[0].seq), encode_segment(entries),
                    content_type="application/json",
                )
            except ObjectExists:
                # Another writer took this number: back off a little to spread the
                # retries, then chain to whatever it wrote.
                time.sleep(random.uniform(0, 0.002))
                continue
            self._tail = self._tail_of(entries)
            return entries
        raise AuditError(f"could not append to the audit log after {_MAX_ATTEMPTS} attempts")

    def entries(self, since: int | None = None) -> Iterator[AuditEntry]:
        """Entries in sequence order, from sequence number ``since`` on."""
        held: str | None = None
        for first, key in self._segments():
            # A segment is read only if it may hold entries from ``since`` on: the next
            # segment's first number bounds it.
            if held is not None and (since is None or first > since):
                yield from self._from(held, since)
            held = key
        if held is not None:
            yield from self._from(held, since)

    def _from(self, key: str, since: int | None) -> Iterator[AuditEntry]:
        for entry in decode_segment(self.store.get(key)):
            if since is None or entry.seq >= since:
                yield entry

    def verify(self, anchor: AuditAnchor | None = None) -> AuditVerification:
        """Walk the whole chain from storage and report every break in it."""
        walk = _Walk(anchor)
        for info in self.store.list(self.prefix):
            first = self._first_of(info.key)
            if first is None or info.key != self.key(first):
                walk.problems.append(f"unexpected object {info.key} in the audit log")
                continue
            try:
                entries = decode_segment(self.store.get(info.key))
            except (AuditError, IntegrityError) as exc:
                walk.problems.append(
                    f"segment {first} unreadable or altered in storage: {exc}"
                )
                walk.lost_track()
                continue
            if entries[0].seq != first:
                walk.problems.append(
                    f"segment stored as {first} says it starts at {entries[0].seq} "
                    "(moved or inserted)"
                )
            for entry in entries:
                walk.check(entry)
        return walk.result(self._tail)


@dataclass
class _Walk:
    """What ``verify`` knows while it walks the chain entry by entry."""

    anchor: AuditAnchor | None
    problems: list[str] = field(default_factory=list)
    expected_seq: int | None = 0
    prev_hash: str | None = GENESIS_HASH
    count: int = 0
    head: AuditAnchor | None = None
    anchor_seen: bool = False

    def lost_track(self) -> None:
        """An unreadable segment: the next entry cannot be checked against it."""
        self.expected_seq, self.prev_hash = None, None

    def check(self, entry: AuditEntry) -> None:
        seq = entry.seq
        self.count += 1
        if self.expected_seq is not None and seq > self.expected_seq:
            gap = range(self.expected_seq, seq)
            span = str(gap[0]) if len(gap) == 1 else f"{gap[0]}-{gap[-1]}"
            self.problems.append(f"entries {span} missing (deleted?)")
        elif self.expected_seq is not None and seq < self.expected_seq:
            self.problems.append(
                f"entry {seq} found after entry {self.expected_seq - 1} (inserted or reordered)"
            )
        if entry.computed_hash() != entry.hash:
            self.problems.append(f"entry {seq} edited: its content does not match its hash")
        if self.prev_hash is not None and entry.prev_hash != self.prev_hash:
            self.problems.append(
                f"entry {seq} does not chain to the entry before it (inserted or replaced)"
            )
        if self.anchor is not None and seq == self.anchor.seq:
            self.anchor_seen = True
            if entry.hash != self.anchor.hash:
                self.problems.append(f"entry {seq} differs from the anchor (history rewritten)")
        self.expected_seq, self.prev_hash = seq + 1, entry.hash
        self.head = AuditAnchor(seq, entry.hash)

    def result(self, known: _Tail | None) -> AuditVerification:
        if self.anchor is not None and not self.anchor_seen:
            self.problems.append(f"anchored entry {self.anchor.seq} is missing (log truncated?)")
        if known is not None and (self.head is None or self.head.seq < known.head.seq):
            self.problems.append(
                f"entry {known.head.seq} written by this process is missing (truncated?)"
            )
        return AuditVerification(
            ok=not self.problems, problems=list(self.problems), entries=self.count,
            head=self.head,
        )

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
            f"Mốc: {check.head} — lưu ở nơi khác, lần sau kiểm tra với --anchor {check.head} "
            "để phát hiện việc cắt bớt hoặc viết lại."
        )
    return "\n".join(lines)
