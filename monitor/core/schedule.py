"""When a source is due: fixed intervals, crontab lines and adaptive schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Schedule:
    """When a source is due: a fixed interval, a crontab line, or adaptive."""

    every: float | None = None  # seconds
    cron: str | None = None
    adaptive: bool = False
    min_every: float = 15 * 60  # adaptive bounds, seconds
    max_every: float = 7 * 86400

    def interval(self, last_changed: datetime | None, now: datetime) -> float:
        """Seconds between checks; adaptive: often while the article is fresh or just
        edited, backing off as it goes quiet."""
        if not self.adaptive:
            return self.every or 0.0
        if last_changed is None:
            return min(max(3600.0, self.min_every), self.max_every)
        age = (now - last_changed).total_seconds()
        every = next((step for younger_than, step in ADAPTIVE_STEPS if age < younger_than),
                     7 * 86400.0)
        return min(max(every, self.min_every), self.max_every)

    def next_due(self, last_checked: datetime, last_changed: datetime | None = None) -> datetime:
        if self.cron:
            trigger = cron_trigger(self.cron, last_checked.tzinfo)
            nxt = trigger.get_next_fire_time(None, last_checked + timedelta(seconds=1))
            return nxt or last_checked + timedelta(days=365)
        return last_checked + timedelta(seconds=self.interval(last_changed, last_checked))


# Adaptive schedule: (age of the last change under this many seconds, check every ...).
ADAPTIVE_STEPS = ((3 * 3600, 15 * 60.0), (86400, 3600.0), (7 * 86400, 3 * 3600.0),
                  (30 * 86400, 86400.0))


DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_trigger(expression: str, timezone: Any) -> Any:
    """A crontab line as an APScheduler trigger, with crontab's day numbers (0 and 7 = Sunday).

    APScheduler 3 counts days of the week from Monday = 0, so ``* * * * 1`` would
    fire on Tuesdays; numbers are turned into day names, which it reads right.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab line has 5 fields, not {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_weekday_names(weekday), timezone=timezone)


def _weekday_names(field: str) -> str:
    if field == "*":
        return field
    days: list[str] = []
    for item in field.split(","):
        base, _, step = item.partition("/")
        if base == "*":
            start, end = 0, 6
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _weekday(first), _weekday(last)
        else:
            start = _weekday(base)
            end = 6 if step else start
        stride = int(step) if step else 1
        if stride < 1 or end < start:
            raise ValueError(f"bad day-of-week range {item!r}")
        days.extend(DAY_NAMES[d] for d in range(start, end + 1, stride))
    return ",".join(dict.fromkeys(days))


def _weekday(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and int(token) <= 7:
        return int(token)
    if token[:3] in DAY_NAMES:
        return DAY_NAMES.index(token[:3])
    raise ValueError(f"bad day of week {token!r}")


STARTUP_SPREAD = 10.0  # seconds over which overdue and never-checked sources start
JITTER_SHARE, JITTER_MAX = 0.1, 300.0  # of an interval, and seconds at most


def jitter_span(schedule: Schedule, now: datetime) -> float:
    """Seconds by which a run may be pushed later, so equal intervals spread out."""
    every = schedule.interval(None, now) if not schedule.cron else 3600.0
    return min(every * JITTER_SHARE, JITTER_MAX)


def start_at(due: datetime, now: datetime, draw: float) -> datetime:
    """When a source first runs after a (re)start: when it is due, and an overdue one
    within a few seconds of now (``draw``, in [0, 1), spreads them out)."""
    return due if due > now else now + timedelta(seconds=draw * STARTUP_SPREAD)


def rerun_at(due: datetime, now: datetime, schedule: Schedule, draw: float) -> datetime:
    """When a source runs again after a check: when due, pushed by a little jitter."""
    return max(due, now) + timedelta(seconds=draw * jitter_span(schedule, now))


def describe_schedule(schedule: Schedule) -> str:
    """``every 6h``, ``cron 0 * * * *``, ``adaptive, every 15m to 7d``: for people."""
    if schedule.cron:
        return f"cron {schedule.cron}"
    if schedule.adaptive:
        return (f"adaptive, every {_duration(schedule.min_every)} to "
                f"{_duration(schedule.max_every)}")
    return f"every {_duration(schedule.every or 0)}"


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"
