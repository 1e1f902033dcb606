"""The extraction bench's review table marks a wrong record that only another field's
reason holds in review (relaxing that reason would make it a wrong ready record)."""

from __future__ import annotations

import pytest

from bench.extract_bench import reason_fields


@pytest.mark.parametrize(
    ("reason", "fields"),
    [
        ("unverified:subjects[0].id_number", {"id_number"}),
        ("id_format:subjects[1]", {"id_number"}),
        ("id_birth_year_mismatch:subjects[0]", {"id_number", "birth_date"}),
        ("unverified:subjects[0].birth_date", {"birth_date"}),
        ("name_unconfirmed:subjects[1].name", {"name"}),
        ("missing:subjects", {"name"}),
        ("low_confidence:issuer", {"issuer_official"}),
        ("issuer_unmatched:issuer", {"issuer_official"}),
        ("number_format:document_number", {"document_number"}),
        ("date_mismatch:issued_on", {"issued_on"}),
        ("doc_type_unsure", {"doc_type"}),
        ("name_guessed:fields.mother_name", {"fields.mother_name"}),
    ],
)
def test_each_reason_names_the_fields_it_doubts(reason: str, fields: set[str]) -> None:
    assert reason_fields(reason) == fields
