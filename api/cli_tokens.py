"""``sohoa token create --role ROLE --agency AGENCY``: issue an API access token.

The token is printed once, on the last line of output; only its SHA-256 is stored.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from api.tokens import Role, create_token
from ingest.settings import Settings


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    from storage import open_store

    store = open_store(
        settings.storage_url,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
    )
    agency = args.agency or settings.agency
    try:
        token = create_token(store, role=Role(args.role), agency=agency, label=args.label)
    except ValueError as exc:
        print(f"Không tạo được mã truy cập: {exc}")
        return 2
    print(f"Đã tạo mã truy cập vai trò {args.role} cho cơ quan {agency}.")
    print("Lưu mã này ngay: hệ thống chỉ giữ mã băm, không hiển thị lại.")
    print(token)
    return 0


def cmd_token_help(args: argparse.Namespace, settings: Settings) -> int:
    print("Dùng: sohoa token create --role ROLE --agency AGENCY")
    return 2


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    parser = command("token", "quản lý mã truy cập API", cmd_token_help)
    sub = parser.add_subparsers(dest="token_command", metavar="LỆNH")
    create = sub.add_parser("create", help="tạo mã truy cập mới (in ra một lần)")
    create.add_argument("--role", required=True, choices=[str(r) for r in Role],
                        help="archivist, officer, portal hoặc admin")
    create.add_argument("--agency", help="cơ quan (mặc định: SOHOA_AGENCY)")
    create.add_argument("--label", help="ghi chú: người hoặc hệ thống dùng mã này")
    create.set_defaults(handler=cmd_token_create)
