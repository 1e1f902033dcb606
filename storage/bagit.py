"""Export an agency's objects as a BagIt 1.0 bag, and import a bag into any store.

A bag is a directory (or a ``.tar`` / ``.tar.gz`` of one)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
    sohoa-objects.jsonl       content type and metadata of each object (a tag file)
    data/{key}                one file per object, at its store key

Import verifies the whole bag (tag manifest, every payload checksum, no unlisted or
missing payload file, Payload-Oxum, no key that already holds other bytes) before it
writes anything, and refuses the bag naming every bad file. Because both sides speak
the ``Store`` protocol, a bag exported from the filesystem imports into S3 and back.
"""

from __future__ import annotations

import hashlib
import json
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
from storage.base import InvalidKey, StorageError, Store, check_key

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


# -- export ------------------------------------------------------------------------------


def export_archive(store: Store, agency: str, dest: str | Path) -> BagResult:
    """Write every object under ``agency/`` as a bag at ``dest``: a new directory, or a
    ``.tar``/``.tar.gz`` file when ``dest`` has that suffix. Each object is read (and so
    checksum-verified) once and streamed to disk."""
    dest = Path(dest)
    if dest.name.endswith(_TAR_SUFFIXES):
        with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".bag-") as tmp:
            name = dest.name.removesuffix(".gz").removesuffix(".tar").removesuffix(".tgz")
            result = _write_bag(store, agency, Path(tmp) / name)
            partial = dest.with_name(dest.name + ".partial")
            gz = dest.name.endswith((".gz", ".tgz"))
            with (
                tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT)
                if gz
                else tarfile.open(partial, "w", format=tarfile.PAX_FORMAT)
            ) as tar:
                tar.add(Path(tmp) / name, arcname=name)
            os.replace(partial, dest)
        return BagResult(dest, result.objects, result.bytes)
    if dest.exists() and any(dest.iterdir()):
        raise StorageError(f"export destination is not empty: {dest}")
    return _write_bag(store, agency, dest)


def _write_bag(store: Store, agency: str, bag: Path) -> BagResult:
    data_dir = bag / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    count = total = 0
    with (
        (bag / "manifest-sha256.txt").open("w", encoding="utf-8", newline="\n") as manifest,
        (bag / OBJECTS_TAG).open("w", encoding="utf-8", newline="\n") as objects,
    ):
        for listed in store.list(layout.agency_prefix(agency)):
            data = store.get(listed.key)
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
    (bag / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
    info_lines = [
        "Bag-Software-Agent: sohoa",
        f"Bagging-Date: {datetime.now(UTC).date().isoformat()}",
        f"External-Identifier: {agency}",
        f"External-Description: objects of agency {agency} exported from {store.url}",
        f"Payload-Oxum: {total}.{count}",
    ]
    (bag / "bag-info.txt").write_text("\n".join(info_lines) + "\n", encoding="utf-8")
    tag_files = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", OBJECTS_TAG]
    with (bag / "tagmanifest-sha256.txt").open("w", encoding="utf-8", newline="\n") as tags:
        for name in tag_files:
            tags.write(f"{_file_sha256(bag / name)}  {name}\n")
    return BagResult(bag, count, total)


# -- import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    key: str
    sha256: str
    path: Path


def import_archive(store: Store, src: str | Path) -> BagResult:
    """Validate the bag at ``src`` (directory or tar) completely, then put every payload
    file at its key. Objects already stored with the same bytes are left alone, so an
    interrupted import can simply be run again."""
    src = Path(src)
    if src.is_file():
        with tempfile.TemporaryDirectory(prefix="sohoa-bag-") as tmp:
            with tarfile.open(src) as tar:
                tar.extractall(tmp, filter="data")
            return _import_dir(store, _bag_root(Path(tmp)), src)
    return _import_dir(store, src, src)


def _import_dir(store: Store, bag: Path, shown_as: Path) -> BagResult:
    entries = validate_bag(bag)
    types = _object_types(bag)
    conflicts = []
    already = 0
    for entry in entries:
        existing = store.head(entry.key)
        if existing is None:
            continue
        if existing.sha256 != entry.sha256:
            conflicts.append(f"{entry.key}: already stored with other content")
        else:
            already += 1
    if conflicts:
        raise BagError(conflicts)
    total = 0
    for entry in entries:
        data = entry.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.sha256:  # changed since validation
            raise BagError([f"{_rel(bag, entry.path)}: changed during import"])
        content_type, metadata = types.get(entry.key, (_guess_type(entry.key), {}))
        store.put(entry.key, data, content_type=content_type, metadata=metadata)
        total += len(data)
    return BagResult(shown_as, len(entries), total, already)


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
