"""The operator commands on a real archive: review, reuse, fixity, audit, reindex,
export and import — driven through the CLI entry point as an officer would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from specimens import generate, render_page
from storage import record_versions


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict]]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_operator_commands(
    sohoa_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = generate("marriage_certificate", seed=11)
    batch = tmp_path / "batch"
    batch.mkdir()
    render_page(spec, dpi=300).save(batch / "ket-hon.png", dpi=(300, 300))
    code, [record] = _run(capsys, "ingest", str(batch), "--json")
    assert code == 0
    rid = record["id"]
    husband = spec.subjects[0]

    # Review: correct the issuer and approve, in one new version with its history.
    code, [reviewed] = _run(capsys, "review", rid, "--set", "issuer=UBND Phường Thạc Gián",
                            "--approve", "--by", "can-bo-a", "--json")
    assert code == 0
    assert reviewed["status"] == "ready"
    assert reviewed["version"] == 2
    assert reviewed["issuer"] == "UBND Phường Thạc Gián"
    assert reviewed["review"]["corrections"][0]["by"] == "can-bo-a"
    data = Path(sohoa_env["SOHOA_DATA"])
    from storage import open_store

    store = open_store((data / "objects").as_uri())
    assert record_versions(store, record["agency"], rid) == [1, 2]

    # Reuse: the parents' marriage certificate serves a birth registration (1.001193).
    husband_id = husband["id_number"]
    assert husband_id is not None  # a marriage certificate prints both spouses' ID numbers
    code, [result] = _run(capsys, "reuse", "--subject", husband_id,
                          "--procedure", "1.001193", "--json")
    assert code == 0
    offered = [c["id"] for comp in result["components"] for c in comp["candidates"]]
    assert offered == [rid]
    code, [other] = _run(capsys, "reuse", "--subject", "001099000001", "--procedure",
                         "1.001193", "--json")
    assert [c for comp in other["components"] for c in comp["candidates"]] == []

    # The lookups were audited, and the chain verifies.
    code, [audit] = _run(capsys, "audit", "verify", "--json")
    assert code == 0 and audit["ok"]

    # Fixity: all is well, then a damaged object is named and the exit code says so.
    code, lines = _run(capsys, "fixity", "--json")
    assert code == 0, lines
    text_file = data / "objects" / reviewed["files"]["text"]
    text_file.write_bytes(text_file.read_bytes() + b"x")
    code, lines = _run(capsys, "fixity", "--json")
    assert code == 1
    assert any(p.get("key") == reviewed["files"]["text"] for p in lines)
    text_file.write_bytes(text_file.read_bytes()[:-1])

    # Export the archive as a bag, import it into a fresh data directory, reindex there.
    bag = tmp_path / "bag"
    code, [exported] = _run(capsys, "export", str(bag), "--json")
    assert code == 0 and exported["objects"] >= 5
    assert (bag / "manifest-sha256.txt").is_file()
    monkeypatch.setenv("SOHOA_DATA", str(tmp_path / "other"))
    code, [imported] = _run(capsys, "import", str(bag), "--json")
    assert code == 0 and imported["objects"] == exported["objects"]
    code, [reindexed] = _run(capsys, "reindex", "--json")
    assert code == 0 and (reindexed["checked"], reindexed["written"]) == (1, 1)
    code, [shown] = _run(capsys, "show", rid, "--json")
    assert shown["version"] == 2 and shown["issuer"] == "UBND Phường Thạc Gián"
    assert main(["verify", rid]) != 0  # the other data dir has its own dev CA: untrusted
    capsys.readouterr()

    # Deletion is an audited admin act: the entry first, then the objects and the index.
    code, [deleted] = _run(capsys, "delete", rid, "--actor", "admin-b",
                           "--reason", "QĐ 12/2026", "--json")
    assert code == 0 and len(deleted["objects"]) == exported["objects"]
    assert main(["show", rid]) == 1
    from audit import AuditLog

    other_store = open_store((tmp_path / "other" / "objects").as_uri())
    [entry] = [e for e in AuditLog(other_store).entries() if e.action == "storage.delete_record"]
    assert entry.actor == "admin-b"
    assert AuditLog(other_store).verify().ok
