"""The hot folder itself: which files are there, which are complete, where they belong.

A scanner writes a file over seconds (or minutes, over a slow share); a file is taken
only when its size and mtime have not changed for a settle interval, and never while
its name says it is still being written (``.part``, ``~``, ``.tmp``, …) or hidden.

Subfolders say what the officer knows about the papers dropped into them, one
``key=value`` per folder level (``docs/watch.md``)::

    DIR/coquan=ubnd-phuong-1/kho=K1/hop=H-12/cap=3/scan-001.pdf

Folders without ``=`` only organise; a key we do not know fails the file with a reason
rather than being silently ignored (a typo in ``hop=`` must not lose the box label).
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# Where the watcher keeps its own things inside the watched folder. Dot-names, so the
# scan never takes them as scans.
DONE_DIR = ".done"
FAILED_DIR = ".failed"
STATE_DIR = ".sohoa-watch"

# Names scanners and copy tools give a file while it is being written.
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".filepart", "~")
# Files that live beside scans without being scans.
NOT_SCANS = {"manifest.csv", "thumbs.db", "desktop.ini"}

# Folder keys (as typed, compared without diacritics) → the given value they set.
FOLDER_KEYS = {
    "coquan": "agency",
    "agency": "agency",
    "kho": "archive_store",
    "gia": "archive_shelf",
    "hop": "archive_box",
    "cap": "archive_file",
}


class FolderKeyError(ValueError):
    """A ``key=value`` folder whose key is unknown or whose value is empty."""

    def __init__(self, folder: str, message: str) -> None:
        super().__init__(f"{folder}: {message}")
        self.message = f"Thư mục «{folder}»: {message}"


@dataclass(frozen=True)
class Seen:
    """A file as stat saw it: its path relative to the watched folder, size and mtime."""

    relative: str
    size: int
    mtime_ns: int

    @property
    def key(self) -> str:
        """The journal's key: the same path with the same size and mtime is the same
        drop; a file replaced under the same name is a new one."""
        return f"{self.relative}\0{self.size}\0{self.mtime_ns}"


def ignored(name: str) -> bool:
    """A name that is hidden, still being written, or not a scan."""
    lowered = name.lower()
    return (
        name.startswith((".", "~$"))
        or lowered.endswith(PARTIAL_SUFFIXES)
        or lowered in NOT_SCANS
    )


def scan(root: Path) -> Iterator[Seen]:
    """Every file under ``root`` that could be a scan, with its size and mtime.

    Hidden folders (``.done``, ``.failed``, the state) are not entered."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if ignored(name):
                continue
            path = Path(folder) / name
            try:
                st = path.stat()
            except FileNotFoundError:  # moved away between listing and stat
                continue
            relative = path.relative_to(root).as_posix()
            yield Seen(relative, st.st_size, st.st_mtime_ns)


@dataclass
class Settle:
    """Which files have stayed unchanged for ``seconds``.

    Each poll compares a file's size and mtime with the previous poll's; a file is
    ready once they have not changed for ``seconds`` of the watcher's own clock (the
    monotonic one: a share's clock may disagree with ours) and its mtime is at least
    that old too (a file copied in with an old mtime still waits one interval).
    """

    seconds: float
    clock: object = time.monotonic
    _since: dict[str, tuple[Seen, float]] = field(default_factory=dict)

    def poll(self, files: list[Seen]) -> list[Seen]:
        now: float = self.clock()  # type: ignore[operator]
        wall = time.time_ns()
        ready: list[Seen] = []
        present = set()
        for seen in files:
            present.add(seen.relative)
            before = self._since.get(seen.relative)
            if before is None or before[0] != seen:
                self._since[seen.relative] = (seen, now)
                continue
            settled = now - before[1] >= self.seconds
            quiet = (wall - seen.mtime_ns) / 1e9 >= self.seconds
            if settled and quiet:
                ready.append(seen)
        for gone in set(self._since) - present:
            del self._since[gone]
        return ready

    def forget(self, relative: str) -> None:
        self._since.pop(relative, None)

    @property
    def waiting(self) -> int:
        """Files seen but not yet settled: the watcher polls again soon while any wait."""
        return len(self._since)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace(" ", "")


def folder_values(relative: str) -> dict[str, str]:
    """What the folders above a file say about it: ``{"agency": …, "archive_box": …}``.

    The deepest folder wins when a key repeats (``hop=1/hop=2`` means box 2)."""
    values: dict[str, str] = {}
    for part in PurePosixPath(relative).parent.parts:
        if "=" not in part:
            continue
        key, _, value = part.partition("=")
        target = FOLDER_KEYS.get(_folded(key.strip()))
        if target is None:
            known = ", ".join(sorted({k for k in FOLDER_KEYS if k != "agency"}))
            raise FolderKeyError(part, f"khóa «{key}» không được hỗ trợ (dùng: {known}).")
        value = unicodedata.normalize("NFC", value.strip())
        if not value:
            raise FolderKeyError(part, "thiếu giá trị sau dấu «=».")
        values[target] = value
    return values


def unique_destination(path: Path) -> Path:
    """``path``, or ``stem (2).ext``… when a file of that name is already there: a
    second drop of ``scan.pdf`` must not overwrite the first one's evidence."""
    candidate, n = path, 1
    while candidate.exists() or candidate.with_name(candidate.name + ".txt").exists():
        n += 1
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
    return candidate
