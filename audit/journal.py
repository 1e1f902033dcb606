"""A durable local intake in front of the audit chain: accept fast, chain shortly after.

Why: an audit entry must be durable before the answer it records leaves (a reuse lookup
tells the portal which papers a citizen has). Writing each entry, or each group of
entries, straight into the hash chain in object storage costs several fsyncs and a race
with the other API processes for the chain's head; under load that was tens of
milliseconds per lookup. The journal makes an entry durable with one SQLite WAL commit
(``synchronous=FULL``: the WAL is fsync'd before the commit returns; about half a
millisecond here), and a *shipper* thread moves journaled entries into the chain every
``ship_seconds``, one segment per shipment. This is the write-ahead pattern of
databases, and of Certificate Transparency logs (a promise now, integration into the
tree within a bounded delay).

Guarantees:
- ``write``/``append`` return only once the entries are in the journal on disk.
- Every journaled entry reaches the chain exactly once, in journal order, even if a
  process dies at any point: a shipment records its intent (the chain head it started
  from) before writing a segment, and the next shipper looks for the drafts' nonces in
  the chain after that head before writing them again.
- Each process keeps its own journal file (no process ever waits for another's write
  lock) and holds a POSIX lock on it while it lives. A journal whose lock is free
  belongs to a dead process: whichever process of the host ships next adopts it, ships
  it and removes it. Several hosts ship into the one chain; put-if-absent on the
  segment key keeps it unforked.

The journal directory must be on the host's own persistent disk
(``SOHOA_AUDIT_JOURNAL``): entries not yet shipped exist only there.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from audit.errors import AuditError
from audit.group import IDLE_SECONDS
from audit.log import (
    MAX_SEGMENT_ENTRIES,
    AuditAnchor,
    AuditDraft,
    AuditEntry,
    AuditLog,
    AuditVerification,
)

log = logging.getLogger(__name__)

SHIP_SECONDS = 0.5
# After a failed shipment (object store down), wait this long at most between tries.
MAX_SHIP_BACKOFF_SECONDS = 30.0
# Five parameters per row; SQLite allows 32766 parameters per statement (since 3.32).
_ROWS_PER_STATEMENT = 1000
_SUFFIX = ".sqlite3"
# The highest chain entry this host has seen written, ``SEQ:HASH`` (see
# AuditJournal._remember_head).
HIGH_WATER_NAME = "chain-seen-up-to"
_LOCK_SUFFIX = ".lock"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    details TEXT NOT NULL,
    nonce TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS shipping (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    after_seq INTEGER NOT NULL,
    last_id INTEGER NOT NULL
);
"""


