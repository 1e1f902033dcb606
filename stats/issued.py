"""The offices' own counts of results issued per month, read from a CSV file.

Format (UTF-8, with or without the BOM Excel writes; comma or semicolon separated),
a header line then one line per agency and month::

    agency,month,issued
    ubnd-phuong-1,03/2025,412
    ubnd-phuong-1,2025-04,398

``month`` is ``MM/YYYY`` or ``YYYY-MM``; ``issued`` a whole number ≥ 0. A line for an
agency and month already imported replaces it.
"""

from __future__ import annotations

import csv
import io

from stats.model import StatsInputError, parse_month

COLUMNS = ("agency", "month", "issued")


def read_issued_csv(text: str) -> list[tuple[str, str, int]]:
    """(agency, ``YYYY-MM``, issued) of every line; ``StatsInputError`` naming the first
    wrong line."""
    text = text.removeprefix("\ufeff")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.split("\n", 1)[0], delimiters=",;"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if not set(COLUMNS) <= set(header):
        raise StatsInputError(
            f"Tệp CSV cần dòng tiêu đề gồm các cột {', '.join(COLUMNS)} "
            f"(nhận được: {', '.join(header) or 'không có'})."
        )
    reader.fieldnames = header
    rows: list[tuple[str, str, int]] = []
    for number, line in enumerate(reader, start=2):
        agency = (line.get("agency") or "").strip()
        count = (line.get("issued") or "").strip()
        if not agency or not count.isdigit():
            raise StatsInputError(
                f"Dòng {number}: cần tên cơ quan và số kết quả là số nguyên không âm."
            )
        try:
            month = parse_month(line.get("month") or "")
        except StatsInputError as exc:
            raise StatsInputError(f"Dòng {number}: {exc.user_message()}") from None
        rows.append((agency, month, int(count)))
    return rows
