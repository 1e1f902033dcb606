"""From OCR output to a record's structure: ``analyze`` then ``apply``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from extract.checks import DEFAULT_THRESHOLDS, cross_check, field_read_weakly
from extract.classify import classify
from extract.fields import SIGNER_TITLE, Reading, SubjectRead, Value, read_fields
from extract.ids import id_problems
from extract.keys import (
    ID_EVIDENCE,
    STATED_TERM,
    SUBJECT_KEYS,
    TOP_LEVEL,
    resolves,
    stored_term,
    valid_until,
)
from extract.lines import Line, lines_from_text, lines_from_words
from extract.places import (
    AMBIGUOUS,
    INFERRED,
    REORGANISED_ON,
    UNMATCHED,
    IssuerMatch,
    key_of,
    match_issuer,
)
from extract.text import find_date
from ocr.base import Word
from records.folding import fold_aligned, nfc
from records.model import (
    LOCATION_COLUMNS,
    ArchiveLocation,
    Doubts,
    Record,
    ReviewReason,
    Status,
    Subject,
)
from records.result_types import ResultType, load_result_types
from records.vntime import vietnam_today

# Manifest columns that describe the paper itself; every other column lands in fields.


@dataclass
class Extraction:
    doc_type: str | None = None
    doc_type_confidence: float | None = None
    title: str | None = None
    document_number: str | None = None
    issuer: str | None = None
    issued_on: str | None = None
    valid_until: str | None = None
    subjects: list[Subject] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    doubts: Doubts = field(default_factory=Doubts)
    given: list[str] = field(default_factory=list)
    review_reasons: list[ReviewReason] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)  # path → lowest word confidence
    location: ArchiveLocation = field(default_factory=ArchiveLocation)  # only ever given


def _lines(pages_text: list[str], words: list[list[Word]] | None) -> list[Line]:
    if words and any(words):
        return lines_from_words(words)
    return lines_from_text(pages_text)


def _subject(read: SubjectRead) -> Subject:
    return Subject(
        name=read.name.value if read.name else None,
        id_number=read.id_number.value if read.id_number else None,
        birth_date=read.birth_date.value if read.birth_date else None,
        role=read.role,
        sex=read.sex.value if read.sex else None,
    )


def _confidences(reading: Reading) -> dict[str, float]:
    out: dict[str, float] = {}
    for path, value in (
        ("document_number", reading.document_number),
        ("issuer", reading.issuer),
        ("issued_on", reading.issued_on),
    ):
        if value and value.confidence is not None:
            out[path] = value.confidence
    for index, subject in enumerate(reading.subjects):
        for attr in ("name", "id_number", "birth_date", "sex"):
            value = getattr(subject, attr)
            if value and value.confidence is not None:
                out[f"subjects[{index}].{attr}"] = value.confidence
    for name, value in reading.fields.items():
        if value.confidence is not None:
            out[f"fields.{name}"] = value.confidence
    return out


def _apply_given(extraction: Extraction, given: dict[str, str]) -> None:
    """Manifest values win over what was read; they are listed in ``given``."""
    for key, value in given.items():
        if value in ("", None):
            continue
        if key in TOP_LEVEL:
            setattr(extraction, key, value)
            path = key
        elif key in SUBJECT_KEYS:
            if not extraction.subjects:
                extraction.subjects.append(Subject())
            setattr(extraction.subjects[0], key, value)
            path = f"subjects[0].{key}"
        elif key in LOCATION_COLUMNS:
            attr = LOCATION_COLUMNS[key]
            setattr(extraction.location, attr, int(value) if attr == "sheets" else value)
            path = f"location.{attr}"
        else:
            extraction.fields[key] = value
            path = f"fields.{key}"
        extraction.given.append(path)
        # An officer's value needs no review for having been misread.
        extraction.review_reasons = [r for r in extraction.review_reasons if not resolves(path, r)]
        extraction.confidence[path] = 100.0
    if "doc_type" in given:
        extraction.doc_type_confidence = 1.0
        extraction.review_reasons = [r for r in extraction.review_reasons if r != "doc_type_unsure"]


def _given_evidence(extraction: Extraction, where: str) -> bool:
    return any(f"{where}.{attr}" in extraction.given for attr in ID_EVIDENCE)


def _recheck_ids(extraction: Extraction) -> None:
    """Hold a person's ID to the values the manifest gave, as extraction held it to the read ones.

    A given birth date or sex can contradict the ID that OCR kept (or a given ID the birth
    date that was read): the ID is then dropped and flagged, the same policy as
    ``checks.cross_check`` — which of the two is wrong is for an officer to say.
    """
    for index, subject in enumerate(extraction.subjects):
        where = f"subjects[{index}]"
        if subject.id_number is None or not _given_evidence(extraction, where):
            continue
        birth_year = date.fromisoformat(subject.birth_date).year if subject.birth_date else None
        problems = id_problems(subject.id_number, birth_year, subject.sex)
        if not problems:
            continue
        extraction.doubts.unverified_id_numbers.append(subject.id_number)
        subject.id_number = None
        extraction.given = [p for p in extraction.given if p != f"{where}.id_number"]
        extraction.review_reasons += [ReviewReason(problem, where) for problem in problems]


# Where a record keeps the issuer as printed and the codes of the official unit it names.
ISSUER_PRINTED = "issuer_printed"
ISSUER_CODES = ("issuer_ward_code", "issuer_district_code", "issuer_province_code", "issuer_era")


def _official_issuer(
    extraction: Extraction, page_lines: list[str], place_weak: bool = False
) -> None:
    """The issuer in its official form, with the unit's codes; review when there is none.

    What was printed stays in ``fields["issuer_printed"]``. A block that names no unit of
    the official list (as it stood on the issue date), or two equally, leaves ``issuer``
    empty with ``issuer_unmatched``/``issuer_ambiguous``: a garbled agency name on a ready
    record would become its own entry in every filter by issuing agency.

    ``place_weak``: the registration place has a word read under the issuer's threshold
    (``checks.field_read_weakly``); an issuer read from it is then in doubt, as a header
    read so weakly would be.
    """
    printed = extraction.issuer
    registered = extraction.fields.get(REGISTRATION_PLACE)
    if printed is None and not registered:
        # No agency read at all: the paper is not held back for it, but a record in review
        # for other values gets the signature's proposal for the officer to confirm.
        proposed = _issuer_from_signature(extraction, page_lines)
        if proposed is not None and _dateline_names(proposed, page_lines):
            _set_confirmed_issuer(extraction, proposed, DATELINE)
        elif proposed is not None and extraction.review_reasons:
            _set_proposed_issuer(extraction, proposed)
        return
    if printed is not None:
        extraction.fields[ISSUER_PRINTED] = printed
        match = match_issuer(printed, extraction.issued_on, page_lines)
    else:
        match = IssuerMatch(printed="", reason=UNMATCHED)
    if match.official is None and match.reason == UNMATCHED and registered:
        # The header's agency unreadable: a civil-status paper names the committee that
        # registered it in the body ("Nơi đăng ký: Ủy ban nhân dân xã …"), and that committee
        # issued it. Matched as strictly as a header.
        by_place = match_issuer(str(registered), extraction.issued_on, page_lines)
        if by_place.official is not None:
            match = by_place
            extraction.fields[ISSUER_FROM] = REGISTRATION_PLACE
            if place_weak:
                extraction.review_reasons.append(ReviewReason("low_confidence", "issuer"))
    if match.official is None and match.reason == UNMATCHED:
        by_signature = _issuer_from_signature(extraction, page_lines)
        if by_signature is not None:
            if _stated_in_body(by_signature, extraction.issued_on, page_lines):
                # Two readings name one unit: the signature with the page's address, and
                # the committee speaking in the body. The header's damage costs nothing.
                _set_confirmed_issuer(extraction, by_signature, CONFIRMING_LINE)
                return
            if _dateline_names(by_signature, page_lines):
                _set_confirmed_issuer(extraction, by_signature, DATELINE)
                return
            if _header_names(by_signature, printed):
                _set_confirmed_issuer(extraction, by_signature, HEADER_NAME)
                return
            _set_proposed_issuer(extraction, by_signature)
            return
    if match.reason == AMBIGUOUS and extraction.issued_on is None and printed is not None:
        # The issue date unread, a unit standing in both eras names two: the page's other
        # dates and its addresses may still say which (the record is in review for the
        # date anyway, so an officer sees the choice).
        on = _era_hint(page_lines)
        if on is not None:
            dated = match_issuer(printed, on, page_lines)
            if dated.official is not None:
                match = dated
    if match.official is None:
        extraction.issuer = None
        extraction.review_reasons.append(ReviewReason(match.reason or UNMATCHED, "issuer"))
        extraction.doubts.issuer_candidates = list(match.candidates)
        return
    extraction.issuer = match.official
    _set_issuer_codes(extraction.fields, match)
    if registered and extraction.fields.get(ISSUER_FROM) != REGISTRATION_PLACE:
        by_place = match_issuer(str(registered), extraction.issued_on, page_lines)
        if by_place.official is not None and not by_place.lenient and (
            by_place.codes() != match.codes()
        ):
            # The committee that registered the event issues its paper: the header naming
            # another unit than "Nơi đăng ký" (a ward's line lost, leaving its district) is
            # one of the two misread, and only an officer can say which.
            extraction.review_reasons.append(ReviewReason(ISSUER_MISMATCH, "issuer"))
            extraction.doubts.issuer_candidates = [match.official, by_place.official]
    if match.official.startswith(COMMITTEE) and _signed_by_director(page_lines):
        # A people's committee signs through its chairman ("TM. ỦY BAN NHÂN DÂN / CHỦ
        # TỊCH"); a paper signed by a director ("GIÁM ĐỐC") comes from a department, office
        # or centre, printed under its committee ("ỦY BAN NHÂN DÂN CẦN THƠ / SỞ NÔNG
        # NGHIỆP VÀ MÔI TRƯỜNG"). Its header read as the committee alone has lost that
        # line (a noisy top): the committee is where the issuer sits, not the issuer.
        extraction.review_reasons.append(ReviewReason(SIGNER_MISMATCH, "issuer"))
    if match.lenient and not match.confirmed and not _dateline_names(match, page_lines):
        # Read only through OCR damage ("LÝ ESN NHÂN DÂN THỊ XÃ 5h PA") and named nowhere
        # else on the page, not even by the dateline ("Sa Pa, ngày …"): the unit is
        # proposed for an officer to confirm, not trusted.
        extraction.review_reasons.append(ReviewReason(INFERRED, "issuer"))


COMMITTEE = "Ủy ban nhân dân"
SIGNER_MISMATCH = "issuer_signer"
# The chairman's titles, or the committee signed for ("TM. ỦY BAN NHÂN DÂN"), anywhere in
# the signature block.
_CHAIR_SIGNS = re.compile(r"chu tich|(?<![a-z])t\W{0,2}m\W{0,3}uy ban nhan")


def _signed_by_director(page_lines: list[str]) -> bool:
    """The signature block has a director's title line ("GIÁM ĐỐC", "KT. GIÁM ĐỐC") and
    nothing of a committee's chairman."""
    block = [fold_aligned(line) for line in page_lines[-SIGNATURE_LINES:]]
    return any(SIGNER_TITLE.match(line) and "giam doc" in line for line in block) and not any(
        _CHAIR_SIGNS.search(line) for line in block
    )


