"""People read Vietnam time as dd/mm/yyyy (HH:MM) everywhere; JSON keeps ISO 8601.

The stamp already said +07:00 while ``sohoa verify``, ``sohoa show`` and the record
screen printed the UTC instants of the record and of pyHanko's report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from api.web import TEMPLATES
from cli.main import format_record, format_verification
from records import Record, SignatureInfo, Source
from records.vntime import vietnam_date, vietnam_time
from signing import SignatureReport, TimestampReport, VerificationReport

# 18:30 UTC on 31/12/2025 is already 01:30 on 01/01/2026 in Vietnam.
LATE_UTC = "2025-12-31T18:30:15+00:00"
IN_VIETNAM = "01/01/2026 01:30"


def test_helpers_turn_instants_into_vietnam_time() -> None:
    assert vietnam_time(LATE_UTC) == IN_VIETNAM
    assert vietnam_time(datetime(2025, 12, 31, 18, 30, tzinfo=UTC)) == IN_VIETNAM
    assert vietnam_time("2025-12-31T18:30:15Z") == IN_VIETNAM
    assert vietnam_time("2026-01-01T01:30:00+07:00") == IN_VIETNAM
    # An instant stored without offset is UTC, as sohoa writes them.
    assert vietnam_time("2025-12-31T18:30:15") == IN_VIETNAM
    other = datetime(2026, 1, 1, 3, 30, tzinfo=timezone(timedelta(hours=9)))  # Tokyo
    assert vietnam_time(other) == IN_VIETNAM
    assert vietnam_time(None) == "—" and vietnam_time("không rõ") == "không rõ"


def test_dates_are_dd_mm_yyyy_and_instants_give_their_vietnam_day() -> None:
    assert vietnam_date("2024-02-29") == "29/02/2024"
    assert vietnam_date(date(2024, 2, 29)) == "29/02/2024"
    assert vietnam_date(LATE_UTC) == "01/01/2026"
    assert vietnam_date(None) == "—" and vietnam_date("29-02") == "29-02"


def _record() -> Record:
    record = Record(id="a" * 24, agency="ubnd-a",
                    source=Source(filename="gks.pdf", sha256="0" * 64,
                                  media_type="application/pdf", size=10))
    record.issued_on = "2025-06-30"
    record.valid_until = "2026-06-30"
    record.signature = SignatureInfo(level="PAdES-B-T", signer="UBND phường A",
                                     signed_at=LATE_UTC, field_name="SohoaSignature1",
                                     development_only=False, prior_signatures=0)
    return record


def test_show_prints_vietnam_time_and_json_keeps_iso() -> None:
    record = _record()
    text = format_record(record)
    assert IN_VIETNAM in text and "30/06/2025" in text and "30/06/2026" in text
    assert "2025-12-31" not in text and "+00:00" not in text and "2025-06-30" not in text
    assert record.to_dict()["signature"]["signed_at"] == LATE_UTC


def test_verify_prints_vietnam_time() -> None:
    signature = SignatureReport(
        field_name="SohoaSignature1", signer_subject="CN=UBND phường A",
        signer_common_name="UBND phường A", signing_time=LATE_UTC,
        timestamp=TimestampReport("2025-12-31T18:30:20+00:00", "TSA", True, True),
        intact=True, signature_valid=True, trusted=True, key_usage_ok=True,
        valid_at_signing_time=True, revoked=False, revocation_checked=True,
        coverage="ENTIRE_FILE", modification_level=None, docmdp_ok=None,
        modified_after_signing=False, pades_level="PAdES-B-T", development_only=False,
        valid=True)
    report = VerificationReport(valid=True, unsigned=False, reasons=[],
                                signatures=[signature])
    text = format_verification(report)
    assert f"Thời gian ký   : {IN_VIETNAM}" in text
    assert f"Dấu thời gian  : {IN_VIETNAM}" in text
    assert "+00:00" not in text


def test_record_screen_shows_vietnam_time() -> None:
    template = TEMPLATES.env.get_template("record.html")
    signature = {"valid": True, "unsigned": False, "reasons": [], "signatures": [
        {"signer_common_name": "UBND phường A", "signing_time": LATE_UTC, "timestamp": None}]}
    html = template.render(record=_record().to_dict(), signature=signature, me=None,
                           doc_types={})
    assert f"lúc <span class=\"date\">{IN_VIETNAM}</span>" in html  # never wrapped
    assert "30/06/2025" in html and "2025-06-30" not in html
    assert "+00:00" not in html
