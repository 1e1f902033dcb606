"""What the API and the screens do, once, over plain data.

Route modules translate HTTP to these calls; every visibility rule lives here, and
every access is recorded here through ``state.trail`` (``application.audited``, which
shapes the entries), so the JSON API and the screens cannot drift apart.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from api.access import Action, agency_scope, can_change, can_see, require
from api.batches import BatchState, FileProgress, load_report
from api.errors import ApiError, bad_request, not_found
from api.labels import reason_vi
from api.state import AppState
from api.tokens import Principal, Role
from application.operations import publish_review
from extract.review import ReviewError, ReviewItem, needs_review
from ingest.admission import InputFile, distinct_name
from ingest.errors import IngestError
from ingest.sniff import HEAD_BYTES, check_content, sniff_media_type
from ingest.stack import split_input
from records import Record
from records.errors import disk_full_as_storage_full
from search import IndexedRecord, SearchQuery, SearchResult
from signing import VerificationReport, verify_pdf
from storage import load_record
from storage.base import ObjectNotFound

log = logging.getLogger("sohoa.api")

RECORD_ID_RE = re.compile(r"^[0-9a-f]{24}$")
FILE_KINDS = {"original", "archival.pdf", "text"}


# --- records -----------------------------------------------------------------------------


def indexed_visible(state: AppState, principal: Principal, record_id: str) -> IndexedRecord:
    """The indexed JSON of a record the caller may see, else 404 (existence not leaked)."""
    if not RECORD_ID_RE.match(record_id):
        raise not_found()
    indexed = state.index.get(record_id)
    if indexed is None or not can_see(principal, indexed):
        raise not_found()
    return indexed.copy()


def load_visible(
    state: AppState, principal: Principal, record_id: str, version: int | None = None
) -> Record:

    indexed = indexed_visible(state, principal, record_id)
    try:
        record: Record = load_record(state.store, indexed["agency"], record_id, version=version)
    except (ObjectNotFound, FileNotFoundError, KeyError) as exc:
        raise not_found("record version" if version else "record") from exc
    return record


def view_record(
    state: AppState, principal: Principal, record_id: str, version: int | None = None
) -> Record:
    """A record the caller may see, its view audited."""
    record = load_visible(state, principal, record_id, version)
    state.trail.record_viewed(principal.actor, record.id, record.version)
    return record


def record_json(
    state: AppState, principal: Principal, record_id: str, version: int | None = None
) -> dict[str, Any]:
    """``view_record`` as the JSON the API and the screens show."""
    return view_record(state, principal, record_id, version).to_dict()


@dataclass(frozen=True)
class FileBody:
    data: bytes
    media_type: str
    filename: str


def record_file(state: AppState, principal: Principal, record_id: str, kind: str) -> FileBody:
    record = load_visible(state, principal, record_id)
    body = _read_file(state, record, kind)
    state.trail.file_read(principal.actor, record.id, record.version, kind)
    return body


def _read_file(state: AppState, record: Record, kind: str) -> FileBody:
    """One of a record's files, unaudited: the caller audits what it hands out."""

    key, media_type, filename = _file_key(record, kind)
    if key is None:
        raise not_found("file")
    try:
        data = state.store.get(key)
    except ObjectNotFound as exc:
        raise not_found("file") from exc
    return FileBody(data, media_type, filename)


def _file_key(record: Record, kind: str) -> tuple[str | None, str, str]:
    stem = Path(record.source.filename).stem or record.id
    if kind == "original":
        return record.files.original, record.source.media_type, record.source.filename
    if kind == "archival.pdf":
        return record.files.archival_pdf, "application/pdf", f"{stem}.pdf"
    if kind == "text":
        return record.files.text, "text/plain; charset=utf-8", f"{stem}.txt"
    raise not_found("file")


def page_image(state: AppState, principal: Principal, record_id: str) -> bytes:
    """Page 1 of the archival PDF as PNG at 100 dpi, rendered once per record version."""
    record = load_visible(state, principal, record_id)
    target = state.page_cache_dir / f"{record.id}-v{record.version}.png"
    if not target.exists():
        render_first_page(_read_file(state, record, "archival.pdf").data, target)
    state.trail.file_read(principal.actor, record.id, record.version, "page1.png")
    return target.read_bytes()


