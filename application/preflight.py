"""Checks made before any work: what a batch needs must be there, or nothing starts.

Without them a missing tesseract, a language not installed or an unusable key failed
every file one by one (each after its pages were read), or surfaced as a traceback.
Each check raises a ``records.errors.SohoaError`` whose ``exit_code`` the command line
returns: English detail for the log, a Vietnamese message for the person.
"""

from __future__ import annotations

import logging
import subprocess
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ocr.engine import TESSERACT
from records.errors import MissingDependency, ServiceUnavailable, SohoaError

if TYPE_CHECKING:  # a cycle: Runtime.open reports an unreachable service with the below
    from application.runtime import Runtime

log = logging.getLogger("sohoa.preflight")

# A PROBE_KEY that is never written: asking for it reaches the store without changing it.
PROBE_KEY = "_preflight/probe"


def installed_languages() -> set[str]:
    """The languages tesseract can read; ``MissingDependency`` when tesseract is absent."""
    try:
        done = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingDependency(
            f"tesseract cannot be run ({type(exc).__name__}: {exc})",
            "Chưa cài chương trình nhận dạng chữ tesseract (hoặc không chạy được): cài gói "
            "tesseract-ocr và tesseract-ocr-vie (./dev.sh setup) rồi chạy lại. Chưa xử lý "
            "tệp nào.",
        ) from exc
    if done.returncode != 0:
        raise MissingDependency(
            f"tesseract --list-langs failed ({done.returncode}): {done.stderr.strip()[-300:]}",
            "Chương trình nhận dạng chữ tesseract bị lỗi khi khởi động: báo quản trị. Chưa xử "
            "lý tệp nào.",
        )
    # The first line is a heading ("List of available languages in ...").
    return {line.strip() for line in done.stdout.splitlines()[1:] if line.strip()}


def check_ocr(languages: str) -> None:
    """tesseract runs and has every language of ``SOHOA_OCR_LANGUAGES`` (``vie+eng``)."""
    wanted = [lang for lang in languages.split("+") if lang]
    installed = installed_languages()
    missing = [lang for lang in wanted if lang not in installed]
    if missing or not wanted:
        raise MissingDependency(
            f"tesseract languages not installed: {'+'.join(missing) or '(none given)'} "
            f"(SOHOA_OCR_LANGUAGES={languages!r}; installed: {', '.join(sorted(installed))})",
            f"Tesseract chưa có ngôn ngữ {', '.join(missing) or '(trống)'} mà "
            f"SOHOA_OCR_LANGUAGES={languages} yêu cầu (đã cài: "
            f"{', '.join(sorted(installed)) or 'không có'}): cài gói tesseract-ocr-<mã ngôn "
            "ngữ> hoặc sửa SOHOA_OCR_LANGUAGES. Chưa xử lý tệp nào.",
        )


def check_services(runtime: Runtime) -> None:
    """The object store and the index answer. ``Runtime.open`` has connected to both; this
    asks each a question, so an index or store that went away since fails here, once."""
    settings = runtime.settings
    try:
        runtime.store.head(PROBE_KEY)
    except SohoaError as exc:
        raise store_unavailable(settings.storage_url, exc) from exc
    try:
        runtime.index.count()
    except Exception as exc:  # each backend's client has its own errors
        raise index_unavailable(settings.index_url, exc) from exc


def store_unavailable(url: str, exc: BaseException) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"object store {url} does not answer: {type(exc).__name__}: {exc}",
        f"Không kết nối được kho lưu trữ ({url}): kiểm tra máy chủ lưu trữ và "
        "SOHOA_STORAGE_URL rồi chạy lại. Chưa xử lý gì.",
    )


def index_unavailable(url: str, exc: BaseException) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"index {url} does not answer: {type(exc).__name__}: {exc}",
        f"Không kết nối được chỉ mục tìm kiếm ({url}): kiểm tra máy chủ chỉ mục và "
        "SOHOA_INDEX_URL rồi chạy lại. Chưa xử lý gì.",
    )


def check_broker(url: str) -> None:
    """The broker (Redis) answers: batches, their ledger and the record locks live there."""
    import redis  # only where a broker is configured: the embedded mode never needs it

    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        where = safe_url(url)
        raise ServiceUnavailable(
            f"broker {where} does not answer: {type(exc).__name__}: {exc}",
            f"Không kết nối được hàng đợi ({where}): kiểm tra Redis và SOHOA_BROKER_URL rồi "
            "chạy lại. Chưa xử lý gì.",
        ) from exc
    finally:
        client.close()


def safe_url(url: str) -> str:
    """``url`` without its password (``redis://:secret@host`` → ``redis://***@host``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=f"***@{parts.netloc.rsplit('@', 1)[1]}").geturl()


def check_for_ingest(runtime: Runtime, *, ocr_here: bool = True) -> None:
    """Everything digitizing needs, before the first file is read. ``ocr_here`` is False
    on a machine that only hands files to Celery workers (they check OCR and key)."""
    if ocr_here:
        check_ocr(runtime.settings.languages)
    check_services(runtime)
    if runtime.settings.broker_url:
        check_broker(runtime.settings.broker_url)
    if ocr_here:
        # A key that cannot sign (revoked, wrong password, token absent) raises
        # ``signing.SigningConfigError`` here, not after each file's OCR.
        runtime.signer()
    log.info("preflight passed (ocr here: %s)", ocr_here)