# Who signs for the agency that issues a type of paper, that agency as its header prints
# it, the field whose address names its unit and the level of that unit. Where the header
# is lost (a noisy top, a fax), the signature block and the type name the agency and the
# page names its unit: a household business is registered by the finance office of the
# district of its address (before the 2025 reorganisation); a land-use certificate signed
# for the people's committee ("TM. ỦY BAN NHÂN DÂN") by the committee of the district of
# the land; a marital status certificate by the commune where the person resides; a
# criminal record certificate by the justice department of the dateline's province (no
# address field).
_COMMITTEE_SIGNS = re.compile(r"(?<![a-z])t\W{0,2}m\W{0,3}uy ban nhan")
_SIGNED_AGENCY: dict[str, tuple[re.Pattern[str], str, str | None, str]] = {
    "household_business_registration": (
        re.compile(r"truong phong"),
        "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
        "business_address",
        "district",
    ),
    "land_use_certificate": (_COMMITTEE_SIGNS, "ỦY BAN NHÂN DÂN", "land_address", "district"),
    "marital_status_certificate": (_COMMITTEE_SIGNS, "ỦY BAN NHÂN DÂN", "residence", "ward"),
    "criminal_record_certificate": (re.compile(r"giam doc"), "SỞ TƯ PHÁP", None, "province"),
}
SIGNATURE = "signature"
SIGNATURE_LINES = 12  # the signature block sits in the page's last lines
# Where an address's part of that level begins ("huyện Bảo Lạc, tỉnh Cao Bằng").
_UNIT_PART = {
    "district": re.compile(r"^\s*(?:quan|huyen|thi xa|thanh pho)\s+\S"),
    "ward": re.compile(r"^\s*(?:xa|phuong|thi tran)\s+\S"),
}


