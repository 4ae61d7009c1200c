"""The state machine: the stored State, an Observation and the check's Circumstances
give a Decision, every transition here (moved, rescoped, removal, restore...).

Alerts fire on transitions, not on every check while a state persists.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from monitor.core.classify import GONE_WORDS, Observation, redirect_keeps_article


@dataclass(frozen=True)
class State:
    """What the store remembers of a source between checks."""

    status: str = "new"  # new | ok | removed
    gone_count: int = 0  # consecutive "gone" checks
    collapse_count: int = 0  # consecutive checks whose text collapsed
    failure_count: int = 0  # consecutive checks that could not be done
    failing: bool = False


@dataclass(frozen=True)
class Circumstances:
    """What the pipeline knows of this check besides what the page showed."""

    has_snapshot: bool = False  # a stored version to compare with
    requested: str = ""  # the URL asked for
    redirected_to: str | None = None  # the final URL, when the answer came via redirects
    rescoped: bool = False  # the source's selector or ignore rules changed since then
    extractor_upgraded: bool = False  # the stored text was cut by another extractor
    deferred: bool = False  # not checked: the server asked to wait (Retry-After)
    # The state database names a version whose file is gone from snapshots/; and
    # whether the page's text hashes as that version's did (asked of git only then).
    text_missing: bool = False
    missing_text_same: bool = False


@dataclass(frozen=True)
class Decision:
    state: State
    # baseline, changed, unchanged, collapsed, removed, restored, gone, error, moved,
    # rescoped, rewritten or deferred
    outcome: str
    events: list[str] = field(default_factory=list)  # alerts to raise, in order
    reason: str | None = None
    snapshot_status: str | None = None  # the Status: header to write; None = no commit
    moved_to: str | None = None  # a redirect to another article: the URL tracked from now


ANSWERED = ("document", "unchanged", "collapsed")  # observations of a page that answered


def decide(state: State, seen: Observation, *, confirm_removal: int, failing_after: int,
           circumstances: Circumstances | None = None) -> Decision:
    """The event for one check: pure, so every transition is testable without I/O.

    Alerts fire on transitions, not on every check while a state persists; a
    transient failure is never a removal, and neither a removal nor a collapsed
    text replaces the stored evidence until ``confirm_removal`` checks agree.
    A new cut of the page (``rescoped``) is committed without an alert, and a
    version whose file went missing is committed again (``rewritten``), or
    alerts ``changed`` when its wording differs from what the database knew.
    """
    facts = circumstances or Circumstances()
    if facts.redirected_to and seen.kind in ANSWERED and facts.has_snapshot \
            and not redirect_keeps_article(facts.requested, facts.redirected_to):
        seen = replace(seen, moved_to=facts.redirected_to)
    decision = replace(_transition(state, seen, confirm_removal, failing_after),
                       moved_to=seen.moved_to)
    without_changed = [e for e in decision.events if e != "changed"]
    if facts.deferred:
        return replace(decision, outcome="deferred")
    if facts.text_missing and seen.kind in ("document", "collapsed") and seen.document:
        if facts.missing_text_same:
            return replace(decision, outcome="rewritten", events=without_changed,
                           reason="snapshot-missing", snapshot_status="")
        return replace(decision, outcome="changed", events=[*without_changed, "changed"],
                       reason="earlier-text-missing", snapshot_status="")
    if (facts.rescoped or facts.extractor_upgraded) and seen.kind in ("document", "collapsed") \
            and decision.outcome in ("changed", "collapsed") and seen.document:
        # What changed is what the user asked to watch, or how monitor reads pages,
        # not the article: commit, no alert. A new cut much shorter than the old one
        # is that cut too, not a collapse to be confirmed.
        reason = None if facts.rescoped else "extractor-upgrade"
        return replace(decision, outcome="rescoped", events=without_changed, reason=reason,
                       snapshot_status="", state=replace(decision.state, collapse_count=0))
    return decision


def _transition(state: State, seen: Observation, confirm_removal: int,
                failing_after: int) -> Decision:
    if seen.kind == "gone" and state.status == "new":
        # Never fetched, and already gone: most often a mistyped URL, which must not
        # sit quietly as "gone" forever. It is a check error, and alerts as failing.
        seen = Observation("error", reason=f"never fetched: {GONE_WORDS[seen.reason or '']}"
                                           " — check the URL")
    if seen.kind == "error":
        failures = state.failure_count + 1
        became_failing = failures >= failing_after and not state.failing
        new = replace(state, failure_count=failures, failing=state.failing or became_failing)
        return Decision(new, "error", ["failing"] if became_failing else [], seen.reason)

    events = ["recovered"] if state.failing else []
    state = replace(state, failure_count=0, failing=False)
    if seen.moved_to:
        events.append("moved")

    if seen.kind == "gone":
        state = replace(state, collapse_count=0)
        if state.status != "ok":  # already removed
            return Decision(replace(state, gone_count=state.gone_count + 1), "gone", events,
                            seen.reason)
        gone = state.gone_count + 1
        if gone >= confirm_removal:
            return Decision(replace(state, status="removed", gone_count=gone), "removed",
                            [*events, "removed"], seen.reason,
                            snapshot_status=f"removed ({seen.reason})")
        return Decision(replace(state, gone_count=gone), "gone", events, seen.reason)

    state = replace(state, gone_count=0)
    if seen.kind == "collapsed" and state.status == "ok":
        count = state.collapse_count + 1
        if count < confirm_removal:
            return Decision(replace(state, collapse_count=count), "collapsed", events,
                            seen.reason)
        return Decision(replace(state, collapse_count=0), "changed", [*events, "changed"],
                        seen.reason, snapshot_status="")
    state = replace(state, collapse_count=0)
    if state.status == "new":
        return Decision(replace(state, status="ok"), "baseline", events, snapshot_status="")
    if state.status == "removed":
        return Decision(replace(state, status="ok"), "restored", [*events, "restored"],
                        snapshot_status="")
    if seen.kind in ("document", "collapsed") and seen.diff is not None:
        return Decision(state, "changed", [*events, "changed"], snapshot_status="")
    if seen.moved_to:
        return Decision(state, "moved", events, snapshot_status="")
    return Decision(state, "unchanged", events)