def render_first_page(pdf: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # A directory of its own: requests rendering the same page at once (the keying
    # screen's crops) must not write into each other's files.
    work = Path(tempfile.mkdtemp(prefix=f"{target.stem}.", suffix=".work", dir=target.parent))
    try:
        source = work / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", "-singlefile",
             str(source), str(work / "page")],
            check=True, capture_output=True, timeout=60,
        )
        # Rename into place: a concurrent reader never sees half a PNG.
        (work / "page.png").replace(target)
    except (subprocess.SubprocessError, OSError) as exc:
        log.warning("rendering page 1 failed: %s", exc)
        raise ApiError(
            422, "render_failed", "Page 1 could not be rendered.", "Không hiển thị được trang 1."
        ) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def verify_record(state: AppState, principal: Principal, record_id: str) -> VerificationReport:
    """The signature report of a record's archival PDF. Audited as a verification: the
    PDF itself is read here, not handed out."""
    record = load_visible(state, principal, record_id)
    report = verify_bytes(state, _read_file(state, record, "archival.pdf").data)
    state.trail.record_verified(principal.actor, record.id, record.version, report.valid)
    return report


def verify_bytes(state: AppState, data: bytes) -> VerificationReport:

    if sniff_media_type(data[:1024]) != "application/pdf":
        raise ApiError(
            415, "not_a_pdf", "The file is not a PDF.", "Tệp không phải PDF."
        )
    try:
        report = verify_pdf(data, trust_roots=state.trust_roots)
    except Exception as exc:
        log.info("verify: unreadable PDF: %s", exc)
        raise ApiError(
            422,
            "unreadable_pdf",
            f"The PDF could not be read: {type(exc).__name__}.",
            "Không đọc được tệp PDF (hỏng hoặc có mật khẩu).",
        ) from exc
    return report


# --- search and review ---------------------------------------------------------------------


def search(state: AppState, principal: Principal, query: SearchQuery) -> SearchResult:
    """Run ``query`` within the caller's reach."""
    require(principal, Action.READ)
    query.agencies, query.include_shared = agency_scope(principal, query.agency)
    query.agency = None
    result = state.index.search(query)
    state.trail.searched(principal.actor, query.text, [h.id for h in result.hits], result.total)
    return result


def review_queue(
    state: AppState, principal: Principal, limit: int, offset: int
) -> tuple[int, list[ReviewItem]]:
    """One page of the queue the caller reviews: the total waiting and the page's items."""
    query = SearchQuery(status="needs_review", limit=limit, offset=offset)
    query.agencies, query.include_shared = agency_scope(principal, None)
    # Only the owning agency reviews: shared records of others are not queued here.
    query.include_shared = principal.role is Role.ADMIN
    result = state.index.search(query)
    # The queue shows records' file names, types and reasons: an access like a search.
    state.trail.review_listed(principal.actor, [h.id for h in result.hits], result.total)
    return result.total, needs_review((h.record for h in result.hits), describe=reason_vi)


def correct(
    state: AppState,
    principal: Principal,
    record_id: str,
    changes: dict[str, str | None],
    approve: bool,
) -> Record:

    record = load_visible(state, principal, record_id)
    if not can_change(principal, record.agency):
        raise ApiError(
            403, "forbidden", "Only the owning agency corrects a record.",
            "Chỉ cơ quan sở hữu hồ sơ mới được sửa.",
        )
    clean = {str(k): "" if v is None else str(v) for k, v in changes.items()}
    try:
        # Published and audited there, as ``sohoa review --set`` is.
        new = publish_review(state.runtime, record, clean, approve=approve,
                             actor=principal.actor)
    except ReviewError as exc:
        raise ApiError(
            422, "invalid_correction", f"{exc.field}: invalid value", f"{exc.field}: {exc.message}",
            details={"field": exc.field},
        ) from exc
    if new is None:
        raise bad_request(
            "nothing_to_do", "Give corrections in 'set' or approve: true.",
            "Không có thay đổi nào.",
        )
    return new


# --- uploads ---------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str | None) -> str:
    """The client's file name reduced to a plain base name (Vietnamese letters kept)."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", base).strip(" .")
    return _fit_bytes(base, MAX_NAME_BYTES) or "upload"


# File systems limit a name to 255 bytes, not characters: a Vietnamese letter with its
# marks takes 2-3 bytes in UTF-8. Room is left for the " (2)" a repeated name gets.
MAX_NAME_BYTES = 200


def _fit_bytes(name: str, limit: int) -> str:
    """``name`` shortened to ``limit`` UTF-8 bytes, keeping its extension."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    room = limit - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(" .")
    return cut + suffix


@dataclass
class Part:
    filename: str
    stream: IO[bytes]


