"""Over real HTTP, against a server of its own: a lookup is answered only once its audit
entry is durable, and stopping the server ships every entry into the chain."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from api.tokens import Role
from audit import AuditLog
from storage import open_store
from tests.api.live import running_server
from tests.support.reuse import Person

CHI = Person("Lê Thị Chi", "1992-07-08", "001192067890")
MARITAL = "1.000894"


def _journaled_dossiers(directory: Path) -> list[str]:
    found: list[str] = []
    for path in directory.glob("*.sqlite3"):
        with sqlite3.connect(path) as db:
            found += [json.loads(details).get("dossier_code")
                      for (details,) in db.execute("SELECT details FROM drafts")]
    return found


def _chained_dossiers(log: AuditLog) -> list[str]:
    # Every lookup entry carries the key, and every lookup of these tests gives a code.
    return [e.details["dossier_code"] for e in log.entries() if e.action == "reuse.lookup"]


def test_each_answered_lookup_is_durable_and_reaches_the_chain_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    dossiers = [f"000.00.21.H29-251123-{n:04d}" for n in range(12)]
    with running_server(data, workers=2) as server:  # two journals, one chain
        chain = AuditLog(open_store(server.settings.storage_url))
        journal_dir = server.settings.audit_journal_dir
        with server.client(Role.PORTAL) as client:
            for dossier in dossiers:
                answer = client.get("/api/v1/reuse/lookup", params={
                    "procedure": MARITAL, "subject": CHI.id_number, "dossier_code": dossier,
                })
                assert answer.status_code == 200, answer.text
                # Answered, so durable: in a journal on disk, or already shipped.
                on_disk = _journaled_dossiers(journal_dir) + _chained_dossiers(chain)
                assert dossier in on_disk
            metrics = client.get("/metrics").text
            assert "sohoa_audit_journal_pending" in metrics  # operators see a backlog
    # A graceful stop ships every journal and removes it.
    assert sorted(_chained_dossiers(chain)) == sorted(dossiers)
    assert list(journal_dir.glob("*.sqlite3")) == []
    assert chain.verify().ok


def test_a_lookup_that_cannot_be_audited_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data) as server:
        journal_dir = server.settings.audit_journal_dir
        # Root ignores permissions but not the immutable flag: no file can be created.
        if subprocess.run(["chattr", "+i", str(journal_dir)], capture_output=True).returncode:
            pytest.skip("chattr +i unsupported on this filesystem: cannot make the journal fail")
        try:
            with server.client(Role.PORTAL) as client:
                params = {"procedure": MARITAL, "subject": CHI.id_number}
                refused = client.get("/api/v1/reuse/lookup", params=params)
                assert refused.status_code == 503
                assert refused.json()["error"]["code"] == "audit_unavailable"
                assert "components" not in refused.text  # nothing of the answer leaks
        finally:
            subprocess.run(["chattr", "-i", str(journal_dir)], check=True)
        with server.client(Role.PORTAL) as client:
            assert client.get("/api/v1/reuse/lookup", params=params).status_code == 200
