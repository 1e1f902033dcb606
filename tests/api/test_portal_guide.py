"""The portal guide's worked example (docs/api.md, *Worked example for the portal*) run
literally against a live server: every ``sh`` block of that section is run with bash
(curl), and the block after it says what must come back — a ``json`` block is a part
of the JSON answer (objects: these keys with these values; lists: these first items; a
string ending in "…": this beginning), a ``text`` block the exact output.

The records the example names are seeded here with fixed seeds, so their ids are the
ones printed in the guide."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.tokens import Role
from tests.api.live import ROOT, LiveServer, running_server
from tests.support.reuse import Person, make_record

GUIDE = ROOT / "docs" / "api.md"
SECTION = "## Worked example for the portal"
AN = Person("Nguyễn Văn An", "1990-05-01", "001090012345")
HOA = Person("Lê Thị Hoa", "1991-04-02")  # an old paper: no ID number printed on it


@pytest.fixture(scope="module")
def guide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("portal-guide"),
                        SOHOA_AGENCY="ubnd-phuong-1") as server:
        an = make_record("birth_certificate", AN, issued_on="1990-05-20",
                         agency="ubnd-phuong-1", seed="guide-an-khai-sinh")
        hoa = make_record("birth_certificate", HOA, issued_on="1991-04-20", with_id=False,
                          agency="ubnd-phuong-2", seed="guide-hoa-khai-sinh",
                          fields={"mother_name": "Phạm Thị Lan", "father_name": "Lê Văn Tám"})
        for record, number in ((an, "125/1990"), (hoa, "37/1991")):
            record.title, record.document_number = "Giấy khai sinh", number
            record.issuer = "UBND phường Hàng Bạc"
        assert (an.id, hoa.id) == ("8af88661ea17369ba09509d6", "21fea9c760c806b861003692")
        server.seed(an, hoa)
        yield server


def example_blocks(markdown: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block of the worked-example section, in order."""
    start = markdown.index(SECTION)
    end = markdown.find("\n## ", start + len(SECTION))
    section = markdown[start:end if end > 0 else None]
    return re.findall(r"^```(\w+)\n(.*?)^```$", section, flags=re.S | re.M)


def contains(actual: Any, expected: Any, where: str = "") -> None:
    """``expected`` is a part of ``actual`` (see the module docstring)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), (where, actual)
        for key, value in expected.items():
            assert key in actual, (f"{where}.{key} missing", actual)
            contains(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) >= len(expected), (where, actual)
        for i, value in enumerate(expected):
            contains(actual[i], value, f"{where}[{i}]")
    elif isinstance(expected, str) and expected.endswith("…"):
        assert isinstance(actual, str) and actual.startswith(expected[:-1]), (where, actual)
    else:
        assert actual == expected, (where, actual, expected)


def test_the_worked_example_runs_as_written(guide_server: LiveServer, tmp_path: Path) -> None:
    blocks = example_blocks(GUIDE.read_text(encoding="utf-8"))
    commands = [body for lang, body in blocks if lang == "sh"]
    assert len(commands) >= 6, "the worked example lost its commands"
    env = {"PATH": "/usr/bin:/bin", "SOHOA": guide_server.base_url,
           "TOKEN": guide_server.token(Role.PORTAL, "ubnd-phuong-1")}
    output: str | None = None
    checked = 0
    for lang, body in blocks:
        if lang == "sh":
            run = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=tmp_path,
                                 env=env, capture_output=True, text=True, timeout=60,
                                 check=False)
            assert run.returncode == 0, (body, run.stderr)
            output = run.stdout
        elif lang in ("json", "text"):
            assert output is not None, f"an answer without its command: {body}"
            if lang == "json":
                contains(json.loads(output), json.loads(body), "answer")
            else:
                assert output.strip() == body.strip(), (output, body)
            output, checked = None, checked + 1
    assert checked == len(commands), "every command of the example shows its answer"
    released = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert released == ["giay-khai-sinh-an.pdf", "giay-khai-sinh-hoa.pdf"]
    for pdf in tmp_path.glob("*.pdf"):
        assert pdf.read_bytes().startswith(b"%PDF")


def test_the_answer_check_fails_on_a_difference() -> None:
    contains({"a": [{"b": 1}, {"c": "xyz"}]}, {"a": [{}, {"c": "xy…"}]})
    differences: list[dict[str, object]] = [
        {"a": [{}, {"c": "z…"}]}, {"a": [{"b": 2}]}, {"d": 1}, {"a": [{}, {}, {}]},
    ]
    for expected in differences:
        with pytest.raises(AssertionError):
            contains({"a": [{"b": 1}, {"c": "xyz"}]}, expected)
    blocks = example_blocks(f"x\n{SECTION}\n```sh\necho 1\n```\n\n```text\n1\n```\n## next\n"
                            "```sh\nignored\n```\n")
    assert blocks == [("sh", "echo 1\n"), ("text", "1\n")]