def _set_proposed_issuer(extraction: Extraction, match: IssuerMatch) -> None:
    extraction.issuer = match.official
    extraction.fields[ISSUER_FROM] = SIGNATURE
    _set_issuer_codes(extraction.fields, match)
    extraction.review_reasons.append(ReviewReason(INFERRED, "issuer"))


def _set_confirmed_issuer(extraction: Extraction, match: IssuerMatch, source: str) -> None:
    extraction.issuer = match.official
    extraction.fields[ISSUER_FROM] = source
    _set_issuer_codes(extraction.fields, match)


# The dateline's place, whatever its date became: "Vũ Thư, ngày 20 tháng 6 năm 2009",
# "Cà Mau, ngày LI thóng 12 năm 2005" (folded).
_DATELINE_PLACE = re.compile(r"^\W*([^\W\d][^\d:,.]{1,40}?)\s*[,.]\s*n[a-z]{2,3}\s")
DATELINE = "dateline"
HEADER_NAME = "header_name"  # the damaged header still prints the unit's name


def _dateline_names(proposal: IssuerMatch, page_lines: list[str]) -> bool:
    """Whether the last dateline's place is the proposed unit's own name ("Vũ Thư, ngày …"
    under a proposal of the committee of huyện Vũ Thư).

    The dateline is written where the agency sits, apart from the address the proposal
    was made from: a second reading of the unit. A dateline naming the province, or
    another unit, confirms nothing (a district's paper may be dated by its province).
    """
    unit = proposal.unit
    if unit is None:
        return False
    for line in reversed(page_lines):
        found = _DATELINE_PLACE.match(fold_aligned(line))
        if found is not None:
            return key_of(nfc(line)[found.start(1) : found.end(1)]) == unit.key
    return False


