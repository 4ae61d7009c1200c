"""The rows and commits the store hands out, as typed values."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from monitor.core.decide import State
from monitor.core.document import Snapshot
from monitor.core.safe_text import strip_controls
from monitor.core.timestamps import stamp


@dataclass(frozen=True)
class SourceRecord:
    """A source's row in the state database."""

    id: str
    state: State = field(default_factory=State)
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    final_url: str | None = None
    tracking_url: str | None = None  # where a moved article is fetched now
    tracked_from: str | None = None  # the configured URL it moved from
    revision: str | None = None
    last_checked: str | None = None
    last_seen_at: str | None = None  # the last check that found the page online
    last_outcome: str | None = None
    last_error: str | None = None
    last_event: str | None = None
    last_event_at: str | None = None
    last_changed_at: str | None = None  # the last new wording: drives adaptive schedules
    deferred_until: str | None = None
    scope: str | None = None  # the selector/ignore rules the snapshot was extracted with
    extractor: str | None = None  # the extraction that cut it; None: a release before versions
    # the page's own modified date at the last version; "" it showed none, None unknown
    page_modified: str | None = None
    recent_changes: str | None = None  # times of the changed alerts of the last 6 h
    storm_since: str | None = None  # changing constantly since then: alerts held back
    removed_at: str | None = None  # `monitor remove` took it out of sources.yaml then
    signals: str | None = None  # JSON: the page's noindex and canonical at its last check


class Keep(Enum):
    """A column that a RecordUpdate leaves as it is (None would empty it)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class RecordUpdate:
    """The columns of a source's row that one check or one replayed commit writes.

    Typed, so that a misspelt column is an error where the update is built and
    not an SQL error inside a group commit. Every field left at KEEP stays as
    the database has it.
    """

    status: str | Keep = KEEP
    gone_count: int | Keep = KEEP
    collapse_count: int | Keep = KEEP
    failure_count: int | Keep = KEEP
    failing: bool | Keep = KEEP
    etag: str | Keep | None = KEEP
    last_modified: str | Keep | None = KEEP
    body_sha256: str | Keep | None = KEEP
    final_url: str | Keep | None = KEEP
    tracking_url: str | Keep | None = KEEP
    tracked_from: str | Keep | None = KEEP
    revision: str | Keep | None = KEEP
    last_checked: str | Keep | None = KEEP
    last_seen_at: str | Keep | None = KEEP
    last_outcome: str | Keep | None = KEEP
    last_error: str | Keep | None = KEEP
    last_event: str | Keep | None = KEEP
    last_event_at: str | Keep | None = KEEP
    last_changed_at: str | Keep | None = KEEP
    deferred_until: str | Keep | None = KEEP
    scope: str | Keep | None = KEEP
    extractor: str | Keep | None = KEEP
    page_modified: str | Keep | None = KEEP
    recent_changes: str | Keep | None = KEEP
    storm_since: str | Keep | None = KEEP
    signals: str | Keep | None = KEEP

    @classmethod
    def of_state(cls, state: State) -> RecordUpdate:
        return cls(status=state.status, gone_count=state.gone_count,
                   collapse_count=state.collapse_count, failure_count=state.failure_count,
                   failing=state.failing)

    def columns(self) -> dict[str, Any]:
        """Column name to value, for the fields that are not KEEP (booleans as 0/1)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: int(value) if isinstance(value, bool) else value
                for name, value in values.items() if value is not KEEP}


@dataclass(frozen=True)
class Change:
    """A new version of one snapshot file, to become one commit."""

    source_id: str
    event: str  # baseline, changed, removed, restored
    snapshot: Snapshot
    trailers: dict[str, str]
    summary: str = ""
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (event, alert id)

    @property
    def path(self) -> str:
        return f"{self.source_id}.md"

    def message(self) -> str:
        subject = f"{self.event}: {self.source_id}"
        body = [strip_controls(self.snapshot.document.title)]
        if self.summary:
            body.append(self.summary)
        trailers = [f"{key}: {value}" for key, value in
                    {"Source": self.source_id, "Event": self.event, **self.trailers}.items()]
        trailers += [f"Alert: {event} {alert_id}" for event, alert_id in self.alerts]
        return "\n\n".join([subject, "\n".join(body), "\n".join(trailers)]) + "\n"


@dataclass(frozen=True)
class RecordSummary:
    """The columns of a source's row that a list of sources shows (``record_summaries``)."""

    status: str
    failing: bool
    revision: str | None
    last_checked: str | None
    last_outcome: str | None
    last_error: str | None
    last_event: str | None
    last_event_at: str | None
    last_changed_at: str | None


@dataclass(frozen=True)
class LogEntry:
    revision: str
    date: str
    subject: str
    trailers: dict[str, str]
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (event, alert id)


def now_iso() -> str:
    return stamp(datetime.now(UTC))


@dataclass(frozen=True)
class Delivery:
    """One alert still to be delivered to one channel."""

    alert: dict[str, Any]
    channel: str
    attempts: int
    next_attempt_at: str | None
    digest_id: str | None
    created_at: str  # when the change was detected
    first_failed_at: str | None = None  # None: never failed, so never given up
    last_error: str | None = None


def _record(row: sqlite3.Row) -> SourceRecord:
    values = dict(row)
    state = State(status=values.pop("status"), gone_count=values.pop("gone_count"),
                  collapse_count=values.pop("collapse_count"),
                  failure_count=values.pop("failure_count"),
                  failing=bool(values.pop("failing")))
    return SourceRecord(state=state, **values)
