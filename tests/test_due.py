"""When a source is due: the daemon's arming and ``check --due`` share these answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.core.model import Settings, Source
from monitor.core.schedule import Schedule
from monitor.daemon.due import is_due, next_check
from monitor.store.records import SourceRecord

ROOT = Path(__file__).parent.parent


def test_next_check_follows_state() -> None:
    settings = Settings(snapshots=ROOT, alerts=ROOT, state=ROOT, confirm_after=600)
    source = Source(id="a", url="https://e.org/a", schedule=Schedule(every=3600))
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert next_check(source, None, settings, now) == now
    checked = SourceRecord(id="a", last_checked="2026-11-25T11:30:00Z", last_outcome="unchanged")
    assert next_check(source, checked, settings, now) == datetime(2026, 11, 25, 12, 30,
                                                                  tzinfo=UTC)
    gone = SourceRecord(id="a", last_checked="2026-11-25T11:55:00Z", last_outcome="gone")
    assert next_check(source, gone, settings, now) == datetime(2026, 11, 25, 12, 5, tzinfo=UTC)
    deferred = SourceRecord(id="a", last_checked="2026-11-25T11:30:00Z",
                            deferred_until="2026-11-25T15:00:00Z")
    assert next_check(source, deferred, settings, now).hour == 15


def test_a_cron_run_checks_what_has_a_tenth_of_its_interval_left() -> None:
    settings = Settings(snapshots=ROOT, alerts=ROOT, state=ROOT)
    hourly = Source(id="a", url="https://e.org/a", schedule=Schedule(every=3600))
    daily = Source(id="a", url="https://e.org/a", schedule=Schedule(every=86400))
    checked = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    record = SourceRecord(id="a", last_checked="2026-11-25T12:00:00Z", last_outcome="unchanged")
    assert is_due(hourly, None, settings, checked)
    assert is_due(hourly, record, settings, checked + timedelta(minutes=54))
    assert not is_due(hourly, record, settings, checked + timedelta(minutes=53))
    # at most half an hour early, however long the interval
    assert is_due(daily, record, settings, checked + timedelta(hours=23, minutes=30))
    assert not is_due(daily, record, settings, checked + timedelta(hours=23, minutes=29))
    # never before the server's Retry-After
    deferred = SourceRecord(id="a", last_checked="2026-11-25T12:00:00Z",
                            deferred_until="2026-11-25T13:10:00Z")
    assert not is_due(hourly, deferred, settings, checked + timedelta(minutes=65))
    assert is_due(hourly, deferred, settings, checked + timedelta(minutes=70))
