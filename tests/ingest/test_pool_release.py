"""A batch's own workers are let go as soon as its last job is back, before its last
document is committed (``ingest.batch.Scheduler._release_if_idle``): their exit runs
beside that commit instead of after it. A pool the caller keeps across batches
(``sohoa watch``) is never let go by a batch. Tesseract's version is asked once the pages
are on their way, not before the first is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import ingest.batch as batch
from application import Runtime, Settings
from ingest import discover, run_batch
from ocr import PageJob, PageResult


class Recording(Executor):
    """Runs each job when it is submitted; logs submits and shutdowns."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        assert not self.closed, "a job submitted after the pool was let go"
        self.log.append(f"submit {getattr(getattr(fn, 'func', fn), '__name__', '?')}")
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.closed = True
        self.log.append(f"shutdown wait={wait}")


def _page(job: PageJob) -> PageResult:
    return PageResult(number=job.index + 1, text="x", words=[], width_px=10, height_px=10,
                      dpi=300, dpi_assumed=False, rotated=0, deskew=0.0, mean_confidence=None,
                      blank=False, had_text=False, pdf_path="")


def _compose(received: Any, pages: list[PageResult], **_: Any) -> str:
    return received.source.filename


@pytest.fixture
def fakes(sohoa_env: dict[str, str], tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Runtime, Path, list[str]]]:
    log: list[str] = []
    monkeypatch.setattr(batch, "_pool", lambda size: Recording(log))
    monkeypatch.setattr(batch, "run_page", _page)
    monkeypatch.setattr(batch, "compose", _compose)
    monkeypatch.setattr(batch, "check_for_ingest", lambda runtime: None)

    def commit_once(received: Any, composed: str, **_: Any) -> None:
        log.append(f"commit {composed}")
        return None  # "already stored": no record needed for this test

    monkeypatch.setattr(batch, "commit_once", commit_once)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, shade in (("a.png", 10), ("b.png", 20), ("c.png", 30)):
        Image.new("L", (40, 40), shade).save(folder / name)
    runtime = Runtime.open(Settings.from_env())
    yield runtime, folder, log
    runtime.close()


def test_the_batch_pool_is_let_go_before_the_last_commit(
        fakes: tuple[Runtime, Path, list[str]]) -> None:
    runtime, folder, log = fakes
    outcomes = run_batch(discover([folder]), runtime)
    assert len(outcomes) == 3
    commits = [i for i, e in enumerate(log) if e.startswith("commit")]
    released = log.index("shutdown wait=False")
    assert len(commits) == 3
    # After every job was submitted, before the last document's commit; and waited
    # for at the batch's end.
    assert max(i for i, e in enumerate(log) if e.startswith("submit")) < released
    assert commits[1] < released < commits[2]
    assert log[-1] == "shutdown wait=True"
    assert log.count("shutdown wait=False") == 1


def test_a_pool_kept_across_batches_is_not_let_go(
        fakes: tuple[Runtime, Path, list[str]]) -> None:
    runtime, folder, log = fakes
    kept = batch.WorkerPool(2)  # as ``sohoa watch`` keeps one
    outcomes = run_batch(discover([folder]), runtime, executor=kept)
    assert len(outcomes) == 3
    assert [e for e in log if e.startswith("shutdown")] == []
    assert sum(e.startswith("commit") for e in log) == 3


def test_tesseract_version_is_asked_once_after_the_first_page_is_sent(
        fakes: tuple[Runtime, Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, folder, log = fakes

    def engine_name() -> str:
        log.append("engine")
        return "tesseract 5"

    monkeypatch.setattr(batch, "engine_name", engine_name)
    run_batch(discover([folder]), runtime)
    assert log.count("engine") == 1
    assert log.index("submit _page") < log.index("engine")


def test_the_next_page_is_sent_when_a_page_comes_back_not_when_its_document_is_committed(
        fakes: tuple[Runtime, Path, list[str]]) -> None:
    # The window (3 × 2 workers = 6) counts pages: once the first six pages are back,
    # the seventh is sent behind their documents' compositions, before any of them is
    # committed. When it counted compositions too, the seventh waited for six commits,
    # and a batch's last pages queued behind the compositions of the documents before
    # them while a worker idled (bench/README_ocr.md, issue-13-idle).
    runtime, folder, log = fakes
    for shade in range(40, 90, 10):
        Image.new("L", (40, 40), shade).save(folder / f"z{shade}.png")
    outcomes = run_batch(discover([folder]), runtime)
    assert len(outcomes) == 8
    pages = [i for i, e in enumerate(log) if e == "submit _page"]
    commits = [i for i, e in enumerate(log) if e.startswith("commit")]
    assert len(pages) == 8 and len(commits) == 8
    assert pages[6] < commits[0]
