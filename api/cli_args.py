"""Argument types the commands share: a bad value is refused by argparse with a
Vietnamese message, before any work and without a traceback."""

from __future__ import annotations

import argparse
from datetime import date

from audit import AuditAnchor
from storage.layout import normalize_agency


def iso_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ (cần YYYY-MM-DD): {value}") from exc


def anchor_arg(value: str) -> AuditAnchor:
    """``--anchor SEQ:HASH``: a point of the audit chain kept elsewhere."""
    try:
        return AuditAnchor.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"mốc không hợp lệ (cần SỐ:MÃ_BĂM như sohoa audit verify in ra): {value}"
        ) from exc


def agency_arg(value: str) -> str:
    """``--agency``: the name in its one written form (NFC), as records carry it."""
    try:
        return normalize_agency(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"tên cơ quan không hợp lệ (không được rỗng, chứa '/', '\\\\' hay ký tự điều "
            f"khiển): {value!r}"
        ) from exc
