"""The whole pipeline on generated Vietnamese scans: content, signature, dedup, rebuild."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from application import Runtime, Settings
from cli.main import main
from ingest import discover, run_batch
from ocr import PageJob, PageResult
from search import SearchQuery, fold
from signing import verify_pdf
from specimens import generate
from specimens.degrade import degrade
from specimens.render import render_page
from storage import iter_latest_records, load_record, record_key
from storage.filestore import FileStore


def _scan(spec_seed: int, path: Path, *, skew: float = 0.0, fmt: str = "PNG") -> dict:
    spec = generate("marriage_certificate", seed=spec_seed)
    image = render_page(spec, dpi=300)
    if skew:
        image = degrade(image, seed=spec_seed, skew=skew, noise=0.002, mode="gray")
    image.save(path, fmt, dpi=(300, 300))
    return {"spec": spec, "path": path}


@pytest.fixture
def runtime(sohoa_env: dict[str, str]) -> Iterator[Runtime]:
    rt = Runtime.open(Settings.from_env())
    yield rt
    rt.close()


def _objects(runtime: Runtime) -> list[str]:
    return [info.key for info in runtime.store.list("")]


@pytest.mark.slow
def test_batch_end_to_end(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    first = _scan(11, batch / "ket-hon-1.png")
    second = _scan(12, batch / "ket-hon-2.jpg", skew=1.5, fmt="JPEG")

    outcomes = run_batch(discover([batch]), runtime)

    assert [o.status for o in outcomes] == ["ingested", "ingested"], [o.reason for o in outcomes]
    # Outcomes come in the order documents finish, not the order they were given.
    outcomes.sort(key=lambda o: o.filename)
    ingested = [o.record for o in outcomes if o.record is not None]
    assert len(ingested) == len(outcomes)  # each ingested outcome carries its record
    for record, made in zip(ingested, (first, second), strict=True):
        husband = made["spec"].subjects[0]["name"]
        stored = load_record(runtime.store, record.agency, record.id)
        # The stored text keeps the Vietnamese diacritics of the names.
        assert fold(husband) in fold(stored.text)
        if made is first:  # the clean scan: printed in capitals, every diacritic intact
            assert husband.upper() in stored.text
        assert stored.source.sha256 == record.source.sha256
        assert stored.ocr.engine and stored.ocr.mean_confidence
        assert [e.stage for e in stored.stages][:2] == ["receive", "ocr"]
        # The original is kept byte for byte; the archival PDF is signed and valid.
        assert stored.files.original is not None and stored.files.archival_pdf is not None
        assert runtime.store.get(stored.files.original) == made["path"].read_bytes()
        signed = runtime.store.get(stored.files.archival_pdf)
        report = verify_pdf(signed, trust_roots=runtime.trust_roots())
        assert report.valid, report.reasons
        with pikepdf.open(io.BytesIO(signed)) as pdf:
            assert len(pdf.pages) == 1
            assert "pdfaid" in str(pdf.open_metadata())

    # A second ingest of the same files is skipped, and stores nothing new; a record
    # the index lacks (its process died between commit and index) is indexed again.
    before = _objects(runtime)
    unindexed = ingested[1].id
    runtime.index.delete(unindexed)
    assert runtime.index.get(unindexed) is None
    again = run_batch(discover([batch]), runtime)
    assert [o.status for o in again] == ["skipped", "skipped"]
    assert _objects(runtime) == before
    reindexed = runtime.index.get(unindexed)
    assert reindexed is not None and reindexed["id"] == unindexed

    # Search without diacritics finds the names; a rebuilt index answers the same.
    name = first["spec"].subjects[0]["name"]
    query = SearchQuery(text=fold(name), limit=5)
    hits = [h.id for h in runtime.index.search(query).hits]
    assert ingested[0].id in hits
    runtime.index.clear()
    assert runtime.index.search(query).total == 0
    runtime.index.upsert_many(iter_latest_records(runtime.store))
    assert [h.id for h in runtime.index.search(query).hits] == hits

    # A stored record whose bytes were damaged fails its file alone, with the reason.
    damaged = ingested[0]
    assert isinstance(runtime.store, FileStore)
    (runtime.store.root / record_key(damaged.agency, damaged.id, 1)).write_bytes(b"{}")
    third = sorted(run_batch(discover([batch]), runtime), key=lambda o: o.filename)
    assert [(o.status, o.code) for o in third] == [
        ("failed", "stored_record_damaged"), ("skipped", "already_stored")
    ]
    assert third[0].reason is not None and "sohoa fixity" in third[0].reason
    assert _objects(runtime) == before


def _encrypted_pdf(path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, encryption=pikepdf.Encryption(owner="chu", user="mat-khau"))


@pytest.mark.slow
def test_bad_files_fail_alone(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "rong.pdf").write_bytes(b"")
    (batch / "van-ban.pdf").write_text("đây không phải PDF\n", encoding="utf-8")
    good = _scan(21, batch / "tot.png")
    truncated = good["path"].read_bytes()
    pdf = Image.open(good["path"]).convert("RGB")
    pdf.save(batch / "full.pdf", "PDF", resolution=200)
    (batch / "cut.pdf").write_bytes((batch / "full.pdf").read_bytes()[:600])
    (batch / "full.pdf").unlink()
    _encrypted_pdf(batch / "mat-khau.pdf")
    Image.new("1", (20_000, 20_000), 1).save(batch / "bom.png")
    assert truncated

    settings = Settings.from_env()
    runtime.settings = Settings(**{**settings.__dict__, "max_pixels": 100_000_000})
    outcomes = {o.filename: o for o in run_batch(discover([batch]), runtime)}

    assert outcomes["tot.png"].status == "ingested"
    expected = {
        "rong.pdf": "empty_file",
        "van-ban.pdf": "unsupported_type",
        "cut.pdf": "pdf_corrupt",
        "mat-khau.pdf": "pdf_encrypted",
        "bom.png": "image_too_large",
    }
    for name, code in expected.items():
        assert outcomes[name].status == "failed", name
        assert outcomes[name].code == code, (name, outcomes[name].reason)
        assert outcomes[name].reason
    # Only the good file's objects are in storage; the index holds only it.
    record = outcomes["tot.png"].record
    assert record is not None
    assert all(f"/{record.id}/" in key for key in _objects(runtime))
    assert runtime.index.count() == 1


@pytest.mark.slow
def test_presigned_pdf_is_kept_and_signed_again(runtime: Runtime, tmp_path: Path) -> None:
    made = _scan(31, tmp_path / "scan.png")
    Image.open(made["path"]).convert("RGB").save(tmp_path / "scan.pdf", "PDF", resolution=200)
    presigned = runtime.signer().sign((tmp_path / "scan.pdf").read_bytes()).data
    batch = tmp_path / "in"
    batch.mkdir()
    (batch / "da-ky.pdf").write_bytes(presigned)

    [outcome] = run_batch(discover([batch]), runtime)

    assert outcome.status == "ingested", outcome.reason
    record = outcome.record
    assert record is not None
    assert record.signature.prior_signatures == 1
    assert record.files.original is not None and record.files.archival_pdf is not None
    assert runtime.store.get(record.files.original) == presigned
    signed = runtime.store.get(record.files.archival_pdf)
    assert signed.startswith(presigned)  # an incremental revision: the first signature intact
    report = verify_pdf(signed, trust_roots=runtime.trust_roots())
    assert report.valid, report.reasons
    assert len(report.signatures) == 2


@pytest.mark.slow
def test_cli_json_verify_and_tamper(
    sohoa_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    _scan(41, batch / "a.png")
    (batch / "b.pdf").write_bytes(b"not a pdf at all")

    code = main(["ingest", str(batch), "--json"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # one file failed
    by_name = {line["source"]["filename"]: line for line in lines}
    assert by_name["b.pdf"] == {
        "source": {"filename": "b.pdf"},
        "status": "failed",
        "reason": by_name["b.pdf"]["reason"],
        "code": "unsupported_type",
    }
    record = by_name["a.png"]
    assert record["status"] in {"ready", "needs_review"}
    assert record["signature"]["level"].startswith("PAdES")

    assert main(["verify", record["id"]]) == 0
    capsys.readouterr()
    assert main(["show", record["id"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == record["id"]

    data = Path(sohoa_env["SOHOA_DATA"]) / "objects" / record["files"]["archival_pdf"]
    signed = bytearray(data.read_bytes())
    position = signed.index(b"stream") + 40  # inside the page content: within the signed range
    signed[position] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(signed))
    assert main(["verify", str(tampered)]) == 1
    assert main(["verify", str(data)]) == 0


@pytest.mark.slow
def test_a_dying_worker_fails_only_its_file(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.batch

    batch = tmp_path / "batch"
    batch.mkdir()
    _scan(51, batch / "a.png")
    _scan(52, batch / "b-kills-its-worker.png")
    _scan(53, batch / "c.png")
    with (batch / "b-kills-its-worker.png").open("ab") as marked:
        marked.write(KILL_MARK)  # after PNG's end: the pages read the same
    # The driver submits ingest.batch.run_page to its pool; this stand-in kills its own
    # worker process outright (as the kernel's OOM killer would) on one file, known by
    # its content (the workers read the document's copy in its work folder).
    monkeypatch.setattr(ingest.batch, "run_page", _run_page_or_die)

    outcomes = {o.filename: o for o in run_batch(discover([batch]), runtime)}

    assert outcomes["b-kills-its-worker.png"].status == "failed"
    assert outcomes["b-kills-its-worker.png"].code == "worker_crashed"
    assert outcomes["a.png"].status == "ingested"
    assert outcomes["c.png"].status == "ingested"


KILL_MARK = b"kills-its-worker"


def _run_page_or_die(job: PageJob) -> PageResult:
    import os

    from ocr import run_page

    if Path(job.source_path).read_bytes().endswith(KILL_MARK):
        os._exit(3)
    return run_page(job)
