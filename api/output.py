"""Printing for the command line: JSON lines for scripts."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


def emit_json(obj: Any, out: TextIO | None = None) -> None:
    """One JSON object on one line, UTF-8 as is (Vietnamese stays readable)."""
    stream = out or sys.stdout
    stream.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    stream.flush()
