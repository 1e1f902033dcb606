"""The ground-truth record of one evaluation file (`truth.jsonl`, one per line)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TRUTH_FILE = "truth.jsonl"


@dataclass(frozen=True)
class Truth:
    """What one file is and what it says.

    `klass` is the JSON key `class` (a Python keyword): dpi, mode, degradation, format,
    turn, skew, jpeg_quality, font. `pages` holds the printed text of each page of the file
    in reading order ("" for a blank page). Dates are ISO strings.
    """

    id: str
    file: str
    split: str  # "dev" | "test"
    profile: str  # "easy" | "hard"
    klass: dict[str, Any]
    class_key: str
    pages: list[str]
    doc_type: str
    document_number: str | None
    issued_on: str
    valid_until: str | None
    issuer: dict[str, Any]
    subjects: list[dict[str, Any]]
    fields: dict[str, Any] = field(default_factory=dict)
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        out: dict[str, Any] = {}
        for k in ("id", "file", "split", "profile"):
            out[k] = d[k]
        out["class"] = d["klass"]
        for k in ("class_key", "pages", "doc_type", "document_number", "issued_on",
                  "valid_until", "issuer", "subjects", "fields", "seed"):
            out[k] = d[k]
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Truth:
        return cls(
            id=d["id"], file=d["file"], split=d["split"], profile=d["profile"],
            klass=dict(d["class"]), class_key=d["class_key"], pages=list(d["pages"]),
            doc_type=d["doc_type"], document_number=d.get("document_number"),
            issued_on=d["issued_on"], valid_until=d.get("valid_until"),
            issuer=dict(d["issuer"]), subjects=[dict(s) for s in d["subjects"]],
            fields=dict(d.get("fields") or {}), seed=int(d.get("seed", 0)),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)


def load_truth(directory: Path) -> list[Truth]:
    """Read `directory/truth.jsonl` (as written by `evalset.generate`)."""
    path = Path(directory) / TRUTH_FILE
    with path.open(encoding="utf-8") as f:
        return [Truth.from_dict(json.loads(line)) for line in f if line.strip()]


def write_truth(directory: Path, truths: list[Truth]) -> None:
    with (Path(directory) / TRUTH_FILE).open("w", encoding="utf-8") as f:
        for t in truths:
            f.write(t.to_json() + "\n")
