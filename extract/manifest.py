"""The batch manifest: a CSV beside the scans with values the officers already know.

``manifest.csv`` (UTF-8, with or without BOM; comma, semicolon or tab separated) has a
``filename`` column and any of the known columns below. Its values win over what OCR
reads and are marked as given on the record. Errors name the line, in Vietnamese.
"""

from __future__ import annotations

import csv
from pathlib import Path, PurePosixPath

from extract.keys import SUBJECT_KEYS, TOP_LEVEL
from extract.values import ValueProblem, normalize_id, normalize_value
from records.errors import ExitCode, SohoaError
from records.model import LOCATION_COLUMNS
from records.result_types import ResultType, load_result_types

MANIFEST_NAME = "manifest.csv"
# Archival bookkeeping an agency keeps alongside the papers: where the paper is kept
# (kho, giá, hộp, cặp, số tờ: the record's ``location``) and a free note.
ARCHIVE_KEYS = (*LOCATION_COLUMNS, "note")


class ManifestError(SohoaError, ValueError):
    """The manifest cannot be used; ``message`` is Vietnamese, ``line`` 1-based (0 = file).

    Found while listing a batch's files, before any of them is digitized."""

    exit_code = ExitCode.USAGE
    summary = "Tệp manifest.csv không dùng được, chưa xử lý gì"

    def __init__(self, path: Path, line: int, message: str) -> None:
        where = f"{path.name}, dòng {line}" if line else path.name
        super().__init__(f"{where}: {message}")
        self.line = line
        self.message = message


def known_columns(catalog: dict[str, ResultType]) -> set[str]:
    type_fields = {spec.name for rt in catalog.values() for spec in rt.fields}
    return {"filename", *TOP_LEVEL, *SUBJECT_KEYS, *ARCHIVE_KEYS, *type_fields}


def _read_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(path, 0, f"không đọc được tệp (cần UTF-8): {exc}") from exc
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.split("\n", 1)[0], ",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(text.splitlines(), dialect) if any(c.strip() for c in row)]


def _normalize_row(values: dict[str, str], catalog: dict[str, ResultType]) -> dict[str, str]:
    out = {
        key: normalize_value(key, value, catalog)
        for key, value in values.items()
        if key != "id_number"
    }
    if "id_number" in values:
        out["id_number"] = normalize_id(values["id_number"], out.get("birth_date"), out.get("sex"))
    return out


def load_manifest(
    path: Path, result_types: dict[str, ResultType] | None = None
) -> dict[str, dict[str, str]]:
    """``{filename: {column: value}}`` with empty cells left out and values normalised.

    Filenames are as written, relative to the manifest's folder (``/`` separators).
    """
    catalog = result_types if result_types is not None else load_result_types()
    rows = _read_rows(path)
    if not rows:
        raise ManifestError(path, 0, "tệp trống")
    header = [h.strip().lower() for h in rows[0]]
    if "filename" not in header:
        raise ManifestError(path, 1, "thiếu cột 'filename'")
    unknown = [h for h in header if h not in known_columns(catalog)]
    if unknown:
        raise ManifestError(path, 1, f"cột không được hỗ trợ: {', '.join(unknown)}")
    manifest: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise ManifestError(
                path, number, f"có {len(row)} ô nhưng tiêu đề chỉ có {len(header)} cột"
            )
        cells = {h: c.strip() for h, c in zip(header, row, strict=False) if c.strip()}
        filename = cells.pop("filename", "")
        if not filename:
            raise ManifestError(path, number, "thiếu tên tệp (cột 'filename')")
        key = str(PurePosixPath(filename.replace("\\", "/")))
        if key in manifest:
            raise ManifestError(path, number, f"tệp {filename!r} xuất hiện hai lần")
        try:
            manifest[key] = _normalize_row(cells, catalog)
        except ValueProblem as exc:
            raise ManifestError(path, number, exc.message) from exc
    return manifest


def given_for(manifest: dict[str, dict[str, str]], relative_path: str) -> dict[str, str]:
    """The manifest row of a scan: by its path relative to the manifest, else by its name."""
    key = str(PurePosixPath(relative_path.replace("\\", "/")))
    if key in manifest:
        return dict(manifest[key])
    name = PurePosixPath(key).name
    matches = [row for k, row in manifest.items() if PurePosixPath(k).name == name]
    return dict(matches[0]) if len(matches) == 1 else {}