class JournalFile:
    """One journal: its drafts, and the intent of a shipment in progress. Connections
    are per thread (SQLite's rule) and per process (never inherited across a fork)."""

    def __init__(self, path: Path, *, create: bool) -> None:
        self.path = path
        self._create = create
        self._local = threading.local()
        if create:
            # Entries name citizens (ID numbers, names, birth dates): owner-only, and
            # SQLite gives the -wal and -shm files the database file's permissions.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        # Also for an adopted journal: one whose process died before creating the
        # tables then holds none, and ships as empty.
        self._db().executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            # mode=rw: adopting a dead process's journal must never create an empty one.
            mode = "rwc" if self._create else "rw"
            db = sqlite3.connect(f"file:{quote(str(self.path))}?mode={mode}", uri=True,
                                 timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # FULL: the WAL is fsync'd at every commit, so an accepted entry survives a
            # power cut (NORMAL would only survive a process crash).
            db.execute("PRAGMA synchronous=FULL")
            # No checkpoint inside an accepting commit (it would fsync the database file
            # on a request's path): the shipper checkpoints after each shipment.
            db.execute("PRAGMA wal_autocheckpoint=0")
            local.db, local.pid = db, os.getpid()
        connection: sqlite3.Connection = local.db
        return connection

    def insert(self, drafts: list[AuditDraft]) -> None:
        rows = [(d.at, d.action, d.actor, json.dumps(d.details, ensure_ascii=False), d.nonce)
                for d in drafts]
        if len(rows) > _ROWS_PER_STATEMENT:  # beyond SQLite's limit on parameters
            with self._transaction() as db:
                db.executemany(
                    "INSERT INTO drafts (at, action, actor, details, nonce) "
                    "VALUES (?, ?, ?, ?, ?)", rows,
                )
            return
        # One statement in autocommit mode: one call into SQLite, one fsync.
        values = ", ".join(["(?, ?, ?, ?, ?)"] * len(rows))
        self._db().execute(
            f"INSERT INTO drafts (at, action, actor, details, nonce) VALUES {values}",
            [field for row in rows for field in row],
        )

    def count(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM drafts").fetchone()[0])

    def ship_into(self, chain: AuditLog, max_entries: int) -> int:
        """Move every draft into ``chain``, ``max_entries`` per segment; return how many."""
        try:
            shipped = self._recover(chain)
            while True:
                rows = self._db().execute(
                    "SELECT id, at, action, actor, details, nonce FROM drafts "
                    "ORDER BY id LIMIT ?", (max_entries,),
                ).fetchall()
                if not rows:
                    return shipped
                drafts = [
                    AuditDraft(action=action, actor=actor, details=json.loads(details),
                               at=at, nonce=nonce)
                    for _, at, action, actor, details, nonce in rows
                ]
                head = chain.head()
                last_id = int(rows[-1][0])
                # Each transaction is one call into SQLite (one statement in autocommit
                # mode, or one script): the journal's write lock is never held while
                # this thread waits for the GIL, so a request's commit never waits long.
                self._db().execute(
                    "INSERT OR REPLACE INTO shipping (one, after_seq, last_id) VALUES (1, ?, ?)",
                    (-1 if head is None else head.seq, last_id),
                )
                chain.write(drafts)
                self._db().executescript(
                    f"BEGIN IMMEDIATE; DELETE FROM drafts WHERE id <= {last_id}; "
                    "DELETE FROM shipping; COMMIT;"
                )
                shipped += len(rows)
        finally:
            # Even when the chain cannot be written, the WAL must not grow forever.
            self._db().execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _recover(self, chain: AuditLog) -> int:
        """Finish a shipment that died half done: drafts already written into the chain
        leave the journal; the others stay to be shipped. Returns how many left."""
        intent = self._db().execute("SELECT after_seq, last_id FROM shipping").fetchone()
        if intent is None:
            return 0
        after_seq, last_id = intent
        nonces = {
            nonce for (nonce,) in self._db().execute(
                "SELECT nonce FROM drafts WHERE id <= ?", (last_id,)
            )
        }
        shipped = [
            entry.nonce for entry in chain.entries(since=after_seq + 1)
            if entry.nonce in nonces
        ]
        with self._transaction() as db:
            db.executemany("DELETE FROM drafts WHERE nonce = ?", [(n,) for n in shipped])
            db.execute("DELETE FROM shipping")
        log.info("audit journal %s: finished an interrupted shipment (%d of %d entries "
                 "were already in the chain)", self.path, len(shipped), len(nonces))
        return len(shipped)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        db = getattr(self._local, "db", None)
        if db is not None and self._local.pid == os.getpid():
            db.close()
        self._local = threading.local()

    def remove(self) -> None:
        """Delete the journal's files (the database first, its lock file last)."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.path.with_suffix(_LOCK_SUFFIX).unlink(missing_ok=True)


# The journals this process owns, by process id. POSIX locks belong to a process, so
# ``lockf`` always "succeeds" on a lock the same process holds: without this record, a
# second AuditJournal in one process (a test, a CLI command run in-process) would adopt
# and remove a journal still in use. Keyed by pid: a forked child owns none of these.
_OWNED: set[tuple[int, Path]] = set()
_OWNED_LOCK = threading.Lock()


def _owned_here(lock_path: Path) -> bool:
    with _OWNED_LOCK:
        return (os.getpid(), lock_path) in _OWNED


def _try_lock(path: Path) -> int | None:
    """An fd holding an exclusive POSIX lock on ``path``, or None if a live process
    holds it (or the file is gone). POSIX locks, unlike flock, are not inherited by a
    forked child: a child never keeps its dead parent's journal looking alive."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _set_aside(journal_path: Path) -> None:
    """Move a journal SQLite cannot read, with its -wal and -shm (which hold whatever
    it had not checkpointed), out of the way as ``*.damaged*`` for a person to inspect."""
    damaged = journal_path.with_name(journal_path.name + ".damaged")
    log.error("audit journal %s is unreadable; moved to %s for inspection",
              journal_path, damaged.name, exc_info=True)
    for suffix in ("-wal", "-shm"):
        side = journal_path.with_name(journal_path.name + suffix)
        if side.exists():
            side.rename(damaged.with_name(damaged.name + suffix))
    journal_path.rename(damaged)
    journal_path.with_suffix(_LOCK_SUFFIX).unlink(missing_ok=True)


class AuditJournal:
    """The audit log as the API and the CLI use it: ``append``/``write`` return once
    the entries are durable in this process's journal; ``flush`` ships every journaled
    entry (this process's, and those dead processes left) into ``log``'s chain;
    ``entries``, ``head`` and ``verify`` flush first, so they see every accepted entry.
    Safe to share between threads."""

    def __init__(
        self, log: AuditLog, directory: Path, *, ship_seconds: float = SHIP_SECONDS,
        max_segment_entries: int = MAX_SEGMENT_ENTRIES,
        on_written: Callable[[list[AuditDraft]], object] | None = None,
    ) -> None:
        self.log = log
        # Told of the entries once journaled (the statistics count reuse events as they
        # happen); a failure there is logged, never the caller's: the entry is durable.
        self.on_written = on_written
        self.directory = directory
        self.ship_seconds = ship_seconds
        self.max_segment_entries = max_segment_entries
        # This process's journal, created on its first entry (a command that audits
        # nothing leaves no file behind).
        self._own: JournalFile | None = None
        self._own_pid: int | None = None
        self._own_lock_fd: int | None = None
        self._own_mutex = threading.Lock()
        self._shipping = threading.Lock()  # one shipment at a time in this process
        self._ship_changed = threading.Condition()
        self._ship_due = False
        self._shipper_pid: int | None = None
        self._closed = False
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self._orphans():  # left by processes that died before shipping
            self._wake_shipper()

    # -- accepting -------------------------------------------------------------------

    def append(self, action: str, actor: str, **details: Any) -> AuditDraft:
        """Accept an entry; return it once durable in the journal."""
        return self.write([AuditDraft.new(action, actor, details)])[0]

    def write(self, drafts: list[AuditDraft]) -> list[AuditDraft]:
        """Make ``drafts`` durable in the journal, in one commit; return them.

        Cheap enough (one local fsync) to call on an event loop: measured, that beats
        handing the write to a thread, whose GIL handoffs a busy loop makes slow."""
        if self._closed:
            raise AuditError("the audit journal is closed")
        if drafts:
            try:
                self._journal().insert(drafts)
            except (OSError, sqlite3.Error) as exc:  # disk full, journal unwritable
                raise AuditError(
                    f"audit entry not journaled: {type(exc).__name__}: {exc}"
                ) from exc
            self._wake_shipper()
            if self.on_written is not None:
                try:
                    self.on_written(drafts)
                except Exception:
                    log.exception("audit entries journaled but not passed on")
        return drafts

    def pending(self) -> int:
        """Entries durable in this process's journal and not yet in the chain."""
        own = self._own if self._own_pid == os.getpid() else None
        return 0 if own is None else own.count()

    def _journal(self) -> JournalFile:
        with self._own_mutex:
            if self._own is None or self._own_pid != os.getpid():
                self._own, self._own_lock_fd = self._create_journal()
                self._own_pid = os.getpid()
            return self._own

    def _create_journal(self) -> tuple[JournalFile, int]:
        name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        lock_path = self.directory / f"{name}{_LOCK_SUFFIX}"
        # Locked before it is visible under its name: a lock file another process can
        # lock always belongs to a dead process.
        staging = self.directory / f".{name}{_LOCK_SUFFIX}"
        fd = os.open(staging, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with _OWNED_LOCK:
            _OWNED.add((os.getpid(), lock_path))
        os.rename(staging, lock_path)
        return JournalFile(self.directory / f"{name}{_SUFFIX}", create=True), fd

    # -- reading (every accepted entry included) ---------------------------------------

    def entries(self, since: int | None = None) -> Iterator[AuditEntry]:
        self.flush()
        return self.log.entries(since=since)

    def head(self) -> AuditAnchor | None:
        self.flush()
        return self.log.head()

    def verify(self, anchor: AuditAnchor | None = None) -> AuditVerification:
        """The chain's check, plus this host's memory of it: a chain that ends before
        an entry this host saw written was truncated, however consistent the rest."""
        try:
            self.flush()
        except AuditError as exc:
            log.warning("verifying without shipping this host's journals: %s", exc)
        check = self.log.verify(anchor)
        seen, seen_hash = self._seen()
        if seen is not None and (check.head is None or check.head.seq < seen):
            check.ok = False
            check.problems.append(f"entry {seen}, seen written by this host, is missing "
                                  "(log truncated)")
        elif seen is not None and seen_hash is not None and self._hash_at(seen) != seen_hash:
            # The chain still reaches that far and is consistent, yet the entry there is
            # not the one this host saw: its tail was rewritten, hashes recomputed.
            check.ok = False
            check.problems.append(f"entry {seen} differs from the one this host saw written "
                                  "(history rewritten)")
        return check

    def _hash_at(self, seq: int) -> str | None:
        for entry in self.log.entries(since=seq):
            return entry.hash if entry.seq == seq else None
        return None

    # -- shipping ----------------------------------------------------------------------

    def flush(self) -> int:
        """Ship every entry journaled so far into the chain (waiting for a shipment in
        progress in this process); return how many were shipped. Raises
        ``AuditError`` if the chain cannot be written."""
        try:
            return self._ship(wait=True)
        except AuditError:
            raise
        except Exception as exc:
            raise AuditError(f"audit journal not shipped: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Stop shipping in the background and ship what is left. A journal that could
        not be shipped stays on disk for the next process to adopt."""
        with self._ship_changed:
            self._closed = True
            self._ship_changed.notify_all()
        try:
            self.flush()
        except AuditError as exc:
            log.warning("audit journal in %s: %d entries left to ship later: %s",
                        self.directory, self.pending(), exc)
        with self._own_mutex:
            own, fd = self._own, self._own_lock_fd
            mine = self._own_pid == os.getpid()
            self._own = self._own_lock_fd = self._own_pid = None
        if own is not None and fd is not None and mine:
            if own.count() == 0:
                own.remove()
            own.close()
            os.close(fd)  # releases the lock: what is left is adopted later
            with _OWNED_LOCK:
                _OWNED.discard((os.getpid(), own.path.with_suffix(_LOCK_SUFFIX)))

    def _ship(self, *, wait: bool) -> int:
        if not self._shipping.acquire(blocking=wait):
            return 0  # this process's other shipper is at it
        try:
            self._refuse_truncated_chain()
            own = self._own if self._own_pid == os.getpid() else None
            shipped = 0 if own is None else own.ship_into(self.log, self.max_segment_entries)
            shipped += self._ship_orphans()
            if shipped:
                self._remember_head()
            return shipped
        finally:
            self._shipping.release()

    # -- the host's memory of the chain ------------------------------------------------
    #
    # A hash chain cannot show that its newest entries were cut off, or rewritten with
    # their hashes recomputed: what is left is a consistent chain. Each host therefore
    # remembers the highest entry it has seen written, number and hash, outside the
    # store: a chain that ends before it was truncated (and writing on would reuse the
    # numbers of the entries that were cut); one that holds another entry there was
    # rewritten.

    @property
    def _high_water_path(self) -> Path:
        return self.directory / HIGH_WATER_NAME

    def seen_up_to(self) -> int | None:
        """The highest entry number this host has seen in the chain (None: none yet)."""
        return self._seen()[0]

    def _seen(self) -> tuple[int | None, str | None]:
        """The highest entry this host has seen in the chain: its number and its hash
        (``SEQ:HASH``; a file from before the hash was kept holds only ``SEQ``)."""
        try:
            text = self._high_water_path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None, None
        seq, _, digest = text.partition(":")
        try:
            return int(seq), (digest or None)
        except ValueError:
            log.error("%s is unreadable; the truncation check is off until the next "
                      "shipment rewrites it", self._high_water_path)
            return None, None

    def _refuse_truncated_chain(self) -> None:
        # The number only: the log's head may come from this process's cache, so its
        # hash would not show a rewrite; ``verify`` reads the chain and compares it.
        seen = self.seen_up_to()
        if seen is None:
            return
        head = self.log.head()
        if head is None or head.seq < seen:
            ends = "is empty" if head is None else f"ends at entry {head.seq}"
            raise AuditError(
                f"the audit chain {ends} but this host saw entry {seen} in it: it was "
                "truncated; nothing more is written until an administrator has checked it "
                "(sohoa audit verify)"
            )

    def _remember_head(self) -> None:
        head = self.log.head()
        seen = self.seen_up_to()
        if head is None or (seen is not None and head.seq <= seen):
            return
        tmp = self._high_water_path.with_name(f".{HIGH_WATER_NAME}.{os.getpid()}")
        with open(tmp, "w", encoding="ascii") as handle:
            # The hash too: a number alone cannot tell a rewritten tail (same length,
            # hashes recomputed) from the one this host saw.
            handle.write(f"{head.seq}:{head.hash}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self._high_water_path)

    def _orphans(self) -> list[Path]:
        """Lock files of journals this process does not own (their owners may be alive)."""
        return sorted(p for p in self.directory.glob(f"*{_LOCK_SUFFIX}")
                      if not p.name.startswith(".") and not _owned_here(p))

    def _ship_orphans(self) -> int:
        shipped = 0
        for lock_path in self._orphans():
            fd = _try_lock(lock_path)
            if fd is None:
                continue  # its process is alive and ships it itself
            try:
                journal_path = lock_path.with_suffix(_SUFFIX)
                if journal_path.exists():
                    shipped += self._adopt(journal_path)
                else:
                    lock_path.unlink(missing_ok=True)
            finally:
                os.close(fd)
        return shipped

    def _adopt(self, journal_path: Path) -> int:
        """Ship a dead process's journal and remove it. One SQLite cannot read is set
        aside as ``*.damaged`` for a person to look at, rather than blocking every
        shipment after it; an unreachable chain still raises."""
        try:
            orphan = JournalFile(journal_path, create=False)
        except sqlite3.OperationalError:
            # Disk full, I/O error, locked: the journal may be fine and its unshipped
            # entries sit in its -wal file. Leave all of it for the next attempt.
            raise
        except sqlite3.DatabaseError:  # not a database at all
            _set_aside(journal_path)
            return 0
        try:
            count = orphan.ship_into(self.log, self.max_segment_entries)
        finally:
            orphan.close()
        if count:
            log.info("audit journal %s: shipped %d entries a dead process left",
                     journal_path.name, count)
        orphan.remove()
        return count

    def _wake_shipper(self) -> None:
        with self._ship_changed:
            self._ship_due = True
            if self._shipper_pid != os.getpid() and not self._closed:
                self._shipper_pid = os.getpid()
                threading.Thread(
                    target=self._ship_loop, name="sohoa-audit-shipper", daemon=True
                ).start()

    def _ship_loop(self) -> None:
        wait = self.ship_seconds
        idle = 0.0
        while True:
            with self._ship_changed:
                # Waiting first gathers a shipment's worth of entries into one segment.
                self._ship_changed.wait(timeout=wait)
                if self._closed:
                    self._shipper_pid = None
                    return
                due, self._ship_due = self._ship_due, False
            try:
                self._ship(wait=False)
            except Exception:
                log.warning("audit journal in %s: shipping failed, retrying in %.1f s",
                            self.directory, wait, exc_info=True)
                wait = min(MAX_SHIP_BACKOFF_SECONDS, max(wait * 2, self.ship_seconds))
                with self._ship_changed:
                    self._ship_due = True
                continue
            wait = self.ship_seconds
            with self._ship_changed:
                if due or self._ship_due:
                    idle = 0.0
                    continue
                idle += wait
                if idle >= IDLE_SECONDS:
                    self._shipper_pid = None
                    return
