"""Uploaded file names become file names on disk: within the file system's 255 bytes
whatever the script, with their extension kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.service import safe_filename


@pytest.mark.parametrize("name", [
    "Nghị định " + "ệ" * 140 + ".png",  # 140 characters of 3 bytes each
    "Quyết định số 12 " + "Đường Nguyễn Trãi " * 30 + ".pdf",
    "ảnh" * 200,  # no extension at all
])
def test_a_long_vietnamese_name_fits_on_disk(name: str, tmp_path: Path) -> None:
    safe = safe_filename(name)
    assert len(safe.encode("utf-8")) <= 200
    assert Path(safe).suffix == Path(name).suffix
    (tmp_path / safe).write_bytes(b"x")  # refused with ENAMETOOLONG before


def test_short_names_and_paths() -> None:
    assert safe_filename("C:\\scan\\Giấy khai sinh.pdf") == "Giấy khai sinh.pdf"
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("  ") == "upload"
