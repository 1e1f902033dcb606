"""Export an agency's objects as a BagIt 1.0 bag, and import a bag into any store.

A bag is a directory (or a ``.tar`` / ``.tar.gz`` of one)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
    sohoa-objects.jsonl       content type and metadata of each object (a tag file)
    data/{key}                one file per object, at its store key

Export builds the bag in a hidden temporary sibling of its destination and renames it
into place at the end, so an interrupted export leaves no half-written bag behind. An
object whose bytes fail their checksum is left out of the bag (and of its manifest)
and named in the result: the bag of everything else is still worth having.

Import verifies the whole bag (tag manifest, every payload checksum, no unlisted or
missing payload file, Payload-Oxum, no key that already holds other bytes) before it
writes anything, and refuses the bag naming every bad file. An object already stored
is read back, not trusted on its recorded checksum: one whose bytes are damaged is
repaired from the bag (``Store.repair``). Because both sides speak the ``Store``
protocol, a bag exported from the filesystem imports into S3 and back.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import logging
import mimetypes
import os
import re
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage import layout
from storage.base import (
    IntegrityError,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    Store,
    check_key,
)

log = logging.getLogger(__name__)

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
OBJECTS_TAG = "sohoa-objects.jsonl"
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
_ESCAPE = re.compile(r"%(25|0[AaDd])")


class BagError(StorageError):
    """A bag that is malformed or whose contents do not match its manifests."""

    def __init__(self, problems: list[str]) -> None:
        shown = "; ".join(problems[:20]) + (
            f"; … and {len(problems) - 20} more" if len(problems) > 20 else ""
        )
        super().__init__(f"bag refused ({len(problems)} problem(s)): {shown}")
        self.problems = problems


@dataclass(frozen=True)
class BagResult:
    path: Path
    objects: int
    bytes: int
    already_present: int = 0
    skipped: tuple[str, ...] = ()  # export: damaged objects left out of the bag
    repaired: tuple[str, ...] = ()  # import: damaged objects restored from the bag


# -- export ------------------------------------------------------------------------------


def export_archive(store: Store, agency: str, dest: str | Path) -> BagResult:
    """Write every object under ``agency/`` as a bag at ``dest``: a new (or empty)
    directory, or a ``.tar``/``.tar.gz`` file when ``dest`` has that suffix. Each object
    is read (and so checksum-verified) once and streamed to disk; damaged ones are left
    out and listed in ``skipped``. ``dest`` appears only once the bag is complete."""
    dest = Path(dest)
    tarred = dest.name.endswith(_TAR_SUFFIXES)
    if not tarred and dest.exists() and any(dest.iterdir()):
        raise StorageError(f"export destination is not empty: {dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    # A sibling, so that the final rename stays on one filesystem.
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".bag-") as tmp:
        staged = Path(tmp) / _bag_name(dest)
        result = _write_bag(store, agency, staged)
        if tarred:
            _tar(staged, dest)
        else:
            os.replace(staged, dest)
    return dataclasses.replace(result, path=dest)


def _bag_name(dest: Path) -> str:
    return dest.name.removesuffix(".gz").removesuffix(".tar").removesuffix(".tgz")


def _tar(bag: Path, dest: Path) -> None:
    partial = bag.with_name(bag.name + ".tar.partial")
    gz = dest.name.endswith((".gz", ".tgz"))
    with (
        tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT)
        if gz
        else tarfile.open(partial, "w", format=tarfile.PAX_FORMAT)
    ) as tar:
        tar.add(bag, arcname=bag.name)
    os.replace(partial, dest)


def _write_bag(store: Store, agency: str, bag: Path) -> BagResult:
    count, total, skipped = _write_payload(store, agency, bag)
    (bag / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
    info_lines = [
        "Bag-Software-Agent: sohoa",
        f"Bagging-Date: {datetime.now(UTC).date().isoformat()}",
        f"External-Identifier: {agency}",
        f"External-Description: objects of agency {agency} exported from {store.url}",
        f"Payload-Oxum: {total}.{count}",
        # Whoever holds only the bag must know it is not the whole archive.
        *(f"Sohoa-Damaged-Not-Exported: {key}" for key in skipped),
    ]
    (bag / "bag-info.txt").write_text("\n".join(info_lines) + "\n", encoding="utf-8")
    tag_files = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", OBJECTS_TAG]
    with (bag / "tagmanifest-sha256.txt").open("w", encoding="utf-8", newline="\n") as tags:
        for name in tag_files:
            tags.write(f"{_file_sha256(bag / name)}  {name}\n")
    return BagResult(bag, count, total, skipped=tuple(skipped))


def _write_payload(store: Store, agency: str, bag: Path) -> tuple[int, int, list[str]]:
    """``data/``, its manifest and the objects tag file; (objects, bytes, skipped keys)."""
    data_dir = bag / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    count = total = 0
    skipped: list[str] = []
    with (
        (bag / "manifest-sha256.txt").open("w", encoding="utf-8", newline="\n") as manifest,
        (bag / OBJECTS_TAG).open("w", encoding="utf-8", newline="\n") as objects,
    ):
        for listed in store.list(layout.agency_prefix(agency)):
            data = _readable(store, listed.key, skipped)
            if data is None:
                continue
            info = store.head(listed.key)
            target = data_dir / listed.key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            rel = f"data/{listed.key}"
            manifest.write(f"{hashlib.sha256(data).hexdigest()}  {_encode_path(rel)}\n")
            entry = {
                "path": rel,
                "content_type": info.content_type if info else "application/octet-stream",
                "metadata": info.metadata if info else {},
            }
            objects.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
            total += len(data)
    return count, total, skipped


def _readable(store: Store, key: str, skipped: list[str]) -> bytes | None:
    """The object's verified bytes; ``None`` (and ``key`` in ``skipped`` when damaged)
    when there are none to export."""
    try:
        return store.get(key)
    except IntegrityError as exc:
        log.error("not exported: %s", exc)
        skipped.append(key)
    except ObjectNotFound:
        log.warning("not exported: %s was deleted while exporting", key)
    return None


# -- import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    key: str
    sha256: str
    path: Path


def import_archive(store: Store, src: str | Path) -> BagResult:
    """Validate the bag at ``src`` (directory or tar) completely, then put every payload
    file at its key. Objects already stored with the same bytes are left alone, so an
    interrupted import can simply be run again; stored objects whose bytes fail their
    checksum are repaired from the bag and listed in ``repaired``."""
    src = Path(src)
    if src.is_file():
        with tempfile.TemporaryDirectory(prefix="sohoa-bag-") as tmp:
            with tarfile.open(src) as tar:
                extract_safely(tar, Path(tmp))
            return _import_dir(store, _bag_root(Path(tmp)), src)
    return _import_dir(store, src, src)


def extract_safely(tar: tarfile.TarFile, dest: Path, *,
                   data_filter: bool = hasattr(tarfile, "data_filter")) -> None:
    """Unpack a bag's tar into ``dest`` and nowhere else.

    ``extractall(filter="data")`` where Python has it (3.12, 3.11.4+). Debian 12's
    Python is 3.11.2, without it: there the same rule is applied by hand, refusing the
    whole tar if one member is not a plain file or directory inside ``dest`` (links,
    devices, absolute or ``..`` paths).
    """
    if data_filter:
        tar.extractall(dest, filter="data")
        return
    root = dest.resolve()
    members = tar.getmembers()
    unsafe = [m.name for m in members
              if not (m.isfile() or m.isdir())
              or not (root / m.name).resolve().is_relative_to(root)]
    if unsafe:
        raise BagError([f"{name}: not a plain file or directory inside the bag"
                        for name in unsafe])
    tar.extractall(dest, members=members)  # every member checked above


class _Stored(enum.Enum):
    ABSENT = "absent"
    INTACT = "intact"
    DAMAGED = "damaged"
    OTHER = "other"  # the key holds other bytes: the bag cannot go in


def _import_dir(store: Store, bag: Path, shown_as: Path) -> BagResult:
    entries = validate_bag(bag)
    types = _object_types(bag)
    states = [_stored(store, entry) for entry in entries]
    conflicts = [
        f"{entry.key}: already stored with other content"
        for entry, state in zip(entries, states, strict=True)
        if state is _Stored.OTHER
    ]
    if conflicts:
        raise BagError(conflicts)
    total = 0
    repaired: list[str] = []
    for entry, state in zip(entries, states, strict=True):
        if state is _Stored.INTACT:
            continue
        data = _payload(bag, entry)
        if state is _Stored.DAMAGED:
            if not store.repair(entry.key, data, entry.sha256):
                continue  # repaired meanwhile by someone else
            repaired.append(entry.key)
        else:
            content_type, metadata = types.get(entry.key, (_guess_type(entry.key), {}))
            store.put(entry.key, data, content_type=content_type, metadata=metadata)
        total += len(data)
    written = states.count(_Stored.ABSENT) + len(repaired)
    return BagResult(shown_as, len(entries), total, len(entries) - written,
                     repaired=tuple(repaired))


def _stored(store: Store, entry: _Entry) -> _Stored:
    """What the store holds at the entry's key, judged by its bytes: a recorded checksum
    that matches says nothing about bytes damaged since."""
    existing = store.head(entry.key)
    if existing is None:
        return _Stored.ABSENT
    if existing.sha256 != entry.sha256:
        return _Stored.OTHER
    try:
        store.get(entry.key)
    except IntegrityError:
        return _Stored.DAMAGED
    except ObjectNotFound:
        return _Stored.ABSENT
    return _Stored.INTACT


def _payload(bag: Path, entry: _Entry) -> bytes:
    data = entry.path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.sha256:  # changed since validation
        raise BagError([f"{_rel(bag, entry.path)}: changed during import"])
    return data


def validate_bag(bag: Path) -> list[_Entry]:
    """Check a bag directory completely; its payload entries, or ``BagError``."""
    problems: list[str] = []
    declaration = _read_tag(bag / "bagit.txt", problems)
    if declaration is not None:
        version = declaration.get("BagIt-Version")
        if version not in ("1.0", "0.97"):
            problems.append(f"bagit.txt: unsupported BagIt-Version {version!r}")
        encoding = declaration.get("Tag-File-Character-Encoding", "").upper()
        if encoding not in ("UTF-8", "UTF8"):
            problems.append(f"bagit.txt: unsupported Tag-File-Character-Encoding {encoding!r}")
    tagmanifest = bag / "tagmanifest-sha256.txt"
    if tagmanifest.exists():
        for expected, rel in _manifest_lines(tagmanifest, problems):
            _verify_file(bag, rel, expected, problems)
    entries: list[_Entry] = []
    listed: set[str] = set()
    manifest = bag / "manifest-sha256.txt"
    if not manifest.exists():
        problems.append("manifest-sha256.txt: missing")
    else:
        for expected, rel in _manifest_lines(manifest, problems):
            key = _payload_key(rel, problems)
            if key is None:
                continue
            listed.add(rel)
            if _verify_file(bag, rel, expected, problems):
                entries.append(_Entry(key, expected, bag / rel))
    for rel in _payload_files(bag):
        if rel not in listed:
            problems.append(f"{rel}: not listed in manifest-sha256.txt")
    info = _read_tag(bag / "bag-info.txt", []) or {}
    oxum = info.get("Payload-Oxum")
    if oxum and not problems:
        actual = f"{sum(e.path.stat().st_size for e in entries)}.{len(entries)}"
        if oxum != actual:
            problems.append(f"bag-info.txt: Payload-Oxum {oxum} but payload is {actual}")
    if problems:
        raise BagError(problems)
    return entries


def _verify_file(bag: Path, rel: str, expected: str, problems: list[str]) -> bool:
    path = bag / rel
    # A bag is files inside it: a manifest line naming ../ or a symbolic link would
    # read (and import) a file of the machine running the import.
    if path.is_symlink() or not path.resolve().is_relative_to(bag.resolve()):
        problems.append(f"{rel}: outside the bag or a symbolic link")
        return False
    if not path.is_file():
        problems.append(f"{rel}: listed in a manifest but missing")
        return False
    actual = _file_sha256(path)
    if actual != expected.lower():
        problems.append(f"{rel}: checksum mismatch (manifest {expected}, file {actual})")
        return False
    return True


def _manifest_lines(path: Path, problems: list[str]) -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            parts = line.split(maxsplit=1)
            if len(parts) != 2 or len(parts[0]) != 64:
                problems.append(f"{path.name}:{number}: malformed line")
                continue
            yield parts[0].lower(), _decode_path(parts[1])


def _payload_key(rel: str, problems: list[str]) -> str | None:
    if not rel.startswith("data/"):
        problems.append(f"{rel}: payload outside data/")
        return None
    try:
        return check_key(rel.removeprefix("data/"))
    except InvalidKey as exc:
        problems.append(f"{rel}: {exc}")
        return None


def _payload_files(bag: Path) -> Iterator[str]:
    data = bag / "data"
    for dirpath, _dirs, files in os.walk(data):
        for name in files:
            yield Path(dirpath, name).relative_to(bag).as_posix()


def _read_tag(path: Path, problems: list[str]) -> dict[str, str] | None:
    if not path.is_file():
        problems.append(f"{path.name}: missing")
        return None
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            values[name.strip()] = value.strip()
    return values


def _object_types(bag: Path) -> dict[str, tuple[str, dict[str, str]]]:
    path = bag / OBJECTS_TAG
    out: dict[str, tuple[str, dict[str, str]]] = {}
    if not path.is_file():
        return out
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                entry = json.loads(line)
                key = str(entry["path"]).removeprefix("data/")
                out[key] = (
                    str(entry.get("content_type") or _guess_type(key)),
                    dict(entry.get("metadata") or {}),
                )
    return out


def _bag_root(extracted: Path) -> Path:
    if (extracted / "bagit.txt").exists():
        return extracted
    candidates = [p for p in extracted.iterdir() if (p / "bagit.txt").exists()]
    if len(candidates) != 1:
        raise BagError(["archive does not contain exactly one bag (bagit.txt not found)"])
    return candidates[0]


def _guess_type(key: str) -> str:
    if key.endswith(".json"):
        return "application/json; charset=utf-8"
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def _encode_path(rel: str) -> str:
    # BagIt 1.0 §2.1.3: only %, CR and LF are percent-encoded in manifest paths.
    return rel.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def _decode_path(rel: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), rel)


def _file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _rel(bag: Path, path: Path) -> str:
    return path.relative_to(bag).as_posix()


__all__ = ["BagError", "BagResult", "export_archive", "import_archive", "validate_bag"]
