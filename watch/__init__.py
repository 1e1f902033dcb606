"""The hot folder: ``sohoa watch DIR`` digitizes what scanners drop into a folder.

``watch.folder`` says which files are complete and what their subfolders mean,
``watch.journal`` remembers what was taken across restarts, ``watch.watcher`` runs
the loop over the existing batch drivers. See ``docs/watch.md``.
"""

from watch.folder import FOLDER_KEYS, Seen, Settle, folder_values, ignored, scan
from watch.journal import Entry, Event, Journal
from watch.watcher import Watcher, WatchOptions, distributed, embedded

__all__ = [
    "FOLDER_KEYS",
    "Entry",
    "Event",
    "Journal",
    "Seen",
    "Settle",
    "WatchOptions",
    "Watcher",
    "distributed",
    "embedded",
    "folder_values",
    "ignored",
    "scan",
]
