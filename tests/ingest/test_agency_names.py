"""An agency has one written form: the same name typed with decomposed marks (NFD, as
some keyboards and file systems produce) is the same agency, with the same record ids
and the same tokens' access."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from api.tokens import Role, TokenCache, create_token
from cli.main import main
from ingest.pipeline import receive
from storage.filestore import FileStore
from tests.support.ocr import render_page, save_image

COMPOSED = "Sở Tư pháp Hải Phòng"
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def test_the_decomposed_name_is_the_same_agency(tmp_path: Path) -> None:
    assert DECOMPOSED != COMPOSED
    scan = save_image(render_page(dpi=100), tmp_path / "scan.png", dpi=100)

    typed = receive(scan, work=tmp_path / "typed", agency=DECOMPOSED, max_bytes=10**8)
    canonical = receive(scan, work=tmp_path / "canonical", agency=COMPOSED, max_bytes=10**8)

    assert typed.agency == COMPOSED
    assert typed.record_id == canonical.record_id


def test_a_token_is_for_the_agency_in_its_one_form(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "objects")
    token = create_token(store, role=Role.OFFICER, agency=DECOMPOSED)
    principal = TokenCache(store).lookup(token)
    assert principal is not None and principal.agency == COMPOSED


@pytest.mark.parametrize("bad", ["../khac", "", "a/b"])
def test_an_impossible_agency_is_refused_in_vietnamese(
    bad: str, sohoa_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["reindex", "--agency", bad])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert "tên cơ quan không hợp lệ" in err and "Traceback" not in err


@pytest.mark.parametrize("lookalike", ["ubnd\u200b-a", "ubnd-\u202ea", "ubnd-a\x85"])
def test_an_agency_name_with_invisible_characters_is_refused(lookalike: str) -> None:
    from storage import normalize_agency

    with pytest.raises(ValueError, match="invalid agency"):
        normalize_agency(lookalike)
