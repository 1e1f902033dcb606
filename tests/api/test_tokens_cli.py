"""``sohoa token create|list|revoke`` on a real store, audited, never showing a secret."""

from __future__ import annotations

import json

import pytest

from api.tokens import TokenCache
from application.settings import Settings
from audit import AuditLog
from cli.main import main
from storage import open_store


def _token(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["token", "create", *argv]) == 0
    return capsys.readouterr().out.splitlines()[-1]


def _listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    assert main(["token", "list", "--json"]) == 0
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


def test_tokens_are_listed_without_secrets_and_revoked_by_public_id(
    sohoa_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    portal = _token(capsys, "--role", "portal", "--agency", "ubnd-a", "--label", "cổng DVC",
                    "--actor", "quan-tri-1")
    officer = _token(capsys, "--role", "officer", "--agency", "ubnd-b")
    listed = _listed(capsys)  # created in the same second: their order is arbitrary
    by_role = {t["role"]: t for t in listed}
    assert sorted((t["role"], t["agency"], t["label"]) for t in listed) == [
        ("officer", "ubnd-b", None), ("portal", "ubnd-a", "cổng DVC")]
    assert portal not in json.dumps(listed) and officer not in json.dumps(listed)

    store = open_store(Settings.from_env(sohoa_env).storage_url)
    assert TokenCache(store, ttl=0).lookup(portal) is not None
    portal_id, officer_id = by_role["portal"]["token_id"], by_role["officer"]["token_id"]
    assert main(["token", "revoke", portal_id, "--actor", "quan-tri-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["revoked"]["role"] == "portal"
    assert TokenCache(store, ttl=0).lookup(portal) is None
    assert TokenCache(store, ttl=0).lookup(officer) is not None
    assert main(["token", "revoke", portal_id]) == 1  # already gone
    capsys.readouterr()
    assert main(["token", "revoke", officer]) == 0  # the full token works too
    capsys.readouterr()
    assert _listed(capsys) == []

    entries = list(AuditLog(store).entries())
    assert [(e.action, e.details["token_id"]) for e in entries] == [
        ("token.create", portal_id), ("token.create", officer_id),
        ("token.revoke", portal_id), ("token.revoke", officer_id)]
    assert entries[0].actor == "quan-tri-1" and entries[1].actor.startswith("cli:")
    for secret in (portal, officer):
        assert all(secret not in json.dumps(e.to_dict(), ensure_ascii=False) for e in entries)
