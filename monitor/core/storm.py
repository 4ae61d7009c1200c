"""A page that changes on every fetch: every version kept, not every version alerted.

After ``storm_after`` changed alerts within six hours, one more goes out with
reason ``changing-constantly`` and a ``count``, and then none until the page
has been quiet (no change) for six hours. Pure: the time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.core.timestamps import parse_stamp, stamp

WINDOW = timedelta(hours=6)


@dataclass(frozen=True)
class Verdict:
    send: bool  # whether this change's alert goes out
    reason: str | None  # "changing-constantly" on the one alert that says so
    count: int  # changes within the window, this one included
    recent_changes: str  # what the state keeps for next time
    storm_since: str | None


def judge_storm(recent_changes: str | None, storm_since: str | None, now: datetime,
                storm_after: int) -> Verdict:
    """What to do with the ``changed`` alert of a change seen at ``now``."""
    since = now - WINDOW
    times = [t for t in (recent_changes or "").split()
             if (parse_stamp(t) or since) > since]
    quiet = not times  # no change in the last six hours
    times.append(stamp(now))
    kept = " ".join(times[-(storm_after + 1):])
    if storm_since and not quiet:
        return Verdict(False, None, len(times), kept, storm_since)
    if not storm_since and len(times) > storm_after:
        return Verdict(True, "changing-constantly", len(times), kept, stamp(now))
    return Verdict(True, None, len(times), kept, None)