def _save_part(part: Part, dest: Path, max_bytes: int) -> FileProgress:
    """Copy one uploaded part to ``dest``, checking size and type as it goes (the
    admission's content check, ``ingest.sniff.check_content``: the same refusals and
    messages as for a file on disk)."""
    size = 0
    head = b""
    with disk_full_as_storage_full("upload staging"):
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("wb") as out:
            while chunk := part.stream.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    break  # refused whatever follows: the rest is not read
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                out.write(chunk)
    try:
        media_type: str | None = check_content(size, head, max_bytes)
        code = message = None
    except IngestError as exc:
        media_type = sniff_media_type(head) if size else None
        code, message = exc.code, exc.message
        dest.unlink(missing_ok=True)
    accepted = code is None
    return FileProgress(
        filename=dest.name, accepted=accepted, status="pending" if accepted else "rejected",
        size=size, media_type=media_type, code=code, message=message,
    )


def receive_upload(
    state: AppState, principal: Principal, parts: list[Part], batch_id: str, *,
    split: bool = False,
) -> BatchState:
    """Check and stage every part; queue the accepted ones as one batch.

    Staging goes to ``uploads/{batch}/{n}/{name}`` in the data dir (one folder per part
    keeps the client's file name, which becomes the record's source name). With
    ``split``, each multi-page PDF is a stack of papers: it is split here, before the
    answer (``ingest.stack``, a quick look at each page), and the batch holds its papers
    instead, each staged as an upload of its own and carrying its place in the stack.
    If anything goes wrong before the batch is queued, the staged files are removed:
    nothing of a failed request stays behind.
    """
    require(principal, Action.UPLOAD)
    if not parts:
        raise bad_request("no_files", "Send one or more files in the 'file' field.",
                          "Chưa chọn tệp nào.")
    if len(parts) > state.limits.max_files:
        raise ApiError(
            413, "too_many_files", f"At most {state.limits.max_files} files per request.",
            f"Tối đa {state.limits.max_files} tệp mỗi lần tải lên.",
        )
    folder = state.upload_dir / batch_id
    # A name repeated in the batch becomes "a (2).pdf", as ``ingest.admission`` names it:
    # progress keeps one entry per name, and the record keeps the name it was given.
    names: set[str] = set()
    try:
        staged = [
            (_save_part(p, folder / f"{n:04d}" / distinct_name(p.filename, names),
                        state.limits.max_file_bytes), folder / f"{n:04d}")
            for n, p in enumerate(parts)
        ]
        if split:
            staged = _split_stacks(staged, folder, names, state.settings.languages)
        inputs = [where / f.filename for f, where in staged if f.accepted]
        batch = BatchState(id=batch_id, agency=principal.agency, actor=principal.actor,
                           files=[f for f, _ in staged])
        if not inputs:
            shutil.rmtree(folder, ignore_errors=True)
            raise ApiError(
                422, "no_acceptable_files", "None of the files can be digitized.",
                "Không có tệp nào hợp lệ để số hóa.",
                details={"files": [f.__dict__ for f, _ in staged]},
            )
        state.trail.batch_uploaded(principal.actor, batch_id,
                                   [f.filename for f, _ in staged], len(inputs))
        state.runner.submit(batch, folder, inputs)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return batch


def _split_stacks(staged: list[tuple[FileProgress, Path]], folder: Path, names: set[str],
                  languages: str) -> list[tuple[FileProgress, Path]]:
    """Each accepted multi-page PDF of ``staged`` (progress, its folder) replaced by its
    papers, staged in folders after the uploads' own; other files as they were."""

    out: list[tuple[FileProgress, Path]] = []
    slot = len(staged)
    for upload, where in staged:
        stack = where / upload.filename
        papers = (split_input(InputFile(stack), folder / "split" / where.name,
                              languages=languages) if upload.accepted else [])
        if not papers or papers[0].path == stack:  # refused, or one paper: as it came
            out.append((upload, where))
            continue
        for paper in papers:
            name = distinct_name(paper.path.name, names)
            target = folder / f"{slot:04d}"
            target.mkdir()
            paper.path.replace(target / name)
            out.append((FileProgress(filename=name, accepted=True, status="pending",
                                     size=(target / name).stat().st_size,
                                     media_type=upload.media_type, given=paper.given),
                        target))
            slot += 1
        shutil.rmtree(where)  # the stack: its pages are all in its papers
    shutil.rmtree(folder / "split", ignore_errors=True)
    return out


def batch_progress(state: AppState, principal: Principal, batch_id: str) -> BatchState:
    require(principal, Action.READ)
    if not re.fullmatch(r"[0-9a-f]{16}", batch_id):
        raise not_found("batch")
    batch = state.batches.get(batch_id) or load_report(state.store, principal.agency, batch_id)
    if batch is None or (principal.role is not Role.ADMIN and batch.agency != principal.agency):
        raise not_found("batch")
    return batch
