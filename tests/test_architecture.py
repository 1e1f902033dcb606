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
    "reuse": {"records", "search", "storage"},
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


# The one layer that writes audit entries (``application.audited``), and the log itself.
AUDIT_WRITERS = {"application", "audit"}
# What only a writer holds: the drafts entries are made of, and the objects that write
# them. Reading the log (``AuditAnchor``, ``format_verification``) is anyone's.
_WRITER_NAMES = {"AuditDraft", "AuditLog", "AuditJournal", "AuditSink"}
_WRITE_METHODS = {"append", "write", "submit"}


def _mentions_audit(node: ast.AST) -> bool:
    return "audit" in ast.unparse(node).lower()


def _audit_writes(source: str) -> list[str]:
    """Where ``source`` writes an audit entry itself: a writer imported from ``audit``,
    or ``append``/``write``/``submit`` called on anything audit (``state.audit``,
    ``runtime.audit()``, ``self.audit_log``) or on a name bound to one."""
    tree = ast.parse(source)
    found: list[str] = []
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
                and _mentions_audit(node.value)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            aliases.update(t.id for t in targets if isinstance(t, ast.Name))
        elif (isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name)
              and _mentions_audit(node.context_expr)):
            aliases.add(node.optional_vars.id)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "audit":
            found += [f"imports {a.name}" for a in node.names if a.name in _WRITER_NAMES]
        elif isinstance(node, ast.Attribute) and node.attr in _WRITER_NAMES:
            found.append(ast.unparse(node))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in _WRITE_METHODS):
            receiver = node.func.value
            if _mentions_audit(receiver) or (
                isinstance(receiver, ast.Name) and receiver.id in aliases
            ):
                found.append(f"line {node.lineno}: {ast.unparse(node.func)}(…)")
    return found


def test_the_writer_check_sees_each_way_of_writing() -> None:
    """The check below would pass on nothing if it saw nothing: each way an entry was
    once written outside ``application`` is caught."""
    assert _audit_writes("state.audit.append('search', actor, hits=[])")
    assert _audit_writes("runtime.audit().append('token.create', 'cli:x')")
    assert _audit_writes("self.audit_log.append('reuse.lookup', actor)")
    assert _audit_writes("log = runtime.audit()\nlog.write(drafts)")
    assert _audit_writes("from audit import AuditDraft")
    assert _audit_writes("import audit\naudit.AuditLog(store).submit('x', 'y')")
    # Reading the log and unrelated lists are not writing.
    assert not _audit_writes("state.audit.entries(since=3)\nhits.append(1)")
    assert not _audit_writes("from audit import AuditAnchor, AuditError")


def test_only_the_application_writes_audit_entries() -> None:
    """Every audit entry is decided and written by ``application.audited`` (through
    ``Runtime.trail``, ``Runtime.reuse``): no other package appends one, so its action
    and details cannot drift between two callers."""
    writes = {
        str(path.relative_to(ROOT)): found
        for package in MAY_IMPORT.keys() - AUDIT_WRITERS
        for path in sorted((ROOT / package).rglob("*.py"))
        if (found := _audit_writes(path.read_text(encoding="utf-8")))
    }
    assert writes == {}
