"""Every awkward real-world file in ../shared/corpus/pdf-oddities ends as a record or a
clear per-file error, and the batch goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from application import Runtime, Settings
from ingest import discover, run_batch


@pytest.mark.slow
def test_corpus_each_file_is_a_record_or_a_clear_error(
    sohoa_env: dict[str, str], corpus_dir: Path
) -> None:
    runtime = Runtime.open(Settings.from_env())
    try:
        outcomes = run_batch(discover([corpus_dir]), runtime)
        # Every file of the folder is accounted for, the README too (skipped: not a scan).
        expected = sorted(p.name for p in corpus_dir.iterdir() if p.is_file())
        assert sorted(o.filename for o in outcomes) == expected
        for outcome in outcomes:
            if outcome.status == "failed":
                # A stable code and an explanation, never a stack trace.
                assert outcome.code and outcome.code != "internal_error", outcome.reason
                assert outcome.reason and "Traceback" not in outcome.reason
            elif outcome.filename != "README.md":
                assert outcome.status == "ingested", outcome
                assert outcome.record is not None
                assert outcome.record.signature.level
        by_name = {o.filename: o for o in outcomes}
        # The one file that is not a PDF at all fails; the real ones are digitized.
        assert by_name["invalid.pdf"].status == "failed"
        assert by_name["README.md"].code == "not_a_scan"  # said, not failed
        assert by_name["multipage.pdf"].status == "ingested"
        assert by_name["skew.pdf"].status == "ingested"
        stored = {o.record.id for o in outcomes if o.record is not None}
        assert runtime.index.count() == len(stored)
    finally:
        runtime.close()
