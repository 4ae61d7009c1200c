"""The event and outcome vocabulary, in one place.

An *event* is what an alert says happened (the alert JSON's ``event``); an
*outcome* is what one check did (``monitor check`` prints it, the state keeps
the last one). Both are ``StrEnum``: each member is its own string, so the
values written to JSON, SQLite and git trailers stay exactly the contract's.
"""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    CHANGED = "changed"
    REMOVED = "removed"
    RESTORED = "restored"
    MOVED = "moved"
    FAILING = "failing"
    RECOVERED = "recovered"
    NEW = "new"  # a listing named an article not seen before (or held back: a count)
    DELISTED = "delisted"  # a listing stopped naming an article whose page still works
    NOINDEXED = "noindexed"  # the page asks search engines to drop it (or, reverted, not)
    CANONICAL_CHANGED = "canonical-changed"  # its rel=canonical points elsewhere (or back)


class Outcome(StrEnum):
    BASELINE = "baseline"  # the first snapshot of a source
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    COLLAPSED = "collapsed"  # the text shrank to a remnant: not trusted until confirmed
    GONE = "gone"  # looks removed, not yet confirmed
    REMOVED = "removed"
    RESTORED = "restored"
    MOVED = "moved"  # redirected to another article, same wording
    RESCOPED = "rescoped"  # new selector/ignore rules or extractor: committed, no alert
    REWRITTEN = "rewritten"  # a lost snapshot file committed again, same wording
    ERROR = "error"
    DEFERRED = "deferred"  # not checked: the server asked us to wait


ALERT_EVENTS: tuple[Event, ...] = tuple(Event)
#: events a listing raises, and the quiet ways a page leaves sight (DESIGN.md "Discovery")
DISCOVERY_EVENTS = frozenset({Event.NEW, Event.DELISTED})
SIGNAL_EVENTS = frozenset({Event.NOINDEXED, Event.CANONICAL_CHANGED})
#: events that come with a snapshot commit, whose revision the alert names
COMMIT_EVENTS = frozenset({Event.CHANGED, Event.REMOVED, Event.RESTORED, Event.MOVED,
                           Event.NEW})
#: events whose alert carries a diff
DIFF_EVENTS = frozenset({Event.CHANGED, Event.RESTORED})
#: outcomes that change the stored wording (and the last-changed time)
CHANGE_OUTCOMES = frozenset({Outcome.BASELINE, Outcome.CHANGED, Outcome.RESTORED})
#: outcomes after which the page is looked at again soon (the daemon, ``check --due``)
CONFIRM_OUTCOMES = frozenset({Outcome.GONE, Outcome.COLLAPSED})
