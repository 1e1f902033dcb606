"""Double-entry keying of the values no engine read: two clerks key each field blind,
agreement fills it, disagreement goes to a third person.

A keying task is a field of a stored record waiting for a person: its review reason is
``handwriting_unread`` (left for keying), ``handwriting_unconfirmed`` (a reading
proposed, to be confirmed: keyed blind, so the proposal cannot sway the clerks) or
``missing`` (a required value not found), and its path names one value. The tasks of a
record come from its reasons alone, and what each field waits for from the entries
``storage.keying`` keeps, so nothing lives only in this process.

Entries are compared after NFC and collapsing white space, on the value as the record
would hold it (a date typed 02/3/1990 or 2/03/1990 is one date); diacritics are kept
(``Hà`` and ``Hạ`` are two names). Agreement and decisions fill the record through
``application.operations.publish_review``, the review screen's path (a new version, the
correction kept on the record and audited). Filling is idempotent (``settle``): a
process that died between storing the second entry and the record's new version is
made good by the next visit to the record.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from PIL import Image

from api import service
from api.access import Action, can_change, require
from api.errors import ApiError
from api.labels import path_label
from api.state import AppState
from api.tokens import Principal, list_tokens
from application.operations import publish_review, review_revision
from extract.review import SUBJECT_FIELDS, TOP_LEVEL_FIELDS, ReviewError
from extract.values import DATE_KEYS
from records import FieldRegion, Record, ReviewReason, utc_now
from records.folding import nfc
from storage import load_record
from storage.base import ObjectExists
from storage.keying import EntryKind, KeyedValue, KeyingEntry, all_entries, append, load_entries

KEYED_CODES = ("handwriting_unread", "handwriting_unconfirmed", "missing")
# The time a clerk spends on one form counts up to this (a form left open over lunch
# is not an hour of keying).
MAX_FORM_SECONDS = 15 * 60
QUEUE_PAGE = 100
CROP_MARGIN = 0.25  # of the box's height, around it: the line's ends and descenders
_SUBJECT_VALUE = re.compile(r"subjects\[\d+\]\.(\w+)")
_FIELD_VALUE = re.compile(r"fields\.\w+")


class FieldStatus(StrEnum):
    OPEN = "open"  # nobody keyed it yet
    ONE = "one"  # one clerk keyed it: waits for a second
    DISPUTED = "disputed"  # the two clerks disagree: waits for an arbiter
    SETTLED = "settled"  # agreed or decided


@dataclass(frozen=True)
class KeyingTask:
    path: str
    code: str  # the review reason's code
    label: str  # Vietnamese
    is_date: bool
    region: FieldRegion | None

    def to_dict(self) -> dict[str, Any]:
        region = self.region
        return {"field": self.path, "reason": self.code, "label": self.label,
                "is_date": self.is_date,
                "region": None if region is None else {
                    "page": region.page, "box": list(region.box),
                    "page_size": list(region.page_size), "estimated": region.estimated}}

    @property
    def estimated(self) -> bool:
        """The crop was placed from the form's layout, its label not found: approximate."""
        return self.region is not None and self.region.estimated


def _value_path(path: str) -> bool:
    """A path naming one value a clerk can key (not ``subjects``, not ``doc_type``)."""

    if path in TOP_LEVEL_FIELDS:
        return path != "doc_type"
    if match := _SUBJECT_VALUE.fullmatch(path):
        return match.group(1) in SUBJECT_FIELDS and match.group(1) != "role"
    return bool(_FIELD_VALUE.fullmatch(path))


def _is_date(path: str) -> bool:

    key = path.rsplit(".", 1)[-1]
    return key in DATE_KEYS or key.endswith("_date") or key.endswith("_on")


def task_paths(reasons: Iterable[str]) -> dict[str, str]:
    """The fields to key among a record's review reasons: path → reason code, in order."""
    out: dict[str, str] = {}
    for text in reasons:
        reason = ReviewReason.parse(text)
        if reason.code in KEYED_CODES and reason.path and _value_path(reason.path):
            out.setdefault(reason.path, reason.code)
    return out


def tasks_of(record: Record) -> list[KeyingTask]:
    regions = {r.path: r for r in record.regions}
    return [KeyingTask(path, code, path_label(path), _is_date(path), regions.get(path))
            for path, code in task_paths(record.review.reasons).items()]


