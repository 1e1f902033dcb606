"""The watcher's journal: what it took and what became of it, across restarts.

One JSON object per line, appended and flushed to disk before the watcher acts on it.
A file's entry is keyed by its path, size and mtime (``Seen.key``) and carries its
content's SHA-256:

- ``taken``: about to be digitized. A restart finds it without a ``finished`` and
  digitizes the file again; the archive skips content it already stored (by SHA-256),
  so a file whose record was committed before the crash is not stored twice.
- ``finished``: its outcome (ingested, skipped, failed) is known and the file is being
  moved away. A restart that still finds the file (the crash came before the move)
  only moves it: it is not digitized again.

A torn last line (the process died while writing it) is ignored: that entry's action
was not taken either, since every entry is written before its action.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from records.model import utc_now

log = logging.getLogger("sohoa.watch")


class Event(StrEnum):
    TAKEN = "taken"
    FINISHED = "finished"


@dataclass(frozen=True)
class Entry:
    event: Event
    key: str
    relative: str
    sha256: str
    status: str | None = None  # finished: ingested / skipped / failed
    code: str | None = None
    message: str | None = None  # Vietnamese reason of a failure
    record_id: str | None = None
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["event"] = self.event.value
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(**{**data, "event": Event(data["event"])})


class Journal:
    """The append-only journal file and the latest entry of each key, read at start."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.latest: dict[str, Entry] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            self._load()
        self._fh = path.open("a", encoding="utf-8")

    def _load(self) -> None:
        with self.path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                try:
                    entry = Entry.from_json(json.loads(line))
                except (ValueError, TypeError, KeyError):
                    log.warning("journal %s line %d unreadable (torn write?), ignored",
                                self.path, number)
                    continue
                self.latest[entry.key] = entry

    def write(self, entry: Entry) -> Entry:
        """Append ``entry`` (stamped with the time) and make it durable before the caller
        acts on it."""
        if not entry.at:
            entry = Entry(**{**asdict(entry), "at": utc_now()})
        self._fh.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.latest[entry.key] = entry
        return entry

    def compact(self, keep: Callable[[Entry], bool]) -> int:
        """Rewrite the file with only the latest entry of each key ``keep`` wants (the
        watcher keeps those whose file is still in the folder: the rest is history the
        archive holds), atomically; returns how many keys were dropped. Run at start,
        so the journal stays the size of the folder, not of everything ever dropped."""
        kept = {key: entry for key, entry in self.latest.items() if keep(entry)}
        dropped = len(self.latest) - len(kept)
        if not dropped:
            return 0
        self._fh.close()
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as fh:
            for entry in kept.values():
                fh.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, self.path)
        self.latest = kept
        self._fh = self.path.open("a", encoding="utf-8")
        return dropped

    def finished(self, key: str) -> Entry | None:
        entry = self.latest.get(key)
        return entry if entry is not None and entry.event is Event.FINISHED else None

    def close(self) -> None:
        self._fh.close()
