"""Releasing an archived signed PDF into a dossier: every check is re-done, every
outcome audited."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest

import reuse
from audit import AuditLog
from records import SignatureInfo, Status
from reuse import Facts, ReleaseRefused
from storage import save_record
from tests.support import reuse as support
from tests.support.reuse import Archive, Person, make_record, months_before

AS_OF = date(2025, 6, 15)
AN = Person("Nguyễn Văn An", "1990-05-01", "001090012345")
AN_NAMESAKE = Person("Nguyễn Văn An", "1990-05-01", "001090099999")
MARRIAGE = "1.000894"
DOSSIER = "000.00.21.H29-250615-0042"


def _release(
    archive: Archive, audit_log: AuditLog, record_id: str, **overrides: Any
) -> reuse.ReleasedDocument:
    kwargs: dict[str, Any] = {
        "record_id": record_id,
        "dossier_code": DOSSIER,
        "procedure_code": MARRIAGE,
        "subject_id": AN.id_number,
        "citizen_request": True,
        "actor": "can-bo-07",
        "audit_log": audit_log,
        "as_of": AS_OF,
        "today": AS_OF,
        **overrides,
    }
    return support.release(archive.index, archive.store, **kwargs)


def _refusal(archive: Archive, audit_log: AuditLog, record_id: str, **overrides: Any) -> str:
    with pytest.raises(ReleaseRefused) as caught:
        _release(archive, audit_log, record_id, **overrides)
    entries = list(audit_log.entries())
    assert entries[-1].action == "reuse.release_refused"
    assert entries[-1].details["reason"] == caught.value.code
    assert caught.value.message  # the Vietnamese text shown to the officer
    return caught.value.code


def test_release_returns_the_signed_pdf_and_audits_it(
    archive: Archive, audit_log: AuditLog
) -> None:
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    )
    document = _release(archive, audit_log, record.id)
    assert document.data == archive.pdfs[record.id] and document.data.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(document.data).hexdigest()
    assert document.record_id == record.id and document.filename.endswith(".pdf")
    (entry,) = list(audit_log.entries())
    assert (entry.action, entry.actor) == ("reuse.release", "can-bo-07")
    assert entry.details["record_id"] == record.id
    assert entry.details["dossier_code"] == DOSSIER
    assert entry.details["procedure_code"] == MARRIAGE
    assert entry.details["subject"]["id_number"] == AN.id_number
    assert entry.details["components"] == ["XN_TTHN"]
    assert entry.details["sha256"] == document.sha256
    assert audit_log.verify().ok


def test_refused_without_an_explicit_citizen_request(archive: Archive, audit_log: AuditLog) -> None:
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    )
    assert _refusal(archive, audit_log, record.id, citizen_request=False) == "no_citizen_request"


def test_refused_for_another_persons_record(archive: Archive, audit_log: AuditLog) -> None:
    (theirs,) = archive.add(
        make_record("marital_status_certificate", AN_NAMESAKE, issued_on=months_before(AS_OF, 2))
    )
    assert _refusal(archive, audit_log, theirs.id) == "not_subject"
    by_name = _refusal(
        archive, audit_log, theirs.id, subject_id=None, name=AN.name, birth_date=AN.birth_date
    )
    assert by_name == "not_subject"


def test_refused_for_malformed_dossier_codes(archive: Archive, audit_log: AuditLog) -> None:
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    )
    for bad in ("", "HS 123", "H29.01-251315-0001", "H29.01-250615-1", "h29-250615-0001"):
        assert _refusal(archive, audit_log, record.id, dossier_code=bad) == "bad_dossier_code"
    assert reuse.check_dossier_code("H29.01-250615-0001") == "H29.01-250615-0001"


def test_refused_when_not_reusable_for_that_procedure_on_that_day(
    archive: Archive, audit_log: AuditLog
) -> None:
    stale, land = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 7)),
        make_record("land_use_certificate", AN, issued_on="2015-01-01"),
    )
    assert _refusal(archive, audit_log, stale.id) == "not_reusable"
    assert _refusal(archive, audit_log, land.id) == "not_reusable"  # not accepted by 1.000894
    assert _refusal(archive, audit_log, "0" * 24) == "unknown_record"


def test_release_rechecks_instead_of_trusting_the_lookup(
    archive: Archive, audit_log: AuditLog
) -> None:
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    )
    looked_up = support.lookup(
        archive.index, subject_id=AN.id_number, procedure_code=MARRIAGE, as_of=AS_OF, today=AS_OF
    )
    assert looked_up.record_ids() == [record.id]
    record.status = Status.NEEDS_REVIEW  # a correction reopened it after the lookup
    archive.index.upsert(record)
    assert _refusal(archive, audit_log, record.id) == "not_reusable"


def test_refused_when_the_archived_pdf_is_missing(archive: Archive, audit_log: AuditLog) -> None:
    record = make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    save_record(archive.store, record)
    archive.index.upsert(record)  # indexed and stored, but its PDF never reached the store
    assert _refusal(archive, audit_log, record.id) == "no_archival_pdf"


def test_the_stored_record_wins_over_a_lagging_index(archive: Archive, audit_log: AuditLog) -> None:
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    )
    record.version, record.status = 2, Status.NEEDS_REVIEW  # reopened; not reindexed yet
    save_record(archive.store, record)
    assert (
        record.id
        in support.lookup(
            archive.index,
            subject_id=AN.id_number,
            procedure_code=MARRIAGE,
            as_of=AS_OF,
            today=AS_OF,
        ).record_ids()
    )
    assert _refusal(archive, audit_log, record.id) == "not_reusable"


def test_a_probable_match_needs_corroboration_and_the_officers_confirmation(
    archive: Archive, audit_log: AuditLog
) -> None:
    (paper,) = archive.add(
        make_record(
            "land_use_certificate",
            AN,
            issued_on="2012-03-01",
            with_id=False,
            fields={"residence": "Số 5 phố Huế, Hà Nội"},
        )
    )
    by_name = {"procedure_code": "1.004222", "name": AN.name, "birth_date": AN.birth_date}
    assert _refusal(archive, audit_log, paper.id, **by_name) == "not_corroborated"
    elsewhere = Facts(residence="Thôn Đông, Yên Sở, Hà Nội")
    assert _refusal(archive, audit_log, paper.id, **by_name, facts=elsewhere) == (
        "not_corroborated"
    )
    here = Facts(residence="so 5 pho hue ha noi")
    assert _refusal(archive, audit_log, paper.id, **by_name, facts=here) == "needs_confirmation"
    document = _release(
        archive, audit_log, paper.id, **by_name, facts=here, confirmed_probable=True
    )
    assert document.data == archive.pdfs[paper.id]
    last = list(audit_log.entries())[-1]
    assert last.details["match"] == "probable"
    assert last.details["subject"]["facts"] == ["residence"]


def test_refused_when_the_id_is_on_a_person_with_another_name(
    archive: Archive, audit_log: AuditLog
) -> None:
    wrong_line = Person("Nguyễn Văn Bảo", AN.birth_date, AN.id_number)
    (record,) = archive.add(
        make_record("marital_status_certificate", wrong_line, issued_on=months_before(AS_OF, 2))
    )
    by_identity = {"name": AN.name, "birth_date": AN.birth_date}
    assert _refusal(archive, audit_log, record.id, **by_identity) == "id_conflict"


def test_refused_when_undated_or_signed_with_a_development_identity(
    archive: Archive, audit_log: AuditLog
) -> None:
    undated = make_record("marital_status_certificate", AN, issued_on=None)
    dev_signed = make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    dev_signed.signature = SignatureInfo(level="PAdES-B-B", development_only=True)
    archive.add(undated, dev_signed)
    assert _refusal(archive, audit_log, undated.id) == "undated"
    assert _refusal(archive, audit_log, dev_signed.id) == "not_reusable"
    document = _release(archive, audit_log, dev_signed.id, accept_development_signatures=True)
    assert document.data == archive.pdfs[dev_signed.id]


def test_refused_when_expired_since_the_day_of_the_procedure(
    archive: Archive, audit_log: AuditLog
) -> None:
    (record,) = archive.add(
        make_record(
            "marital_status_certificate", AN, issued_on="2024-01-10", valid_until="2024-07-10"
        )
    )
    past = {"as_of": date(2024, 3, 1), "dossier_code": "000.00.21.H29-240301-0042"}
    assert _release(archive, audit_log, record.id, **past, today=date(2024, 3, 2)).data
    assert _refusal(archive, audit_log, record.id, **past) == "not_reusable"


def test_refused_when_the_pdf_handed_over_does_not_verify(
    archive: Archive, audit_log: AuditLog, tmp_path: Any
) -> None:
    """The record says signed; the bytes that would leave must verify too."""
    from signing import SigningSettings, ensure_dev_identity, load_signer, verify_pdf

    identity = ensure_dev_identity(tmp_path / "signing", "ubnd-test")
    (record,) = archive.add(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2))
    )
    stored = archive.pdfs[record.id]  # unsigned bytes under a record that says signed

    def verifies(data: bytes) -> bool:
        return verify_pdf(data, trust_roots=[identity.ca_cert_path]).valid

    assert _refusal(archive, audit_log, record.id, verify_signature=verifies) == (
        "signature_invalid")
    with load_signer(SigningSettings(agency_name="ubnd-test", visible=False), identity) as signer:
        assert verifies(signer.sign(stored, record_id=record.id).data)


def test_the_lookup_offers_no_paper_whose_pdf_fails_its_checksum(archive: Archive) -> None:
    """``IntactArchive``: a damaged or missing archival PDF is not offered; a paper found
    intact is remembered for ``ttl`` seconds (write-once keys), then read again."""
    from pathlib import Path

    intact, damaged, missing = archive.add(*(
        make_record("marital_status_certificate", AN, issued_on=months_before(AS_OF, 2),
                    seed=f"intact-{n}") for n in range(3)))
    assert damaged.files.archival_pdf and missing.files.archival_pdf
    root = Path(archive.store.url.removeprefix("file://"))
    path = root / damaged.files.archival_pdf
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    archive.store.delete(missing.files.archival_pdf)
    now = [0.0]
    check = reuse.IntactArchive(archive.store, ttl=60, clock=lambda: now[0])

    def offered() -> list[str]:
        return sorted(support.lookup(archive.index, subject_id=AN.id_number,
                                   procedure_code=MARRIAGE, as_of=AS_OF, today=AS_OF,
                                   verify=check).record_ids())

    assert offered() == [intact.id]
    assert intact.files.archival_pdf
    intact_path = root / intact.files.archival_pdf
    intact_path.write_bytes(b"%PDF- rotted")
    now[0] = 59.0
    assert offered() == [intact.id]  # remembered intact: not read again
    now[0] = 61.0
    assert offered() == []  # read again after ttl: damaged now
