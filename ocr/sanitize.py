"""Active content taken out of the archival PDF before the agency signs it.

A page copied from an input PDF brings along whatever its dictionaries reference:
page-open actions (``/AA``), links and form widgets whose actions run JavaScript,
launch programs or send data, attached files. Once signed, all of it would run or be
handed out under the agency's signature, and PDF/A forbids most of it anyway.

pikepdf's ``pikepdf.sanitize`` (``remove_javascript``, ``remove_attachments``) is the
model, with three differences: plain web and mail links stay (``remove_external_access``
would take them too), links to ``javascript:``, ``data:``, ``file:`` and other schemes
go; every object reachable from the trailer is walked rather than the
known action slots only, because a copied page's annotations can reach form fields
and actions no catalog lists; and what was removed is counted, so the record's
archive notes say so.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

# Actions that run code or reach outside the document.
HOSTILE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"})
# The URI schemes a link may keep: a web page or a mail address. ``javascript:`` runs
# in the origin that shows the PDF (ours, in the record screen's frame); ``data:``,
# ``file:``, ``vbscript:`` and the like are no place a paper should send anyone.
SAFE_URI_SCHEMES = frozenset({"http", "https", "mailto"})
# Document-level name trees of scripts and attachments, dropped whole.
DROPPED_NAME_TREES = ("/JavaScript", "/EmbeddedFiles")

Container = Dictionary | Stream | Array


def defang(pdf: pikepdf.Pdf) -> list[str]:
    """Unlink active content from ``pdf`` in place; one note per kind removed.

    Annotations themselves stay (a link keeps its rectangle, a widget its appearance):
    only the action or the attached file is unlinked from whatever holds it.
    """
    removed: Counter[str] = Counter()
    for container in _containers(pdf):
        if isinstance(container, Array):
            _strip_array(container, removed)
        else:
            _strip_dictionary(container, removed)
    return [f"removed active content: {kind} x{count}" for kind, count in sorted(removed.items())]


def active_content(data: bytes) -> list[str]:
    """What ``defang`` would remove from the PDF ``data``, which is left as it is: for a
    signed original that is archived unchanged (cleaning it would break its signature)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return defang(pdf)


def active_kind(value: object) -> str | None:
    """What ``value`` is when it must not stay in the archive (``None`` when harmless)."""
    if not isinstance(value, Dictionary | Stream):
        return None
    if Name.JS in value:
        # A script is a script whatever action carries it (a /Rendition can, too).
        return "JavaScript action"
    subtype = value.get(Name.S)
    if isinstance(subtype, Name) and str(subtype) in HOSTILE_ACTIONS:
        return f"{str(subtype)[1:]} action"
    if subtype == Name.URI and not _safe_uri(value.get(Name.URI)):
        return "unsafe URI action"
    if Name.EF in value:
        return "embedded file"
    return None


def _safe_uri(uri: object) -> bool:
    """Whether a link's URI is a web or mail address (or relative). Read as a browser
    reads it: ASCII whitespace and controls inside the scheme are dropped
    (``java\tscript:`` is ``javascript:``), case ignored."""
    if not isinstance(uri, pikepdf.String):
        return uri is None
    text = bytes(uri).decode("latin-1")
    squeezed = "".join(c for c in text if ord(c) > 0x20 and c != "\x7f").lower()
    scheme, colon, _ = squeezed.partition(":")
    if not colon or "/" in scheme or "?" in scheme or "#" in scheme:
        return True  # no scheme: relative to the document
    return scheme in SAFE_URI_SCHEMES


def _containers(pdf: pikepdf.Pdf) -> Iterator[Container]:
    """Every dictionary, stream and array reachable from the trailer, each once.

    A container is handed out before its children are read, so whatever the caller
    unlinks from it is never visited. A stack, not recursion: ``/Next`` chains and
    field trees can be as deep as a hostile file likes.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [pdf.trailer]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, Dictionary | Stream | Array):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        yield obj
        stack.extend(obj if isinstance(obj, Array) else obj.values())


def _strip_dictionary(holder: Dictionary | Stream, removed: Counter[str]) -> None:
    _unlink_keys(holder, removed)
    events = holder.get(Name.AA)
    if isinstance(events, Dictionary):
        _unlink_keys(events, removed)
        if not events.keys():
            # PDF/A refuses a page or annotation with /AA at all, even an empty one.
            del holder[Name.AA]
    names = holder.get(Name.Names)
    if isinstance(names, Dictionary):
        for tree in DROPPED_NAME_TREES:
            if tree in names:
                del names[tree]
                removed[f"{tree[1:]} name tree"] += 1


def _unlink_keys(holder: Dictionary | Stream, removed: Counter[str]) -> None:
    """Delete every entry holding active content (/A, /OpenAction, /Next, /FS, …)."""
    for key in list(holder.keys()):
        kind = active_kind(holder.get(key))
        if kind is not None:
            del holder[key]
            removed[kind] += 1


def _strip_array(array: Array, removed: Counter[str]) -> None:
    """Drop active elements, e.g. from a ``/Next`` list of actions or an ``/AF`` list."""
    for index in reversed(range(len(array))):
        kind = active_kind(array[index])
        if kind is not None:
            del array[index]
            removed[kind] += 1