def comparable(text: str) -> str:
    """What two entries are compared on: NFC, white space collapsed, diacritics kept."""
    return " ".join(nfc(text).split())


def digest(text: str) -> str:
    """A short fingerprint of a keyed value for the audit log, which says who keyed
    what without copying citizens' names into it (the value is in the store)."""
    return hashlib.sha256(comparable(text).encode()).hexdigest()[:16]


@dataclass
class FieldState:
    path: str
    keyed: list[tuple[str, KeyedValue]] = field(default_factory=list)  # (clerk, value)
    decided: tuple[str, KeyedValue] | None = None  # (arbiter, value)

    @property
    def clerks(self) -> list[str]:
        return [by for by, _ in self.keyed]

    @property
    def agrees(self) -> bool:
        (_, a), (_, b) = self.keyed[:2]
        return comparable(a.value or a.raw) == comparable(b.value or b.raw)

    @property
    def status(self) -> FieldStatus:
        if self.decided is not None:
            return FieldStatus.SETTLED
        if len(self.keyed) < 2:
            return FieldStatus.ONE if self.keyed else FieldStatus.OPEN
        return FieldStatus.SETTLED if self.agrees else FieldStatus.DISPUTED

    def final(self) -> KeyedValue | None:
        """The value to fill: the arbiter's, else the clerks' when they agree."""
        if self.decided is not None:
            return self.decided[1]
        if self.status is FieldStatus.SETTLED:
            return self.keyed[0][1]
        return None

    def may_key(self, actor: str) -> bool:
        return self.status in (FieldStatus.OPEN, FieldStatus.ONE) and actor not in self.clerks

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.path, "status": str(self.status), "clerks": self.clerks,
                "arbiter": self.decided[0] if self.decided else None}


def field_states(paths: Iterable[str], entries: Iterable[KeyingEntry]) -> dict[str, FieldState]:
    states = {path: FieldState(path) for path in paths}
    for entry in entries:
        for value in entry.values:
            state = states.get(value.path)
            if state is None:
                continue
            if entry.kind is EntryKind.DECIDED:
                state.decided = (entry.by, value)
            elif len(state.keyed) < 2 and entry.by not in state.clerks:
                state.keyed.append((entry.by, value))
    return states


def _states(state: AppState, record: Record) -> dict[str, FieldState]:

    return field_states(task_paths(record.review.reasons), load_entries(state.store, record.id))


# --- filling the record ------------------------------------------------------------------


def settle(state: AppState, record: Record) -> Record:
    """Fill every agreed or decided field still waiting on ``record``; the latest
    version. Each group of fields keyed by the same people is one new version, made
    in their name (the correction's ``by``: the two clerks, or the arbiter)."""

    for _ in range(5):
        groups: dict[str, dict[str, str]] = {}
        for path, fs in _states(state, record).items():
            value = fs.final()
            if value is not None:
                by = fs.decided[0] if fs.decided else " + ".join(fs.clerks)
                groups.setdefault(by, {})[path] = comparable(value.raw)
        if not groups:
            return record
        try:
            for by, changes in groups.items():
                try:
                    revised = publish_review(state.runtime, record, changes, approve=False,
                                             actor=by)
                except ReviewError:
                    # The values passed one by one but not together (a birth date after
                    # the issue date both keyed): left for an arbiter (``disputes``).
                    continue
                record = revised or record
            return record
        except ObjectExists:
            # Another request filled a field of this record meanwhile: read it again.
            record = load_record(state.store, record.agency, record.id)
    return record


# --- the clerk's form --------------------------------------------------------------------


@dataclass(frozen=True)
class KeyingForm:
    record: Record
    tasks: list[KeyingTask]  # the fields this clerk may key, in the record's order
    opened_at: str


def _changeable(state: AppState, principal: Principal, record_id: str) -> Record:
    require(principal, Action.REVIEW)
    record = service.load_visible(state, principal, record_id)
    if not can_change(principal, record.agency):
        raise ApiError(403, "forbidden", "Only the owning agency keys a record.",
                       "Chỉ cơ quan sở hữu hồ sơ mới được nhập liệu.")
    return record


