"""``sohoa token create|list|revoke``: API access tokens.

``create`` prints the token once, on the last line of output; only its SHA-256 is
stored. ``list`` shows the public side of every token (never a secret); ``revoke``
deletes one by its public id (the id audit entries carry). Creating and revoking are
audited.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from api.labels import ROLE_VI
from api.tokens import Role, create_token, list_tokens, revoke_token, token_id_of
from application.runtime import Runtime
from application.settings import Settings
from cli.args import agency_arg
from cli.output import emit_json
from records.vntime import vietnam_time


def _operator(args: argparse.Namespace) -> str:
    return str(args.actor or f"cli:{getpass.getuser()}")


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    agency = args.agency or settings.agency
    try:
        try:
            token = create_token(runtime.store, role=Role(args.role), agency=agency,
                                 label=args.label)
        except ValueError as exc:
            print(f"Không tạo được mã truy cập: {exc}")
            return 2
        runtime.trail().token_created(_operator(args), role=args.role, agency=agency,
                                      token_id=token_id_of(token), label=args.label)
    finally:
        runtime.close()
    print(f"Đã tạo mã truy cập vai trò {ROLE_VI.get(args.role, args.role)} cho cơ quan "
          f"{agency}.")
    print("Lưu mã này ngay: hệ thống chỉ giữ mã băm, không hiển thị lại.")
    print(token)
    return 0


def cmd_token_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    try:
        tokens = list_tokens(runtime.store)
    finally:
        runtime.close()
    if args.json:
        for principal in tokens:
            emit_json(principal.to_dict())
        return 0
    for p in tokens:
        created = vietnam_time(p.created_at) if p.created_at else ""
        print(f"{p.token_id}  {ROLE_VI.get(p.role, p.role):<17}  {p.agency:<20}  {created:<16}  "
              f"{p.label or ''}")
    print(f"{len(tokens)} mã truy cập")
    return 0


def cmd_token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    try:
        try:
            revoked = revoke_token(runtime.store, args.token_id)
        except KeyError:
            print(f"Không có mã truy cập {args.token_id}", file=sys.stderr)
            return 1
        runtime.trail().token_revoked(_operator(args), revoked.to_dict())
    finally:
        runtime.close()
    if args.json:
        emit_json({"revoked": revoked.to_dict()})
    else:
        role = ROLE_VI.get(revoked.role, revoked.role)
        print(f"Đã thu hồi mã {revoked.token_id} ({role}, {revoked.agency}); "
              "máy chủ API ngừng chấp nhận mã này trong vòng 30 giây.")
    return 0


def cmd_token_help(args: argparse.Namespace, settings: Settings) -> int:
    print("Dùng: sohoa token create --role ROLE --agency AGENCY | list | revoke MÃ")
    return 2


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    parser = command("token", "quản lý mã truy cập API", cmd_token_help)
    sub = parser.add_subparsers(dest="token_command", metavar="LỆNH")
    create = sub.add_parser("create", help="tạo mã truy cập mới (in ra một lần)")
    create.add_argument("--role", required=True, choices=[str(r) for r in Role],
                        help="archivist, officer, portal hoặc admin")
    create.add_argument("--agency", type=agency_arg, help="cơ quan (mặc định: SOHOA_AGENCY)")
    create.add_argument("--label", help="ghi chú: người hoặc hệ thống dùng mã này")
    create.add_argument("--actor", help="người cấp mã (ghi vào nhật ký kiểm toán)")
    create.set_defaults(handler=cmd_token_create)
    listing = sub.add_parser("list", help="liệt kê các mã truy cập (không hiện mã bí mật)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_token_list)
    revoke = sub.add_parser("revoke", help="thu hồi một mã truy cập")
    revoke.add_argument("token_id", metavar="MÃ",
                        help="mã công khai 12 ký tự (như trong nhật ký kiểm toán) hoặc mã đầy đủ")
    revoke.add_argument("--actor", help="người thu hồi (ghi vào nhật ký kiểm toán)")
    revoke.add_argument("--json", action="store_true")
    revoke.set_defaults(handler=cmd_token_revoke)
