"""Who may do what: the role matrix, and which records a caller may see.

Permissions are checked per action (``require``); record visibility per record
(``can_see``): a caller sees the records of its own agency and records marked
``shared``; an admin sees everything. A record one may not see answers 404, as if it
did not exist, so agencies cannot probe each other's record ids.
"""

from __future__ import annotations

from enum import StrEnum

from api.errors import forbidden
from api.tokens import Principal, Role
from search import IndexedRecord


class Action(StrEnum):
    UPLOAD = "upload"
    REVIEW = "review"
    READ = "read"  # search, record JSON and files, batch progress
    REUSE = "reuse"  # portal lookup and release
    VERIFY = "verify"
    AUDIT = "audit"


MATRIX: dict[Role, frozenset[Action]] = {
    # Archivists digitize and correct; they must read what they review.
    Role.ARCHIVIST: frozenset({Action.UPLOAD, Action.REVIEW, Action.READ, Action.VERIFY}),
    Role.OFFICER: frozenset({Action.READ, Action.VERIFY}),
    Role.PORTAL: frozenset({Action.REUSE}),
    Role.ADMIN: frozenset(Action),
}

ACTION_VI = {
    Action.UPLOAD: "tải lên",
    Action.REVIEW: "rà soát",
    Action.READ: "xem hồ sơ",
    Action.REUSE: "tra cứu tái sử dụng",
    Action.VERIFY: "kiểm tra chữ ký",
    Action.AUDIT: "xem nhật ký",
}


def allowed(principal: Principal, action: Action) -> bool:
    return action in MATRIX[principal.role]


def require(principal: Principal, action: Action) -> None:
    if not allowed(principal, action):
        raise forbidden(str(action))


def can_see(principal: Principal, record: IndexedRecord) -> bool:
    """A record (as indexed) is visible to its agency, to admins, and to all when shared."""
    if principal.role is Role.ADMIN:
        return True
    return record.get("agency") == principal.agency or bool(record.get("shared"))


def can_change(principal: Principal, agency: str) -> bool:
    """Only the owning ``agency`` (or an admin) corrects a record, shared or not."""
    return principal.role is Role.ADMIN or agency == principal.agency


def agency_scope(principal: Principal, requested: str | None) -> tuple[list[str] | None, bool]:
    """The ``(agencies, include_shared)`` restriction a search runs under."""
    if principal.role is Role.ADMIN:
        return ([requested] if requested else None), True
    return [principal.agency], True