def open_form(state: AppState, principal: Principal, record_id: str) -> KeyingForm:
    record = settle(state, _changeable(state, principal, record_id))
    states = _states(state, record)
    tasks = [t for t in tasks_of(record) if states[t.path].may_key(principal.actor)]
    state.trail.keying_opened(principal.actor, record.id, record.version,
                              [t.path for t in tasks])
    return KeyingForm(record, tasks, utc_now())


def next_record(state: AppState, principal: Principal, after: str | None = None) -> str | None:
    """The first record of the review queue with a field this clerk may key (after
    ``after``, the one just left, so a form left with empty fields does not come back
    at once)."""

    require(principal, Action.REVIEW)
    offset, passed = 0, after is None
    while True:
        total, items = service.review_queue(state, principal, QUEUE_PAGE, offset)
        for item in items:
            if not passed:
                passed = item["id"] == after
                continue
            paths = task_paths(item["reasons"])
            if not paths:
                continue
            states = field_states(paths, load_entries(state.store, item["id"]))
            if any(s.may_key(principal.actor) for s in states.values()):
                return item["id"]
        offset += QUEUE_PAGE
        if offset >= total:
            return None if passed else next_record(state, principal)


def _checked(state: AppState, principal: Principal, record: Record, path: str,
             raw: str) -> KeyedValue:
    """``raw`` as the record would hold it, checked as a correction is; 422 otherwise."""

    text = comparable(raw)
    try:
        revised = review_revision(state.runtime, record, {path: text}, approve=False,
                                  actor=principal.actor)
    except ReviewError as exc:
        raise ApiError(422, "invalid_entry", f"{path}: invalid value",
                       f"{path_label(path)}: {exc.message}", details={"field": path}) from exc
    new = revised.review.corrections[-1].new if revised else None
    return KeyedValue(path, text, None if new is None else str(new))


@dataclass(frozen=True)
class KeyingResult:
    record: Record
    keyed: list[str]
    agreed: list[str]
    disputed: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"record_id": self.record.id, "version": self.record.version,
                "keyed": self.keyed, "agreed": self.agreed, "disputed": self.disputed}


def submit(state: AppState, principal: Principal, record_id: str, values: dict[str, str],
           opened_at: str | None = None) -> KeyingResult:
    """Store one clerk's entries for a form (empty values: fields left for later), then
    fill what two clerks now agree on. Refused whole (409) when the clerk keyed one of
    the fields before, or two clerks already did: the same person never gives both."""

    record = _changeable(state, principal, record_id)
    tasks = task_paths(record.review.reasons)
    given = {path: raw for path, raw in values.items() if raw.strip()}
    unknown = [path for path in given if path not in tasks]
    if unknown:
        raise ApiError(422, "not_a_keying_field", f"not waiting for keying: {unknown}",
                       "Trường không chờ nhập liệu: "
                       + ", ".join(path_label(p) if _value_path(p) else p for p in unknown),
                       details={"fields": unknown})
    if not given:
        raise ApiError(400, "nothing_to_do", "No value given.", "Chưa nhập trường nào.")
    checked = tuple(_checked(state, principal, record, path, raw) for path, raw in given.items())

    def make(entries: list[KeyingEntry]) -> KeyingEntry:
        states = field_states(tasks, entries)
        for value in checked:
            fs = states[value.path]
            if principal.actor in fs.clerks:
                raise ApiError(409, "already_keyed", f"{value.path}: keyed by this user",
                               f"{path_label(value.path)}: bạn đã nhập trường này; cần một "
                               "người khác nhập lần hai.", details={"field": value.path})
            if not fs.may_key(principal.actor):
                raise ApiError(409, "keyed_twice", f"{value.path}: already keyed twice",
                               f"{path_label(value.path)}: đã có hai người nhập.",
                               details={"field": value.path})
        return KeyingEntry(record.id, record.agency, len(entries) + 1, EntryKind.KEYED,
                           principal.actor, utc_now(), record.version, checked,
                           opened_at=_sane_opened(opened_at))

    entry = append(state.store, record.id, make)
    state.trail.keyed(principal.actor, record.id, entry.seq,
                      {v.path: digest(v.value or v.raw) for v in checked})
    states = _states(state, record)
    agreed: list[str] = []
    disputed: list[str] = []
    for value in checked:
        fs = states[value.path]
        if len(fs.keyed) == 2 and fs.decided is None:
            (agreed if fs.agrees else disputed).append(value.path)
            state.trail.keying_compared(principal.actor, record.id, value.path, fs.clerks,
                                        agrees=fs.agrees)
    return KeyingResult(settle(state, record), [v.path for v in checked], agreed, disputed)


