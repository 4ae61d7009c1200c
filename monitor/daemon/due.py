"""When a source is next due, from what the state database remembers of it.

The daemon arms its jobs from these answers and ``monitor check --due`` (cron)
asks the same question, so a source has one schedule however it is run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from monitor.core.events import CONFIRM_OUTCOMES
from monitor.core.model import Settings, Source
from monitor.core.timestamps import parse_stamp
from monitor.store.records import SourceRecord


def next_check(source: Source, record: SourceRecord | None, settings: Settings,
               now: datetime) -> datetime:
    """When a source is next due, from what the state database remembers of it."""
    checked = parse_stamp(record.last_checked) if record else None
    if record is None or checked is None:
        return now
    if record.last_outcome in CONFIRM_OUTCOMES:
        due = checked + timedelta(seconds=settings.confirm_after)
    else:
        due = source.schedule.next_due(checked, parse_stamp(record.last_changed_at))
    deferred = parse_stamp(record.deferred_until)
    return max(due, deferred) if deferred else due


DUE_EARLY_SHARE = 0.1  # `check --due`: a source is due with this share of its interval left
DUE_EARLY_MAX = 1800.0  # seconds, at most


def is_due(source: Source, record: SourceRecord | None, settings: Settings,
           now: datetime) -> bool:
    """Whether a ``check --due`` run at ``now`` checks this source.

    Cron starts runs on the clock, so a run finds the sources of the previous
    run a second or a minute short of their interval; skipping them would
    check an hourly source every two hours. A source is therefore due once at
    most a tenth of its interval remains (never more than 30 minutes), but
    never before a server's ``Retry-After`` has passed.
    """
    checked = parse_stamp(record.last_checked) if record else None
    if record is None or checked is None:
        return True
    due = next_check(source, replace(record, deferred_until=None), settings, now)
    early = min(DUE_EARLY_SHARE * max((due - checked).total_seconds(), 0.0), DUE_EARLY_MAX)
    deferred = parse_stamp(record.deferred_until)
    return due - timedelta(seconds=early) <= now and (deferred is None or deferred <= now)
