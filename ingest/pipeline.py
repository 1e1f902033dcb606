"""The per-document pipeline, as small stages over plain data.

receive → plan pages → OCR pages (worker processes) → assemble archival PDF →
extract fields → sign → store (record JSON last: it commits the record) → index.

Each stage writes what it did onto the record (``Record.note``). The stages are plain
functions so the in-process driver (``ingest.batch``) and the Celery tasks run the
very same code.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import pikepdf

from ingest.errors import STORED_RECORD_DAMAGED, IngestError
from ingest.sniff import EXTENSIONS, HEAD_BYTES, PDF, check_content
from ocr import OcrInputError, PageJob, PageResult, Word, build_archival, plan_pages
from ocr.base import DEFAULT_LANGUAGES, PageView
from ocr.reread import LineReading, LineRequest, PageGeometry, read_lines
from ocr.sanitize import active_content
from records import (
    STACK_GIVEN,
    OcrInfo,
    OcrPage,
    Record,
    ReviewReason,
    SignatureInfo,
    Source,
    StackRef,
    Status,
    record_id_for,
)
from records.result_types import cached_result_types
from signing import SigningError
from signing.placement import (
    PageMarks,
    display_size,
    marks_from_gray,
    page_marks,
    stamp_depth,
    word_boxes,
)
from storage import (
    IntegrityError,
    ObjectNotFound,
    archival_key,
    load_record,
    normalize_agency,
    original_key,
    record_exists,
    record_prefix,
    save_record,
    text_key,
)

if TYPE_CHECKING:
    from extract import Extraction
    from search import Index
    from signing import Signer
    from storage import Store

log = logging.getLogger("sohoa.ingest")

@dataclass(frozen=True)
class Received:
    """A file accepted for digitization: its identity is its content.

    ``path`` is the private copy taken while the file was hashed, in the document's
    work folder (``work``; ``ingest.workfolder``): every later step reads it."""

    path: Path
    source: Source
    agency: str
    record_id: str
    given: dict[str, str] = field(default_factory=dict)

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.source.media_type, ".bin")

    @property
    def work(self) -> Path:
        return self.path.parent


CHUNK = 1 << 20


def hash_stream(stream: BinaryIO, *, head: bytes = b"",
                copy_to: BinaryIO | None = None) -> tuple[str, int]:
    """SHA-256 and size of ``head`` and the rest of ``stream``, written on to
    ``copy_to`` in the same pass when given."""
    digest = hashlib.sha256(head)
    size = len(head)
    if copy_to is not None:
        copy_to.write(head)
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    with path.open("rb") as fh:
        return hash_stream(fh)


def receive(
    source: Path | BinaryIO,
    *,
    work: Path,
    agency: str,
    max_bytes: int,
    filename: str | None = None,
    given: dict[str, str] | None = None,
) -> Received:
    """Identify a file (a path, or a stream with its ``filename``) by content (SHA-256)
    and type (sniffed from its bytes), taking a private copy into ``work``, the
    document's work folder (made if missing), in the same pass.

    Every later step reads the copy, which nothing else writes: the checksum the record
    carries (which fixity, deduplication and release all trust) is then that of the
    very bytes OCR'd, archived and stored, though the file be changed or removed
    meanwhile; and the file is read and hashed once (OCRmyPDF too copies its input
    into its work folder before anything else)."""

    agency = normalize_agency(agency)  # one form of the name, or ids would differ
    if isinstance(source, Path):
        filename = filename or source.name
        with source.open("rb") as fh:
            return receive(fh, work=work, agency=agency, max_bytes=max_bytes,
                           filename=filename, given=given)
    assert filename is not None, "a stream is received with its file name"
    size = source.seek(0, io.SEEK_END)
    source.seek(0)
    head = source.read(HEAD_BYTES)
    media_type = check_content(size, head, max_bytes)
    work.mkdir(parents=True, exist_ok=True)
    copy = work / f"source{EXTENSIONS[media_type]}"
    with copy.open("xb") as out:
        sha, size = hash_stream(source, head=head, copy_to=out)
    # A file still being written may have grown since its size was checked.
    check_content(size, head, max_bytes)
    return Received(
        path=copy,
        source=Source(filename=filename, sha256=sha, media_type=media_type, size=size),
        agency=agency,
        record_id=record_id_for(agency, sha),
        given=dict(given or {}),
    )


def plan(received: Received, *, languages: str, max_pixels: int) -> list[PageJob]:
    """The OCR jobs for a file's pages; a file that cannot be paged fails here."""
    try:
        jobs = plan_pages(
            str(received.path),
            received.source.media_type,
            out_dir=str(received.work),
            languages=languages,
            max_pixels=max_pixels,
        )
    except OcrInputError as exc:
        raise IngestError(exc.code, exc.message) from exc
    if not jobs:
        raise IngestError("empty_document", "Tài liệu không có trang nào.")
    return jobs