def _sane_opened(opened_at: str | None) -> str | None:
    """The form's opening time as the screen handed it back: kept when it reads as one."""
    if not opened_at:
        return None
    try:
        opened = datetime.fromisoformat(opened_at)
    except ValueError:
        return None
    return opened.isoformat() if opened.tzinfo is not None else None  # as ``utc_now``


# --- arbitration -------------------------------------------------------------------------


@dataclass(frozen=True)
class Dispute:
    record_id: str
    filename: str
    task: KeyingTask
    entries: list[tuple[str, str]]  # (clerk, value as keyed)

    def to_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "filename": self.filename, **self.task.to_dict(),
                "entries": [{"clerk": c, "value": v} for c, v in self.entries]}


def _may_arbitrate(principal: Principal, fs: FieldState) -> bool:
    return principal.actor not in fs.clerks


def _open_disputes(record: Record, states: dict[str, FieldState]) -> list[Dispute]:
    """Fields the clerks disagree on, and agreed ones the record still refuses (checked
    together with the rest of the paper): both wait for an arbiter."""
    out = []
    for task in tasks_of(record):
        fs = states[task.path]
        if fs.status is FieldStatus.DISPUTED or (
                fs.status is FieldStatus.SETTLED and fs.decided is None):
            out.append(Dispute(record.id, record.source.filename, task,
                               [(by, v.raw) for by, v in fs.keyed]))
    return out


def disputes(state: AppState, principal: Principal) -> list[Dispute]:
    """What this person may decide: fields where two other people disagree."""

    require(principal, Action.REVIEW)
    out: list[Dispute] = []
    offset = 0
    while True:
        total, items = service.review_queue(state, principal, QUEUE_PAGE, offset)
        for item in items:
            paths = task_paths(item["reasons"])
            if not paths:
                continue
            states = field_states(paths, load_entries(state.store, item["id"]))
            if not any(len(s.keyed) == 2 and _may_arbitrate(principal, s)
                       for s in states.values()):
                continue
            record = service.load_visible(state, principal, item["id"])
            now = _states(state, record)
            out += [d for d in _open_disputes(record, now)
                    if _may_arbitrate(principal, now[d.task.path])]
        offset += QUEUE_PAGE
        if offset >= total:
            return out


def dispute(state: AppState, principal: Principal, record_id: str, path: str) -> Dispute:
    record = _changeable(state, principal, record_id)
    states = _states(state, record)
    found = [d for d in _open_disputes(record, states) if d.task.path == path]
    if not found:
        raise ApiError(404, "not_found", "No disagreement on this field.",
                       "Trường này không có bất đồng nào chờ quyết định.")
    if not _may_arbitrate(principal, states[path]):
        raise _not_third()
    return found[0]


def _not_third() -> ApiError:
    return ApiError(403, "not_third_person", "A clerk of the field cannot decide it.",
                    "Người đã nhập trường này không được quyết định: cần người thứ ba.")


def decide(state: AppState, principal: Principal, record_id: str, path: str,
           raw: str) -> Record:
    """The arbiter's value for a disputed field: stored, audited, filled."""

    found = dispute(state, principal, record_id, path)
    record = _changeable(state, principal, record_id)
    if not raw.strip():
        raise ApiError(400, "nothing_to_do", "No value given.", "Chưa nhập giá trị.")
    value = _checked(state, principal, record, path, raw)

    def make(entries: list[KeyingEntry]) -> KeyingEntry:
        fs = field_states([path], entries)[path]
        if not _may_arbitrate(principal, fs):
            raise _not_third()
        return KeyingEntry(record.id, record.agency, len(entries) + 1, EntryKind.DECIDED,
                           principal.actor, utc_now(), record.version, (value,))

    entry = append(state.store, record.id, make)
    state.trail.keying_decided(principal.actor, record.id, entry.seq, path,
                               digest(value.value or value.raw),
                               clerks=[c for c, _ in found.entries],
                               chose=[c for c, v in found.entries if comparable(v) == value.raw])
    return settle(state, record)