# The committee speaking in the body of a certificate it issues: "Ủy ban nhân dân phường
# Trà Vinh, tỉnh Vĩnh Long xác nhận:" (a marital status certificate's opening).
_CONFIRMING = re.compile(r"^\W*((?:uy ban nhan dan|ubnd)\s.{3,120}?)[\s,.]*xac nhan\W*$")
CONFIRMING_LINE = "confirming_line"


def _body_statement(issued_on: str | None, page_lines: list[str]) -> IssuerMatch | None:
    """The unit a body line in which the committee states what it certifies names, read as
    strictly as a header; ``None`` without such a line."""
    for line in page_lines:
        found = _CONFIRMING.match(fold_aligned(line))
        if found is None:
            continue
        stated = match_issuer(nfc(line)[found.start(1) : found.end(1)], issued_on, page_lines)
        if stated.official is not None and not stated.lenient:
            return stated
    return None


def _stated_in_body(proposal: IssuerMatch, issued_on: str | None, page_lines: list[str]) -> bool:
    """Whether the committee speaking in the body names the very unit the signature block
    proposes."""
    stated = _body_statement(issued_on, page_lines)
    return (
        stated is not None
        and stated.official == proposal.official
        and stated.codes() == proposal.codes()
    )


def _weak_issuer_stated_in_body(extraction: Extraction, page_lines: list[str]) -> None:
    """Lift ``low_confidence:issuer`` when the committee speaking in the body ("Ủy ban nhân
    dân xã Đồng Du, huyện Bình Lục, tỉnh Hà Nam xác nhận:"), read as strictly as a header,
    names the very unit the record's issuer is: the header's block read weakly (the
    motto's pieces read at 0 between its lines) and this line are two mentions of the page
    that agree on one unit of the official list."""
    weak = ReviewReason("low_confidence", "issuer")
    if extraction.issuer is None or weak not in extraction.review_reasons:
        return
    codes = {
        "ward_code": extraction.fields.get("issuer_ward_code"),
        "district_code": extraction.fields.get("issuer_district_code"),
        "province_code": extraction.fields.get("issuer_province_code"),
    }
    stated = _body_statement(extraction.issued_on, page_lines)
    if stated is not None and stated.official == extraction.issuer and stated.codes() == codes:
        extraction.review_reasons = [r for r in extraction.review_reasons if r != weak]


# Type words a header may print before a unit's name, folded, one or two words.
_HEADER_TYPES = ("thi xa", "thanh pho", "thi tran", "xa", "phuong", "huyen", "quan", "tinh")


