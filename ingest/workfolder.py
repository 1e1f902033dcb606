"""A batch's work folder: where each document's private copy and page PDFs live.

As in OCRmyPDF, the stages hand files to each other by path in a temporary folder
rather than as bytes between processes. Each admitted document gets a folder of its
own holding

- ``source.<ext>``: the private copy of the file, taken while it is hashed
  (``ingest.pipeline.receive``), which every later step reads;
- ``page-00001.pdf``…: each page's one-page PDF, written by the worker that read it
  (``ocr.PageJob.out_path``) and read once by the assembly.

A document's folder is removed as soon as it is done (committed, skipped or failed),
so a backlog of any size needs room for only the documents in flight; the batch's
folder, with anything a failure left, when the batch ends. The folder is made under
the system's temporary directory (``TMPDIR``, as every ``tempfile`` user), readable by
its owner only (``mkdtemp``), and named with the driver's host and process id: the
folders of a driver on this host that was killed (citizens' papers, left in ``/tmp``)
are removed by the next batch made beside them; a folder of another host sharing the
directory is never judged from here.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path
from types import TracebackType

__all__ = ["WorkFolder", "discard", "sweep"]


class WorkFolder:
    """One batch's temporary folder, with a numbered folder per document."""

    def __init__(self, parent: str | Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{_HOST}.{os.getpid()}.",
                                          dir=parent))
        self._count = 0
        sweep(self.root.parent)

    def new_document(self) -> Path:
        """An empty folder for the next document."""
        self._count += 1
        folder = self.root / f"{self._count:06d}"
        folder.mkdir()
        return folder

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> WorkFolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


PREFIX = "sohoa-work-"
# Host names hold no "/" and mkdtemp's suffix no ".": "sohoa-work-{host}.{pid}.{random}".
_HOST = socket.gethostname() or "localhost"


def sweep(parent: Path) -> list[Path]:
    """Remove (and return) the work folders in ``parent`` of this host whose driver is
    gone."""
    removed = []
    for folder in parent.glob(f"{PREFIX}*"):
        host, _, rest = folder.name[len(PREFIX):].rpartition(".")[0].rpartition(".")
        if host == _HOST and rest.isdigit() and folder.is_dir() and not _alive(int(rest)):
            discard(folder)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a pid we can judge: left alone
    return True


def discard(folder: Path) -> None:
    """A document's folder, gone (nothing in it is needed once the document is done)."""
    shutil.rmtree(folder, ignore_errors=True)
