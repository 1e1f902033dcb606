"""The batch hands its queued pages to the pool biggest first (``ingest.batch.Scheduler``):
the pages left for the end, when the other workers have nothing to do, are short."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

import ingest.batch
from application.runtime import Runtime
from ingest.batch import Scheduler
from ingest.outcome import FileOutcome
from ingest.pipeline import Received
from ocr import PageJob, PageResult
from ocr.plan import plan_pages
from records.model import Source


def _received(tmp_path: Path, name: str) -> Received:
    work = tmp_path / name
    work.mkdir()
    source = Source(filename=name, sha256=name, media_type="image/png", size=1)
    return Received(path=work / "source.png", source=source, agency="a", record_id=name)


def test_queued_pages_go_to_the_pool_biggest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each document's pages and their sizes, as ``plan`` would find them.
    sizes = {"a": [1], "b": [2], "c": [5], "d": [3], "e": [9, 4]}
    ran: list[int] = []
    release = threading.Event()

    def plan(received: Received, **_: Any) -> list[PageJob]:
        return [PageJob(str(received.path), "image/png", i, out_dir=str(received.work),
                        pixels=pixels)
                for i, pixels in enumerate(sizes[received.source.filename])]

    def run_page(job: PageJob) -> PageResult:
        ran.append(job.pixels)
        # The first pages wait until every document is queued (a bound, not a sleep: set
        # as soon as the last one is added).
        release.wait(timeout=10)
        raise RuntimeError("not read in this test")

    monkeypatch.setattr(ingest.batch, "plan", plan)
    monkeypatch.setattr(ingest.batch, "run_page", run_page)
    settings = SimpleNamespace(workers=1, languages="vie", max_pixels=10**9)
    outcomes: list[FileOutcome] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        scheduler = Scheduler(cast(Runtime, SimpleNamespace(settings=settings)),
                              cast(Any, None), outcomes.append, pool)
        for name in sizes:
            scheduler.add(_received(tmp_path, name))
        release.set()
        scheduler.drain(0)

    # The window (2 for one worker) took the first two pages as they came; the queue
    # then went biggest first.
    assert ran == [1, 2, 9, 5, 4, 3]
    assert sorted(o.filename for o in outcomes) == sorted(sizes)
    assert all(o.status == "failed" and o.code == "ocr_failed" for o in outcomes)


def test_a_page_knows_its_size(tmp_path: Path) -> None:
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("L", (300, 200), 255).save(image)
    assert [j.pixels for j in plan_pages(str(image), "image/png", out_dir=str(tmp_path))] \
        == [60_000]

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(72 * 2, 72 * 3))  # 2 × 3 inches, no scan: 300 dpi
    pdf.save(tmp_path / "blank.pdf")
    jobs = plan_pages(str(tmp_path / "blank.pdf"), "application/pdf", out_dir=str(tmp_path))
    assert [j.pixels for j in jobs] == [600 * 900]