def _header_names(proposal: IssuerMatch, printed: str | None) -> bool:
    """Whether the header's block, too damaged to match ("ỦY DÂN NAM SÁCH BAN NHÂN PHÒNG
    CHÍNH - KẾ HOẠCH"), still prints the proposed unit's whole name ("NAM SÁCH") where a
    unit's name stands: after no type word, or after the unit's own ("HUYỆN NAM SÁCH", not
    "THỊ TRẤN NAM SÁCH"). The header is read apart from the address the proposal was made
    from: a second reading of the unit."""
    unit = proposal.unit
    if unit is None or not printed or len(unit.key) < 4 or not unit.key.isalpha():
        return False
    tokens = [t for t in (fold_aligned(w).strip(" .,:;-_") for w in printed.split()) if t]
    for start in range(len(tokens)):
        for end in range(start + 1, min(len(tokens), start + 5) + 1):
            if key_of(" ".join(tokens[start:end])) != unit.key:
                continue
            before = " ".join(tokens[max(0, start - 2) : start])
            typed = next((t for t in _HEADER_TYPES if before.endswith(t)), None)
            if typed is None or typed.replace(" ", "") == unit.kind:
                return True
    return False


def _issuer_from_signature(extraction: Extraction, page_lines: list[str]) -> IssuerMatch | None:
    """The issuer proposed from the signature block, the paper's type and the page, when
    the header's block named no unit. Always a proposal (``issuer_inferred``)."""
    signed = _SIGNED_AGENCY.get(extraction.doc_type or "")
    if signed is None:
        return None
    title, agency, address_field, level = signed
    if not any(title.search(fold_aligned(line)) for line in page_lines[-SIGNATURE_LINES:]):
        return None
    block = agency
    if address_field is not None:
        address = str(extraction.fields.get(address_field) or "")
        parts = re.split(r"[,.]", address)  # OCR reads an address's commas as full stops too
        at = next(
            (i for i, part in enumerate(parts[:-1]) if _UNIT_PART[level].match(fold_aligned(part))),
            None,
        )
        if at is None:
            return None
        block = f"{agency} {' '.join(parts[at:])}"
    match = match_issuer(block, extraction.issued_on, page_lines)
    return match if match.official is not None else None


# A district-level unit named in an address: papers issued since the 2025 reorganisation
# write addresses without one ("xã Minh Long, tỉnh Quảng Ngãi").
_DISTRICT_IN_ADDRESS = re.compile(r",\s*(?:huyen|quan|thi xa)\s+(\w)")


def _era_hint(page_lines: list[str]) -> date | None:
    """A day the paper was issued on or after, from what else it prints: its latest date
    (a registration, a death), when that is in the reorganised era; before it, only when
    the addresses still name districts (a paper of the old era)."""
    dates = [found for line in page_lines if (found := find_date(line)[0]) is not None]
    latest = max(dates, default=None)
    if latest is None:
        return None
    if latest >= REORGANISED_ON:
        return latest
    for line in page_lines:
        text = nfc(line)
        for district in _DISTRICT_IN_ADDRESS.finditer(fold_aligned(text)):
            name = text[district.start(1)]
            if name.isupper() or name.isdigit():  # "huyện Yên Lập", not "quản lý"
                return latest
    return None


# Where the issuer is read when the header's agency is not: the place of registration.
REGISTRATION_PLACE = "registration_place"
ISSUER_MISMATCH = "issuer_mismatch"
ISSUER_FROM = "issuer_from"


def _set_issuer_codes(fields: dict[str, Any], match: Any) -> None:
    codes = match.codes()
    fields["issuer_ward_code"] = codes.get("ward_code")
    fields["issuer_district_code"] = codes.get("district_code")
    fields["issuer_province_code"] = codes.get("province_code")
    fields["issuer_era"] = match.era


def _given_issuer(extraction: Extraction, page_lines: list[str]) -> None:
    """An officer's issuer is kept as typed; it carries the unit's codes when it names one."""
    if "issuer" not in extraction.given or not extraction.issuer:
        return
    for key in ISSUER_CODES:
        extraction.fields.pop(key, None)
    extraction.doubts.issuer_candidates = []
    match = match_issuer(extraction.issuer, extraction.issued_on, page_lines)
    if match.official is not None:
        _set_issuer_codes(extraction.fields, match)


def _missing(extraction: Extraction, result_type: ResultType | None) -> list[ReviewReason]:
    reasons = []
    if extraction.doc_type is None:
        reasons.append(ReviewReason("doc_type_unsure"))
    for name in ("document_number", "issued_on"):
        if getattr(extraction, name) is None:
            reasons.append(ReviewReason("missing", name))
    named = [s for s in extraction.subjects if s.name]
    if not named or len(named) < len(_required_roles(result_type)):
        reasons.append(ReviewReason("missing", "subjects"))
    return reasons


