"""Printing for the command line: JSON lines for scripts, and the sentences every
command shares."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


def emit_json(obj: Any, out: TextIO | None = None) -> None:
    """One JSON object on one line, UTF-8 as is (Vietnamese stays readable)."""
    stream = out or sys.stdout
    stream.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    stream.flush()


JSON_HELP = "in kết quả dạng JSON, mỗi dòng một đối tượng (cho chương trình khác đọc)"


def record_not_found(record_id: str) -> int:
    """What every command says of an id it cannot find (as ``show`` always has): exit 1."""
    print(f"Không tìm thấy hồ sơ {record_id}", file=sys.stderr)
    return 1
