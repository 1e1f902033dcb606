"""Every audit entry sohoa writes, decided and written here: one method per action.

The CLI, the HTTP routes, the reuse service and the operations say what happened, in
typed values; this module alone names the action and chooses the details, so an
entry's shape cannot drift between two callers (the JSON API and the screens both
record ``record.view``) and ``tests/test_architecture.py`` can hold every other package
to never appending an entry itself. Each method returns once the entry is durable
(``AuditSink.write``: this host's journal, about half a millisecond, or the chain).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from audit import AuditDraft, AuditSink
from records.model import utc_now
from reuse import LookupOutcome, ReleaseOutcome, ReuseRequest
from storage.admin import RecordDeletion


@dataclass(frozen=True)
class AuditTrail:
    """The audit entries of one deployment, written to ``sink`` (``Runtime.trail``:
    this host's ``AuditJournal``)."""

    sink: AuditSink

    def _write(self, action: str, actor: str, **details: Any) -> None:
        self.sink.write([AuditDraft.new(action, actor, details)])

    # -- changes to records ---------------------------------------------------------

    def record_corrected(self, actor: str, record_id: str, version: int,
                         fields: Iterable[str], *, approved: bool) -> None:
        """A review's new version: the fields corrected and whether it was approved."""
        self._write("record.correct", actor, record_id=record_id, version=version,
                    fields=sorted(fields), approved=approved)

    def record_deleted(self, actor: str, reason: str, deletion: RecordDeletion) -> None:
        """An admin deletion, written before any of ``deletion.keys`` goes. ``at``: when
        it was decided (the entry's own time is when it was accepted), kept in the
        details as the entry has always had it."""
        self._write("storage.delete_record", actor, at=utc_now(), reason=reason,
                    agency=deletion.agency, record_id=deletion.record_id,
                    store=deletion.store, keys=list(deletion.keys))

    # -- access tokens --------------------------------------------------------------

    def token_created(self, actor: str, *, role: str, agency: str, token_id: str,
                      label: str | None) -> None:
        self._write("token.create", actor, role=role, agency=agency, token_id=token_id,
                    label=label)

    def token_revoked(self, actor: str, token: Mapping[str, Any]) -> None:
        """``token``: the revoked token's public side (``Principal.to_dict``)."""
        self._write("token.revoke", actor, **token)

    # -- what an HTTP principal reads ------------------------------------------------

    def record_viewed(self, actor: str, record_id: str, version: int | None, *,
                      damaged: bool = False) -> None:
        """A record shown or its JSON handed out; ``damaged``: its stored JSON did not
        read and the index's copy was shown."""
        extra = {"damaged": True} if damaged else {}
        self._write("record.view", actor, record_id=record_id, version=version, **extra)

    def file_read(self, actor: str, record_id: str, version: int, file: str) -> None:
        """One of a record's files handed out (``original``, ``archival.pdf``, ``text``,
        the rendered ``page1.png``)."""
        self._write("record.file", actor, record_id=record_id, file=file, version=version)

    def record_verified(self, actor: str, record_id: str, version: int,
                        valid: bool) -> None:
        self._write("record.verify", actor, record_id=record_id, version=version, valid=valid)

    def searched(self, actor: str, text: str | None, hits: list[str], total: int) -> None:
        self._write("search", actor, text=text, hits=hits, total=total)

    def review_listed(self, actor: str, hits: list[str], total: int) -> None:
        """The review queue shown: file names, types and reasons, an access like a search."""
        self._write("review.list", actor, hits=hits, total=total)

    def batch_uploaded(self, actor: str, batch_id: str, files: list[str],
                       accepted: int) -> None:
        self._write("batch.upload", actor, batch_id=batch_id, files=files, accepted=accepted)

    # -- double keying --------------------------------------------------------------

    def keying_opened(self, actor: str, record_id: str, version: int,
                      fields: list[str]) -> None:
        self._write("keying.open", actor, record_id=record_id, version=version, fields=fields)

    def keyed(self, actor: str, record_id: str, seq: int, fields: Mapping[str, str]) -> None:
        """A clerk's entry; ``fields``: each path with a digest of the value, never the
        value (``api.keying.digest``)."""
        self._write("keying.entry", actor, record_id=record_id, seq=seq, fields=dict(fields))

    def keying_compared(self, actor: str, record_id: str, field: str, clerks: list[str], *,
                        agrees: bool) -> None:
        """A field's two entries compared, once the second one is in."""
        self._write("keying.agreed" if agrees else "keying.disputed", actor,
                    record_id=record_id, field=field, clerks=clerks)

    def keying_decided(self, actor: str, record_id: str, seq: int, field: str, value: str,
                       clerks: list[str], chose: list[str]) -> None:
        """The arbiter's value (a digest) for a disputed field and whose entries it chose."""
        self._write("keying.decision", actor, record_id=record_id, seq=seq, field=field,
                    value=value, clerks=clerks, chose=chose)

    def keying_figures_read(self, actor: str, clerks: int) -> None:
        self._write("keying.figures", actor, clerks=clerks)

    # -- reuse ----------------------------------------------------------------------

    def reuse_looked_up(self, actor: str, outcome: LookupOutcome) -> None:
        """Who asked, for which dossier and procedure, about whom, which records were
        offered and which withheld."""
        result = outcome.result
        self._write(
            "reuse.lookup",
            actor,
            dossier_code=outcome.dossier_code,
            procedure_code=result.procedure_code,
            as_of=result.as_of,
            subject=outcome.subject.to_dict(),
            offered={c.code: [x.id for x in c.candidates] for c in result.components},
            withheld=[
                # The components it would fill: a required one left unserved is a
                # paper the citizen is asked for again although the archive holds it.
                {"record_id": w.record_id, "reason": str(w.reason),
                 "components": list(w.components)}
                for w in result.withheld_probable
            ],
            satisfied=result.satisfied,
            total=len(result.components),
        )

    def reuse_released(self, actor: str, request: ReuseRequest, record_id: str,
                       outcome: ReleaseOutcome, *, citizen_request: bool,
                       confirmed_probable: bool) -> None:
        """A release (``reuse.release``, with what was handed over) or its refusal
        (``reuse.release_refused``, with the reason), with what was asked."""
        context: dict[str, Any] = {
            "dossier_code": request.dossier_code,
            "procedure_code": request.procedure_code,
            "record_id": record_id,
            "as_of": outcome.as_of,
            "subject": outcome.subject.to_dict(),
            "citizen_request": citizen_request,
            "confirmed_probable": confirmed_probable,
        }
        if outcome.refusal is not None:
            self._write("reuse.release_refused", actor, reason=outcome.refusal.code, **context)
            return
        document = outcome.handed_over()
        self._write(
            "reuse.release", actor, **context,
            components=list(outcome.components),
            match=None if outcome.match is None else str(outcome.match),
            sha256=document.sha256,
            size=len(document.data),
        )