# --- what the admin sees -----------------------------------------------------------------


@dataclass
class ClerkFigures:
    clerk: str  # ``Principal.actor``
    label: str | None = None  # the token's label, the clerk's name as the admin gave it
    fields_keyed: int = 0
    forms: int = 0
    seconds: float = 0.0  # on forms whose opening time is known
    timed_forms: int = 0
    compared: int = 0  # fields a second clerk keyed too
    disagreed: int = 0
    decisions: int = 0

    @property
    def forms_per_hour(self) -> float | None:
        return round(self.timed_forms * 3600 / self.seconds, 1) if self.seconds else None

    @property
    def disagreement_rate(self) -> float | None:
        return round(self.disagreed / self.compared, 3) if self.compared else None

    def to_dict(self) -> dict[str, Any]:
        return {"clerk": self.clerk, "label": self.label, "fields_keyed": self.fields_keyed,
                "forms": self.forms, "forms_per_hour": self.forms_per_hour,
                "seconds_keying": round(self.seconds, 1), "compared": self.compared,
                "disagreed": self.disagreed, "disagreement_rate": self.disagreement_rate,
                "decisions": self.decisions}


def clerk_figures(state: AppState, principal: Principal) -> list[ClerkFigures]:
    """Per clerk: fields keyed, forms per hour of keying, share of compared fields where
    the other clerk keyed something else. Made from the stored entries (all agencies:
    an admin's view)."""

    require(principal, Action.AUDIT)
    figures: dict[str, ClerkFigures] = {}
    firsts: dict[tuple[str, str], tuple[str, KeyedValue]] = {}

    def of(actor: str) -> ClerkFigures:
        return figures.setdefault(actor, ClerkFigures(actor))

    for entry in all_entries(state.store):
        clerk = of(entry.by)
        if entry.kind is EntryKind.DECIDED:
            clerk.decisions += 1
            continue
        clerk.forms += 1
        clerk.fields_keyed += len(entry.values)
        if entry.opened_at:
            spent = (datetime.fromisoformat(entry.at)
                     - datetime.fromisoformat(entry.opened_at)).total_seconds()
            clerk.seconds += min(max(spent, 1.0), MAX_FORM_SECONDS)
            clerk.timed_forms += 1
        for value in entry.values:
            key = (entry.record_id, value.path)
            first = firsts.get(key)
            if first is None:
                firsts[key] = (entry.by, value)
            elif first[0] not in ("", entry.by):
                differ = comparable(first[1].value or first[1].raw) != comparable(
                    value.value or value.raw)
                for actor in (first[0], entry.by):
                    of(actor).compared += 1
                    of(actor).disagreed += differ
                firsts[key] = ("", value)  # only the first two entries are compared
    labels = {p.actor: p.label for p in list_tokens(state.store)}
    for clerk in figures.values():
        clerk.label = labels.get(clerk.clerk)
    state.trail.keying_figures_read(principal.actor, len(figures))
    return sorted(figures.values(), key=lambda c: c.clerk)


# --- the field's image -------------------------------------------------------------------


def crop_png(state: AppState, principal: Principal, record_id: str, path: str) -> bytes:
    """The field's part of page 1 (the whole page when its place is not known), cut
    from the page as the screens render it (cached per version, audited as a view)."""
    require(principal, Action.REVIEW)
    record = service.load_visible(state, principal, record_id)
    page = service.page_image(state, principal, record_id)
    region = next((r for r in record.regions if r.path == path and r.page == 1), None)
    if region is None:
        return page
    with Image.open(io.BytesIO(page)) as image:
        sx, sy = image.width / region.page_size[0], image.height / region.page_size[1]
        x0, y0, x1, y1 = region.box
        # A placed region is wide of the value already (``FieldRegion.estimated``).
        margin = 0.0 if region.estimated else CROP_MARGIN * (y1 - y0)
        box = (max(0, int((x0 - margin) * sx)), max(0, int((y0 - margin) * sy)),
               min(image.width, int((x1 + margin) * sx) + 1),
               min(image.height, int((y1 + margin) * sy) + 1))
        out = io.BytesIO()
        image.crop(box).save(out, format="PNG")
    return out.getvalue()
