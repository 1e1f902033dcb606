"""Fixity: re-read every object and prove nothing was lost or damaged.

For each record prefix (streamed in key order, one record in memory at a time):

- every object is read back and its SHA-256 checked (``corrupt`` when it differs);
- every archival PDF is passed to ``verify_pdf`` (the signing package's signature
  check) when given (``corrupt`` when it says no);
- every file a record version references must exist (``missing``);
- every object under a record prefix must be referenced by some version (``orphaned``).

Objects outside record prefixes are checksum-verified only.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from storage import layout
from storage.base import IntegrityError, ObjectInfo, ObjectNotFound, Store

Status = Literal["ok", "missing", "corrupt", "orphaned"]
PdfVerifier = Callable[[bytes], bool]

_MESSAGES_VI = {
    "ok": "nguyên vẹn",
    "missing": "thiếu tệp (hồ sơ có tham chiếu nhưng không tìm thấy trong kho)",
    "corrupt": "tệp bị hỏng (sai mã kiểm tra hoặc chữ ký không hợp lệ)",
    "orphaned": "tệp mồ côi (không thuộc phiên bản hồ sơ nào)",
}


@dataclass(frozen=True)
class FixityFinding:
    status: Status
    key: str
    detail: str = ""
    agency: str | None = None
    record_id: str | None = None
    size: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def message_vi(self) -> str:
        """One line for an officer, in Vietnamese."""
        tail = f" — {self.detail}" if self.detail else ""
        return f"{self.key}: {_MESSAGES_VI[self.status]}{tail}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FixitySummary:
    """Counts over a whole run, with the problem findings (only those are kept)."""

    checked: int = 0
    bytes_checked: int = 0
    missing: int = 0
    corrupt: int = 0
    orphaned: int = 0
    problems: list[FixityFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, finding: FixityFinding) -> None:
        if finding.status in ("ok", "corrupt"):  # one of these per object read
            self.checked += 1
            self.bytes_checked += finding.size
        if finding.ok:
            return
        setattr(self, finding.status, getattr(self, finding.status) + 1)
        self.problems.append(finding)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "bytes_checked": self.bytes_checked,
            "missing": self.missing,
            "corrupt": self.corrupt,
            "orphaned": self.orphaned,
            "problems": [p.to_dict() for p in self.problems],
        }


def summarize(findings: Iterable[FixityFinding]) -> FixitySummary:
    summary = FixitySummary()
    for finding in findings:
        summary.add(finding)
    return summary


def run(
    store: Store, *, verify_pdf: PdfVerifier | None = None, agency: str | None = None
) -> FixitySummary:
    """``check`` consumed into a summary: what ``sohoa fixity`` prints."""
    return summarize(check(store, verify_pdf=verify_pdf, agency=agency))


def check(
    store: Store, *, verify_pdf: PdfVerifier | None = None, agency: str | None = None
) -> Iterator[FixityFinding]:
    """One finding per object read (``ok`` or ``corrupt``), per unreferenced object
    (``orphaned``, in addition) and per referenced key that is absent (``missing``)."""
    prefix = layout.agency_prefix(agency) if agency is not None else ""
    group: list[ObjectInfo] = []
    group_id = ("", "")
    for info in store.list(prefix):
        split = layout.split_record_key(info.key)
        if split is None:
            yield _check_object(store, info, verify_pdf, None)
            continue
        ident = (split[0], split[1])
        if ident != group_id and group:
            yield from _check_record(store, group_id, group, verify_pdf)
            group = []
        group_id = ident
        group.append(info)
    if group:
        yield from _check_record(store, group_id, group, verify_pdf)


def _check_record(
    store: Store,
    ident: tuple[str, str],
    objects: list[ObjectInfo],
    verify_pdf: PdfVerifier | None,
) -> Iterator[FixityFinding]:
    agency, record_id = ident
    present = {o.key for o in objects}
    referenced: set[str] = set()
    # A record version that cannot be read may reference any of the record's objects:
    # none of them can then be called orphaned; the damaged version is the finding.
    unreadable_version = False
    for info in objects:
        finding, data = _read(store, info, ident)
        parsed = layout.parse_key(info.key)
        if parsed is not None and parsed.kind == "record":
            referenced.add(info.key)
            error = "" if data is None else _references(data, referenced)
            if error:
                finding = FixityFinding(
                    "corrupt", info.key, error, agency, record_id, info.size
                )
            if finding.status == "corrupt":
                unreadable_version = True
                finding = dataclasses.replace(
                    finding, detail=f"record JSON damaged: {finding.detail}")
        if finding.ok and data is not None and verify_pdf is not None and _is_archival(parsed):
            finding = _verify_signature(info, data, verify_pdf, ident)
        yield finding
    for info in objects:
        if info.key not in referenced and not unreadable_version:
            yield FixityFinding(
                "orphaned", info.key, "not referenced by any record version", agency,
                record_id, info.size,
            )
    for key in sorted(referenced - present):
        if store.head(key) is None:
            yield FixityFinding(
                "missing", key, "referenced by the record but absent", agency, record_id
            )


def _check_object(
    store: Store, info: ObjectInfo, verify_pdf: PdfVerifier | None, ident: tuple[str, str] | None
) -> FixityFinding:
    finding, data = _read(store, info, ident)
    if finding.ok and data is not None and verify_pdf is not None and info.key.endswith(".pdf"):
        return _verify_signature(info, data, verify_pdf, ident)
    return finding


def _read(
    store: Store, info: ObjectInfo, ident: tuple[str, str] | None
) -> tuple[FixityFinding, bytes | None]:
    agency, record_id = ident if ident else (None, None)
    try:
        data = store.get(info.key)
    except IntegrityError as exc:
        return FixityFinding("corrupt", info.key, str(exc), agency, record_id, info.size), None
    except ObjectNotFound:
        return FixityFinding(
            "missing", info.key, "vanished while checking", agency, record_id
        ), None
    return FixityFinding("ok", info.key, "", agency, record_id, len(data)), data


def _verify_signature(
    info: ObjectInfo, data: bytes, verify_pdf: PdfVerifier, ident: tuple[str, str] | None
) -> FixityFinding:
    agency, record_id = ident if ident else (None, None)
    try:
        valid = verify_pdf(data)
        detail = "" if valid else "signature invalid"
    except Exception as exc:  # a verifier crash on a damaged PDF is a finding too
        valid, detail = False, f"signature check failed: {type(exc).__name__}: {exc}"
    status: Status = "ok" if valid else "corrupt"
    return FixityFinding(status, info.key, detail, agency, record_id, len(data))


def _references(data: bytes, into: set[str]) -> str:
    """Add the file keys a record version points to to ``into``; an error (English)
    when the version is unreadable."""
    try:
        doc = json.loads(data.decode("utf-8"))
        files = doc.get("files") or {}
        into |= {v for v in files.values() if isinstance(v, str) and v}
        return ""
    except (ValueError, AttributeError) as exc:
        return f"unreadable: {exc}"


def _is_archival(parsed: layout.ParsedKey | None) -> bool:
    return parsed is not None and parsed.kind == "archival"
