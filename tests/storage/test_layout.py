"""Key layout and parsing."""

from __future__ import annotations

import unicodedata

import pytest

from storage import archival_key, original_key, parse_key, record_key, text_key
from storage.layout import ParsedKey, split_record_key


def test_keys_and_parse_back() -> None:
    assert original_key("ubnd", "r1", ".PDF") == "ubnd/records/r1/original.pdf"
    assert original_key("ubnd", "r1", "jpg") == "ubnd/records/r1/original.jpg"
    assert original_key("ubnd", "r1", "") == "ubnd/records/r1/original"
    assert archival_key("ubnd", "r1") == "ubnd/records/r1/archival.pdf"
    assert text_key("ubnd", "r1") == "ubnd/records/r1/text.txt"
    assert record_key("ubnd", "r1", 7) == "ubnd/records/r1/record/v0007.json"
    assert parse_key(original_key("ubnd", "r1", ".tif")) == ParsedKey(
        "ubnd", "r1", "original", ext=".tif"
    )
    assert parse_key(archival_key("ubnd", "r1")) == ParsedKey("ubnd", "r1", "archival")
    assert parse_key(text_key("ubnd", "r1")) == ParsedKey("ubnd", "r1", "text")
    assert parse_key(record_key("ubnd", "r1", 12345)) == ParsedKey(
        "ubnd", "r1", "record", version=12345
    )
    assert parse_key("ubnd/records/r1/other.bin") is None
    assert parse_key("ubnd/notes.txt") is None
    assert split_record_key("ubnd/records/r1/other.bin") == ("ubnd", "r1", "other.bin")


def test_agency_is_nfc_normalized() -> None:
    decomposed = unicodedata.normalize("NFD", "ubnd-phường-bến-nghé")
    assert archival_key(decomposed, "r1") == archival_key("ubnd-phường-bến-nghé", "r1")


@pytest.mark.parametrize("agency", ["", "a/b", "..", ".sohoa", " a"])
def test_bad_segments_refused(agency: str) -> None:
    with pytest.raises(ValueError):
        archival_key(agency, "r1")


def test_bad_version_and_ext_refused() -> None:
    with pytest.raises(ValueError):
        record_key("a", "r", 0)
    with pytest.raises(ValueError):
        original_key("a", "r", ".p/df")