def count_signatures(pdf: bytes) -> int:
    """How many filled signature fields a PDF already carries."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            acroform = doc.Root.get("/AcroForm")
            if acroform is None:
                return 0
            return sum(
                1
                for f in acroform.get("/Fields", [])
                if f.get("/FT") == "/Sig" and f.get("/V") is not None
            )
    except pikepdf.PdfError:
        return 0


def new_record(received: Received, pages: list[PageResult], engine: str, languages: str) -> Record:
    """The record as OCR leaves it: source, text and per-page facts."""
    source = Source(**{**received.source.__dict__, "pages": len(pages),
                       "part_of": StackRef.from_given(received.given)})
    record = Record(id=received.record_id, agency=received.agency, source=source)
    record.note("receive", media_type=source.media_type, size=source.size, sha256=source.sha256)
    record.text = "\f".join(p.text for p in pages)
    confidences = [
        (p.mean_confidence, len(p.words)) for p in pages if p.mean_confidence is not None
    ]
    weight = sum(n for _, n in confidences)
    mean = round(sum(c * n for c, n in confidences) / weight, 2) if weight else None
    record.ocr = OcrInfo(
        engine=engine,
        languages=languages,
        mean_confidence=mean,
        pages=[
            OcrPage(
                number=p.number,
                mean_confidence=p.mean_confidence,
                rotated=p.rotated,
                deskew=p.deskew,
                dpi=p.dpi,
                dpi_assumed=p.dpi_assumed,
                blank=p.blank,
                had_text=p.had_text,
                words=len(p.words),
            )
            for p in pages
        ],
    )
    record.note(
        "ocr",
        pages=len(pages),
        ocr_pages=sum(1 for p in pages if not p.had_text and not p.blank),
        blank_pages=[p.number for p in pages if p.blank],
        rotated={p.number: p.rotated for p in pages if p.rotated},
        mean_confidence=mean,
        # A step that failed and was skipped, or a plain reading kept over the
        # prepared one: the page was still read, and the record says how.
        notes=[f"page {p.number}: {note}" for p in pages for note in p.notes],
    )
    return record


def archival_pdf(
    received: Received, original: bytes, pages: list[PageResult]
) -> tuple[bytes, bool, list[str]]:
    """The PDF to sign, whether it is PDF/A, and why not when it is not.

    A PDF that already carries a signature is kept as it is and signed in a new
    incremental revision: rebuilding it as PDF/A would break the earlier signature.
    """
    if received.source.media_type == PDF and count_signatures(original):
        return original, False, ["kept_signed_original"]
    archival = build_archival(pages, title=received.source.filename)
    return archival.pdf, archival.pdfa, list(archival.notes)


def extract_fields(
    record: Record, pages: list[PageResult], given: dict[str, str], result_types: str | None,
    source: Received | None = None, languages: str = DEFAULT_LANGUAGES,
    use_line_model: bool = False,
) -> None:
    """Classify the paper and read its fields; unsure results go to review.

    Values given by the batch manifest win over what is read from the page. With the
    ``source`` file, the lines of header values the reading missed or doubts are read
    again on its pages (``extract.reread``), as evidence under the same checks; by the
    line model too when ``use_line_model`` (``SOHOA_LINE_MODEL``) and it is installed.
    """
    # Imported here, where it runs: in the OCR workers, whose server loaded it once
    # (``ingest.preload``); the command that admits and signs never reads fields.
    from extract.analyze import analyze, apply
    from extract.reread import line_model, second_reading

    texts, words = [p.text for p in pages], [p.words for p in pages]
    catalog = cached_result_types(result_types)
    manifest = {k: v for k, v in given.items() if k not in STACK_GIVEN}

    def analyzed(texts: list[str], words: list[list[Word]]) -> Extraction:
        return analyze(texts, words, given=manifest, result_types=catalog)

    extraction = analyzed(texts, words)
    if source is not None:
        geometries = [PageGeometry.of(p) for p in pages]
        pixels = max((p.width_px * p.height_px for p in pages), default=0) + 1

        failed: list[Exception] = []

        def read(wanted: list[LineRequest]) -> list[LineReading]:
            # Asked in rounds (``extract.reread``): after a failure, the next rounds read
            # nothing rather than fail (and be noted) again.
            if failed:
                return [LineReading(r, ()) for r in wanted]
            try:
                return read_lines(source.path, source.source.media_type, geometries, wanted,
                                  languages=languages, max_pixels=pixels,
                                  line_model=line_model() if use_line_model else None)
            except Exception as exc:
                # The second reading is evidence, never a step the paper depends on: a
                # render or a tesseract run that fails leaves the first reading as it was
                # (its doubts stay for an officer), and the record says so.
                failed.append(exc)
                log.warning("second reading failed on %s: %s", source.path.name, exc)
                record.note("reread", failed=f"{type(exc).__name__}: {exc}"[:300])
                return [LineReading(r, ()) for r in wanted]

        extraction = second_reading(extraction, texts, words, read, analyzed)
    apply(record, extraction)  # notes the record's one "extract" stage event


def first_page_marks(pdf: bytes, pages: list[PageResult]) -> PageMarks | None:
    """Page 1's ink and OCR word boxes, for the signer to put its stamp in blank space.

    Measured here, with the OCR in the worker, so the signing stage only does
    arithmetic; None when page 1 cannot be rendered (the signer then tries itself).
    """

    first = pages[0] if pages else None
    try:
        if first is None:
            return page_marks(pdf)
        words = [w.bbox for w in first.words]
        size = (first.width_px, first.height_px)
        return viewed_marks(pdf, first.view, words, size) or page_marks(pdf, words, size)
    except SigningError as exc:
        log.warning("cannot measure page 1 for the stamp: %s", exc)
        return None


def viewed_marks(pdf: bytes, view: PageView | None, words: list[tuple[int, int, int, int]],
                 size: tuple[int, int]) -> PageMarks | None:
    """``signing.placement.page_marks`` from the top of page 1 the OCR kept
    (``ocr.base.PageView``) instead of a render of the PDF; None when there is no view
    or it does not cover the page as shown (then page 1 is rendered)."""
    if view is None:
        return None
    width, height = display_size(pdf)
    # The view spans the page's width and reaches as deep as the placement looks.
    if abs(view.width * 72 / view.dpi - width) > 1 or \
            view.height < math.ceil(stamp_depth(height) * view.width / width):
        return None
    gray = np.frombuffer(view.gray, dtype=np.uint8).reshape(view.height, view.width)
    return marks_from_gray(gray, width, height, word_boxes(words, size, width, height))


def sign(record: Record, pdf: bytes, signer: Signer, prior_signatures: int,
         marks: PageMarks | None = None) -> bytes:
    signed = signer.sign(pdf, record_id=record.id, marks=marks)
    record.signature = SignatureInfo(
        level=signed.level,
        signer=signed.signer,
        signed_at=signed.signed_at,
        field_name=signed.field_name,
        development_only=signed.development_only,
        prior_signatures=prior_signatures,
    )
    record.note("sign", level=signed.level, signer=signed.signer, prior_signatures=prior_signatures,
                stamp=signed.stamp_where, stamp_font_size=signed.stamp_font_size)
    return signed.data


def store_record(
    store: Store, record: Record, received: Received, original: bytes, signed_pdf: bytes
) -> None:
    """Write the record's objects, its JSON last: the JSON's presence commits the record.

    Objects left by an earlier attempt that died before committing are discarded
    first, so a retry never trips over its own half-written past.
    """

    discard_uncommitted(store, received.agency, received.record_id)
    record.files.original = original_key(received.agency, record.id, received.extension)
    record.files.archival_pdf = archival_key(received.agency, record.id)
    record.files.text = text_key(received.agency, record.id)
    written: list[str] = []
    try:
        for key, data, ctype in (
            (record.files.original, original, received.source.media_type),
            (record.files.archival_pdf, signed_pdf, PDF),
            (record.files.text, record.text.encode("utf-8"), "text/plain; charset=utf-8"),
        ):
            store.put(key, data, content_type=ctype, metadata={"record-id": record.id})
            written.append(key)
        record.note("store", objects=[*written])
        save_record(store, record)
    except Exception:
        for key in written:
            _delete_quietly(store, key)
        raise


def discard_uncommitted(store: Store, agency: str, record_id: str) -> None:

    if record_exists(store, agency, record_id):
        return
    for info in store.list(record_prefix(agency, record_id)):
        log.warning("discarding object left by an unfinished attempt: %s", info.key)
        _delete_quietly(store, info.key)


def _delete_quietly(store: Store, key: str) -> None:
    try:
        store.delete(key)
    except Exception:
        log.exception("could not remove %s", key)


@dataclass
class Composed:
    """A document ready to sign: its record and unsigned archival PDF (picklable, so the
    CPU-heavy composing runs in a worker process)."""

    record: Record
    pdf: bytes
    prior_signatures: int
    # Page 1's ink and words, where the signer must not put its stamp.
    marks: PageMarks | None = None


def compose(received: Received, pages: list[PageResult], *, engine: str,
            languages: str, result_types: str | None = None,
            handwriting: bool = False, line_model: bool = False) -> Composed:
    """The CPU-bound part after OCR: archival PDF and fields (``handwriting``: and the
    handwritten fields of a printed form, proposed; ``line_model``: doubted header lines
    read by the line model too, ``SOHOA_LINE_MODEL``). Pure: no store, no key."""
    original = received.path.read_bytes()
    record = new_record(received, pages, engine, languages)
    pdf, is_pdfa, notes = archival_pdf(received, original, pages)
    prior = count_signatures(original) if received.source.media_type == PDF else 0
    record.note("archive", pdfa=is_pdfa, size=len(pdf), notes=notes)
    extract_fields(record, pages, received.given, result_types, received, languages,
                   use_line_model=line_model)
    if handwriting:
        # As ``analyze``: imported where it runs, in the workers (preloaded there).
        from ingest.handwriting import read_handwriting

        read_handwriting(record, received.path, received.source.media_type, pages, languages)
    flag_archive(record, pdf, kept_original=pdf is original, is_pdfa=is_pdfa)
    flag_split(record)
    return Composed(record=record, pdf=pdf, prior_signatures=prior,
                    marks=first_page_marks(pdf, pages))


def flag_archive(record: Record, pdf: bytes, *, kept_original: bool, is_pdfa: bool) -> None:
    """Send to review what the agency should not sign unseen: an archival PDF we built
    that failed PDF/A (``not_pdfa``), or a signed original kept as it is that carries
    scripts, launch actions or attachments we could not remove without breaking its
    signature (``active_content``)."""
    if kept_original:

        reason = "active_content" if active_content(pdf) else None
    else:
        reason = None if is_pdfa else "not_pdfa"
    if reason is None:
        return
    record.review.reasons.append(ReviewReason(reason))
    if record.status == Status.READY:
        record.status = Status.NEEDS_REVIEW


def flag_split(record: Record) -> None:
    """A paper split from a stack where a boundary was unsure (``ingest.stack``) waits
    for an officer to check its pages rather than trusting a guess."""
    part_of = record.source.part_of
    if part_of is None or not part_of.unsure:
        return
    record.review.reasons.append(ReviewReason("split_unsure"))
    if record.status == Status.READY:
        record.status = Status.NEEDS_REVIEW


def commit(received: Received, composed: Composed, *, store: Store, index: Index,
           signer: Signer) -> Record:
    """Sign, store (the record JSON last) and index. Runs where the signer lives."""
    record = composed.record
    signed_pdf = sign(record, composed.pdf, signer, composed.prior_signatures, composed.marks)
    store_record(store, record, received, received.path.read_bytes(), signed_pdf)
    try:
        index.upsert(record)
    except Exception as exc:
        # The record is committed (its JSON is in storage, the system of record): the
        # file is ingested, not failed. The index is derived; the next attempt at this
        # file (``committed_record``), ``sohoa reindex`` or the periodic repair adds it.
        log.error("record %s stored but not indexed (index repair will add it): %s",
                  record.id, exc)
    return record


def commit_once(received: Received, composed: Composed, *, store: Store, index: Index,
                signer: Signer, lock: AbstractContextManager[None]) -> Record | None:
    """``commit`` under the record's lock (``Runtime.record_lock``), unless another
    attempt committed the same document first: then None, and nothing is written."""
    with lock:
        if committed_record(store, index, received.agency, received.record_id) is not None:
            return None
        return commit(received, composed, store=store, index=index, signer=signer)


def committed_record(store: Store, index: Index, agency: str, record_id: str) -> Record | None:
    """The committed record ``record_id`` (None when there is none), made sure to be in
    the index as stored.

    A process can die between committing a record (its JSON in storage) and indexing
    it. Whoever next meets the committed record (a redelivered task, a re-run of the
    batch) finishes that step, so a record in storage never stays missing from search
    and reuse until someone thinks of a reindex.

    A stored record whose bytes are damaged fails this file alone
    (``stored_record_damaged``): digitizing it again would shadow the damage.
    """

    try:
        record = load_record(store, agency, record_id)
    except ObjectNotFound:
        return None
    except IntegrityError as exc:
        log.error("stored record %s is damaged: %s", record_id, exc)
        raise IngestError(*STORED_RECORD_DAMAGED) from exc
    indexed = index.get(record.id)
    if indexed is None or indexed.get("version") != record.version:
        log.warning("indexing committed record %s (v%d) that the index lacked",
                    record.id, record.version)
        index.upsert(record)
    return record


def finish(
    received: Received,
    pages: list[PageResult],
    *,
    store: Store,
    index: Index,
    signer: Signer,
    lock: AbstractContextManager[None],
    engine: str,
    languages: str,
    result_types: str | None = None,
    handwriting: bool = False,
    line_model: bool = False,
) -> Record | None:
    """Everything after OCR for one document, in one process (the Celery task); None
    when another attempt committed the same document first (``commit_once``)."""
    composed = compose(received, pages, engine=engine, languages=languages,
                       result_types=result_types, handwriting=handwriting,
                       line_model=line_model)
    return commit_once(received, composed, store=store, index=index, signer=signer,
                       lock=lock)
