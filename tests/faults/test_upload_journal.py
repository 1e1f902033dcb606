"""The upload journal read back at start-up, without OCR: what a killed server left
is taken up, failed with its reason, or cleaned away."""

from __future__ import annotations

from pathlib import Path

from api.batches import (
    MAX_RESUMES,
    BatchJournal,
    BatchRunner,
    BatchState,
    FileProgress,
    MemoryBatches,
    report_key,
    save_report,
)
from application import Settings
from storage.filestore import FileStore


def _batch(batch_id: str, *names: str) -> BatchState:
    return BatchState(id=batch_id, agency="ubnd-a", actor="tester", files=[
        FileProgress(filename=n, accepted=True, status="pending", size=3) for n in names])


def test_start_up_takes_up_fails_or_cleans_what_a_killed_server_left(
        sohoa_env: dict[str, str], tmp_path: Path) -> None:
    settings = Settings.from_env()
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    store = FileStore(settings.data_dir / "objects")  # where the runner stores reports
    journal = BatchJournal(uploads)
    # An upload cut off before its answer: staged parts, no journal.
    (uploads / "0000000000000001" / "0000").mkdir(parents=True)
    (uploads / "0000000000000001" / "0000" / "a.png").write_bytes(b"png")
    # A batch whose report was stored; only the clean-up was cut off.
    finished = _batch("0000000000000002", "b.png")
    (uploads / finished.id).mkdir()
    journal.write(finished)
    save_report(store, finished)
    # A batch whose staged copy is gone.
    lost = _batch("0000000000000003", "c.png")
    (uploads / lost.id).mkdir()
    journal.write(lost)
    # A batch cut off too many times already.
    cursed = _batch("0000000000000004", "d.png")
    (uploads / cursed.id / "0000").mkdir(parents=True)
    (uploads / cursed.id / "0000" / "d.png").write_bytes(b"png")
    journal.write(cursed, resumes=MAX_RESUMES)

    tracker = MemoryBatches()
    runner = BatchRunner(settings, tracker, journal=journal)
    try:
        resumed = runner.resume(store)
    finally:
        runner.shutdown()
    assert resumed == [lost.id, cursed.id]
    assert not (uploads / "0000000000000001").exists()
    assert not (uploads / finished.id).exists()
    for batch_id, code in ((lost.id, "upload_lost"), (cursed.id, "interrupted")):
        state = tracker.get(batch_id)
        assert state is not None and state.status in ("done", "failed")
        [entry] = state.files
        assert entry.status == "failed" and entry.code == code and entry.message
        assert store.head(report_key("ubnd-a", batch_id)) is not None
        assert not (uploads / batch_id).exists()
