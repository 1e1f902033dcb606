"""sohoa stats: the figures leaders are held to, per agency and month.

Offers:
- ``StatsStore(path)``: the SQLite file of record facts and daily counters
  (``put_records``, ``delete_record``, ``add_events`` for audit entries, ``set_issued``,
  ``report(period, agencies) -> StatsReport``);
- ``CountingIndex(index, store)``: the index, keeping the record facts in step;
- ``read_issued_csv``: the offices' monthly counts of results issued;
- ``rebuild``: refill the store from storage and the audit chain;
- ``StatsReport``, ``MonthFigures``, ``Backlog``, ``BatchRun``, ``Period``,
  ``parse_day``, ``StatsInputError``; the targets ``DIGITIZED_TARGET``, ``REUSE_TARGET``.

Computed from the index writes and the audit log as they happen, never by reading
object storage on a request (see ``stats.store``, docs/stats.md).
"""

from stats.counting import CountingIndex
from stats.issued import read_issued_csv
from stats.model import (
    DIGITIZED_TARGET,
    REUSE_TARGET,
    Backlog,
    BatchRun,
    MonthFigures,
    Period,
    StatsInputError,
    StatsReport,
    month_label,
    parse_day,
    parse_month,
)
from stats.rebuild import rebuild
from stats.store import StatsStore, record_fact

__all__ = [
    "DIGITIZED_TARGET",
    "REUSE_TARGET",
    "Backlog",
    "BatchRun",
    "CountingIndex",
    "MonthFigures",
    "Period",
    "StatsInputError",
    "StatsReport",
    "StatsStore",
    "month_label",
    "parse_day",
    "parse_month",
    "read_issued_csv",
    "rebuild",
    "record_fact",
]