def _required_roles(result_type: ResultType | None) -> tuple[str, ...]:
    """The people a paper must name: each role of a type that has no default one (a
    marriage certificate's husband and wife). One of them lost to a garbled table cell
    leaves a record about half its people."""
    if result_type is None or result_type.default_role is not None:
        return ()
    return tuple(sorted(set(result_type.roles.values())))


def analyze(
    pages_text: list[str],
    words: list[list[Word]] | None,
    *,
    given: dict[str, str] | None = None,
    result_types: dict[str, ResultType] | None = None,
    today: date | None = None,
    thresholds: dict[str, float] | None = None,
) -> Extraction:
    """Classify a paper and read its fields from OCR text (and words, when known).

    ``given`` holds values an officer supplied (the batch manifest); they win over what
    was read. Nothing is guessed: a value that could not be read, or failed a check,
    is ``None`` and the reason is in ``review_reasons``.
    """
    catalog = result_types if result_types is not None else load_result_types()
    given = dict(given or {})
    lines = _lines(pages_text, words)
    classification = classify(lines, catalog)
    doc_type = given.get("doc_type") or classification.doc_type
    result_type = catalog.get(doc_type) if doc_type else None
    reading = read_fields(lines, result_type, classification.title_lines)
    limits = thresholds or DEFAULT_THRESHOLDS
    checked = cross_check(reading, today or vietnam_today(), limits)
    fields: dict[str, Any] = {name: v.value for name, v in reading.fields.items()}
    if reading.stated_term is not None:
        fields[STATED_TERM] = stored_term(reading.stated_term)
    extraction = Extraction(
        doc_type=classification.doc_type,
        doc_type_confidence=classification.confidence,
        title=classification.title,
        document_number=reading.document_number.value if reading.document_number else None,
        issuer=reading.issuer.value if reading.issuer else None,
        issued_on=reading.issued_on.value if reading.issued_on else None,
        subjects=[_subject(s) for s in reading.subjects],
        fields=fields,
        doubts=Doubts(
            unverified_id_numbers=list(checked.unverified_ids),
            unverified_birth_dates=list(checked.unverified_birth_dates),
            name_readings=dict(checked.name_readings),
        ),
        review_reasons=checked.reasons,
        confidence=_confidences(reading),
    )
    extraction.review_reasons = _missing(extraction, result_type) + extraction.review_reasons
    page_lines = [line.text for line in lines]
    _official_issuer(
        extraction, page_lines, field_read_weakly(reading, REGISTRATION_PLACE, limits)
    )
    _weak_issuer_stated_in_body(extraction, page_lines)
    _apply_given(extraction, given)
    _given_issuer(extraction, page_lines)
    _recheck_ids(extraction)
    if extraction.valid_until is None and not reading.term_unreadable:
        final_type = catalog.get(extraction.doc_type or "")
        extraction.valid_until = valid_until(final_type, extraction.issued_on, reading.stated_term)
    extraction.review_reasons = list(dict.fromkeys(extraction.review_reasons))
    return extraction


def apply(record: Record, extraction: Extraction) -> None:
    """Copy an extraction onto a record; reasons to review make it ``needs_review``."""
    record.doc_type = extraction.doc_type
    record.doc_type_confidence = extraction.doc_type_confidence
    record.title = extraction.title
    record.document_number = extraction.document_number
    record.issuer = extraction.issuer
    record.issued_on = extraction.issued_on
    record.valid_until = extraction.valid_until
    record.subjects = [Subject(**vars(s)) for s in extraction.subjects]
    record.fields = {**record.fields, **extraction.fields}
    record.doubts = extraction.doubts
    record.given = list(extraction.given)
    record.location = ArchiveLocation(**vars(extraction.location))
    record.review.reasons = list(extraction.review_reasons)
    if extraction.review_reasons and record.status == Status.READY:
        record.status = Status.NEEDS_REVIEW
    record.note(
        "extract",
        doc_type=extraction.doc_type,
        doc_type_confidence=extraction.doc_type_confidence,
        subjects=len(extraction.subjects),
        reasons=list(extraction.review_reasons),
        confidence=dict(extraction.confidence),
    )


__all__ = ["Extraction", "Value", "analyze", "apply"]
