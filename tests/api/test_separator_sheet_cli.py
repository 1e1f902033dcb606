"""`sohoa separator-sheet` prints a page whose QR code the splitter reads back."""

from __future__ import annotations

from pathlib import Path

from cli.main import main
from ingest.stack import SeparatorSheet, read_separator, render


def test_the_printed_sheet_reads_back(sohoa_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    assert main(["separator-sheet", "--box", "Hộp 12", "--type", "birth_certificate",
                 "-o", str(out)]) == 0
    # Rendered as the scanner's PDF would be, then decoded as the splitter does.
    assert read_separator(render(out, 0)) == SeparatorSheet(box="Hộp 12",
                                                           doc_type="birth_certificate")
