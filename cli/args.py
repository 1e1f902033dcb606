"""Argument types the commands share: a bad value is refused by argparse with a
Vietnamese message, before any work and without a traceback."""

from __future__ import annotations

import argparse
import re
from typing import Any

from audit import AuditAnchor
from records.vntime import parse_person_date
from storage.layout import normalize_agency


def iso_date(value: str) -> str:
    """``--from``/``--birth-date``…: either form typed, ISO passed on."""
    try:
        return parse_person_date(value).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


# argparse's own words (usage, headings, errors) come in English; the officers read
# Vietnamese. The messages it builds are matched on their English templates.
_ARGPARSE_VI: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), vi) for p, vi in [
        (r"the following arguments are required: (.*)", r"thiếu đối số bắt buộc: \1"),
        (r"unrecognized arguments: (.*)", r"đối số không hiểu được: \1"),
        (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)",
         r"đối số \1: lựa chọn không hợp lệ \2 (chọn một trong \3)"),
        (r"argument (\S+): invalid int value: (.*)", r"đối số \1: không phải số nguyên: \2"),
        (r"argument (\S+): expected one argument", r"đối số \1: cần một giá trị"),
        (r"argument (\S+): (.*)", r"đối số \1: \2"),
    ]
]


_METAVAR_VI = {
    "agency": "CƠ_QUAN", "actor": "NGƯỜI", "by": "NGƯỜI", "reason": "LÝ_DO",
    "name": "HỌ_TÊN", "father_name": "HỌ_TÊN", "mother_name": "HỌ_TÊN",
    "spouse_name": "HỌ_TÊN", "birth_date": "NGÀY", "spouse_birth_date": "NGÀY",
    "as_of": "NGÀY", "birth_place": "NƠI", "residence": "NƠI", "subject": "SỐ_ĐỊNH_DANH",
    "procedure": "MÃ_THỦ_TỤC", "dossier": "MÃ_HỒ_SƠ", "queues": "HÀNG_ĐỢI",
    "concurrency": "SỐ", "limit": "SỐ", "offset": "SỐ", "workers": "SỐ", "port": "CỔNG",
    "host": "ĐỊA_CHỈ", "date_from": "NGÀY", "date_to": "NGÀY", "type": "MÃ_LOẠI",
    "role": "VAI_TRÒ", "label": "NHÃN", "days": "SỐ_NGÀY",
}


class VietnameseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        prefix = "Cách dùng: " if prefix is None else prefix
        return super().add_usage(usage, actions, groups, prefix)


class VietnameseParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose headings, help option and errors are Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "đối số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="in hướng dẫn này rồi thoát")

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        # An option's value is shown by its dest in capitals (BIRTH_DATE): name it in
        # Vietnamese instead, for the options that do not name theirs.
        action = super().add_argument(*args, **kwargs)
        if action.option_strings and action.nargs != 0 and action.metavar is None:
            action.metavar = _METAVAR_VI.get(action.dest, "GIÁ_TRỊ")
        return action

    def error(self, message: str) -> None:  # type: ignore[override]
        for pattern, vi in _ARGPARSE_VI:
            if pattern.fullmatch(message):
                message = pattern.sub(vi, message)
                break
        self.print_usage()
        self.exit(2, f"{self.prog}: lỗi: {message}\n")


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
