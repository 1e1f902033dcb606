"""Know what each paper is and whose: classification, field extraction, cross-checks, review.

Offers:
- ``analyze(pages_text, words, *, given=None, result_types=None, today=None) -> Extraction``:
  classify a paper into the result-type catalog and read its fields from OCR output;
- ``apply(record, extraction)``: copy an extraction onto a record (``needs_review`` when
  anything is uncertain, reasons in ``record.review.reasons``);
- ``extract.manifest.load_manifest(path)``: the batch manifest CSV (values given by officers);
- ``extract.review``: ``correct``, ``approve``, ``needs_review``, ``describe_reason``.

Its names are loaded on first use (as ``signing``'s and ``ingest``'s): the ``sohoa``
command reads a batch's manifest and labels review reasons (``extract.manifest``,
``extract.review``, their keys in ``extract.keys``) without loading the readers behind
``analyze`` (fields, checks, tables, names, official units: ~0.03 s of CPU before a
batch's first page), which run in the OCR workers.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extract.analyze import Extraction, analyze, apply
    from extract.manifest import ManifestError, given_for, load_manifest
    from extract.review import ReviewError, approve, correct, describe_reason, needs_review

# Where each name lives (``__getattr__`` imports it from there on first use).
_LAZY = {
    **dict.fromkeys(("Extraction", "apply"), "analyze"),
    **dict.fromkeys(("ManifestError", "given_for", "load_manifest"), "manifest"),
    **dict.fromkeys(("ReviewError", "approve", "correct", "describe_reason", "needs_review"),
                    "review"),
}

__all__ = [
    "Extraction",
    "ManifestError",
    "ReviewError",
    "analyze",
    "apply",
    "approve",
    "correct",
    "describe_reason",
    "given_for",
    "load_manifest",
    "needs_review",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'extract' has no attribute {name!r}")
    return getattr(importlib.import_module(f"extract.{module}"), name)


class _Package(types.ModuleType):
    """The package, whose ``analyze`` is the function, as when ``__init__`` imported it.

    ``extract.analyze`` also names the module: the import system binds that module to
    the package's attribute when it first loads it, after which ``from extract import
    analyze`` would give the module. ``__init__``'s own ``from extract.analyze import
    analyze`` used to bind the function over it; loaded on first use, the function is
    this property's answer and the import system's binding (a module) is ignored. Any
    other value set on it (a test's ``monkeypatch``) is kept and answered, so that a
    patch is never silently dropped."""

    @property
    def analyze(self) -> Any:
        if (patched := self.__dict__.get("_analyze_set")) is not None:
            return patched
        return importlib.import_module("extract.analyze").analyze

    @analyze.setter
    def analyze(self, value: object) -> None:
        if not isinstance(value, types.ModuleType):
            self.__dict__["_analyze_set"] = value


sys.modules[__name__].__class__ = _Package
