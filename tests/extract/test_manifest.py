"""The batch manifest: values officers know win over extraction and are marked given."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extract import analyze, apply
from extract.manifest import ManifestError, given_for, load_manifest
from records.model import Record, Source, Status
from specimens import generate


def write(tmp_path: Path, text: str, bom: bool = False) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


@pytest.mark.parametrize("bom", [False, True])
def test_manifest_is_read_and_normalised(tmp_path: Path, bom: bool) -> None:
    path = write(
        tmp_path,
        "filename,doc_type,id_number,name,birth_date,archive_box\n"
        "hop1/0001.png,birth_certificate,001 221 012345,NGUYỄN VĂN HÙNG,02/03/2021,H-12\n"
        "0002.png,,,,,H-13\n",
        bom,
    )
    manifest = load_manifest(path)
    assert manifest["hop1/0001.png"] == {
        "doc_type": "birth_certificate",
        "id_number": "001221012345",
        "name": "Nguyễn Văn Hùng",
        "birth_date": "2021-03-02",
        "archive_box": "H-12",
    }
    assert manifest["0002.png"] == {"archive_box": "H-13"}
    assert given_for(manifest, "0001.png")["archive_box"] == "H-12"  # by name when unique


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("filename,colour\na.png,red\n", 1, "colour"),
        ("filename,doc_type\na.png,passport\n", 2, "loại giấy tờ"),
        ("filename,issued_on\na.png,2021-01-01\nb.png,31/02/2021\n", 3, "ngày không hợp lệ"),
        ("filename,id_number,birth_date\na.png,001191012345,1985-01-01\n", 2, "năm sinh"),
        ("doc_type\nbirth_certificate\n", 1, "filename"),
    ],
)
def test_manifest_errors_name_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest(write(tmp_path, text))
    assert caught.value.line == line
    assert words in caught.value.message
    assert f"dòng {line}" in str(caught.value)


def test_manifest_wins_over_extraction(tmp_path: Path) -> None:
    paper = generate("marital_status_certificate", 8)
    path = write(
        tmp_path,
        "filename;document_number;issued_on;archive_box\nx.png;99/2024/XNTTHN;2024-05-06;B7\n",
    )
    given = load_manifest(path)["x.png"]
    got = analyze([paper.text], None, given=given, today=date(2025, 6, 1))
    assert got.document_number == "99/2024/XNTTHN"
    assert got.issued_on == "2024-05-06"
    assert got.valid_until == "2024-11-06"  # the rule follows the given issue date
    assert got.location.box == "B7" and "archive_box" not in got.fields
    assert set(got.given) == {"document_number", "issued_on", "location.box"}
    record = Record(id="r", agency="a", source=Source("x.png", "0" * 64, "image/png", 1))
    apply(record, got)
    assert record.given == got.given and record.status == Status.READY
    assert record.location.box == "B7"
    assert Record.from_dict(record.to_dict()).location == record.location


def test_manifest_gives_the_whole_archive_location(tmp_path: Path) -> None:
    path = write(tmp_path, "filename,archive_store,archive_shelf,archive_box,archive_file,"
                           "archive_sheets\nx.png,Kho 2,G-4,H-12,C-3,04\n")
    given = load_manifest(path)["x.png"]
    got = analyze(["Giấy tờ"], None, given=given, today=date(2025, 6, 1))
    assert vars(got.location) == {"store": "Kho 2", "shelf": "G-4", "box": "H-12",
                                  "folder": "C-3", "sheets": 4}
    assert got.location.label() == "Kho Kho 2 · Giá G-4 · Hộp H-12 · Cặp C-3 · Số tờ 4"


def test_a_sheet_count_that_is_not_a_number_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest(write(tmp_path, "filename,archive_sheets\nx.png,hai\n"))
    assert caught.value.line == 2 and "số tờ" in caught.value.message


def test_given_doc_type_overrides_an_unsure_classification() -> None:
    text = "Họ, chữ đệm, tên: LÊ VĂN AN\nNgày, tháng, năm sinh: 01/01/1990"
    got = analyze([text], None, given={"doc_type": "birth_certificate"}, today=date(2025, 1, 1))
    assert got.doc_type == "birth_certificate" and got.doc_type_confidence == 1.0
    assert "doc_type_unsure" not in got.review_reasons
