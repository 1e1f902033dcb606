"""The layering ``docs/architecture.md`` describes, checked on every import (at the top
of a module, inside a function or under ``TYPE_CHECKING``): a package imports only the
packages below it, so the page stays true to the code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The table of docs/architecture.md: package → the packages it may import.
MAY_IMPORT: dict[str, set[str]] = {
    "records": set(),
    "ocr": {"records"},
    "signing": {"records"},
    "storage": {"records"},
    "search": {"records"},
    "audit": {"records", "storage"},
    "extract": {"records", "ocr"},
    "reuse": {"records", "search", "storage", "audit"},
    "stats": {"records", "search"},
    "application": {
        "records", "ocr", "extract", "signing", "storage", "search", "audit", "reuse", "stats",
    },
    "ingest": {
        "records", "ocr", "extract", "signing", "storage", "search", "audit", "reuse", "stats",
        "application",
    },
    "watch": {"records", "application", "ingest"},
    "api": {
        "records", "extract", "signing", "storage", "search", "reuse", "audit", "application",
        "ingest", "stats",
    },
    "cli": {
        "records", "extract", "signing", "storage", "search", "reuse", "audit", "application",
        "ingest", "stats", "watch", "api",
    },
    "specimens": set(),
    "evalset": set(),
}


def _imports(package: str) -> dict[str, set[str]]:
    """Each sohoa package ``package`` imports, with the modules that import it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in MAY_IMPORT and top != package:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_each_package_imports_only_the_layers_below_it() -> None:
    wrong = {
        f"{package} → {target}": sorted(modules)
        for package, allowed in MAY_IMPORT.items()
        for target, modules in _imports(package).items()
        if target not in allowed
    }
    assert wrong == {}


def test_the_page_lists_every_package() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package, allowed in MAY_IMPORT.items():
        row = next((line for line in page.splitlines() if line.startswith(f"| `{package}/`")),
                   None)
        assert row is not None, package
        listed = row.rsplit("|", 2)[-2]
        assert {p for p in allowed if f"`{p}`" in listed} == allowed, (package, listed)


# Packages the service never imports at run time: the image may leave them out.
NOT_IN_IMAGE = {"evalset"}


def test_every_package_is_installed_and_in_the_image() -> None:
    """A package left out of pyproject's list or the Dockerfile is found only when the
    installed service first imports it (the statistics package once was)."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    for package in MAY_IMPORT:
        assert f'"{package}*"' in pyproject, package
        if package not in NOT_IN_IMAGE:
            assert f"COPY {package} {package}" in dockerfile, package
