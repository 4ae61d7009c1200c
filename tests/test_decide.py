"""The state machine: every transition, from a State, an Observation and Circumstances."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.core.classify import Observation
from monitor.core.decide import Circumstances, State, decide
from monitor.core.diff import diff_documents
from monitor.core.document import Document

LIMITS = {"confirm_removal": 2, "failing_after": 3}
DOC = Observation("document", document=Document(title="t", paragraphs=("p",)))
GONE = Observation("gone", reason="gone-404")
ERROR = Observation("error", reason="HTTP 503")


def run(states: list[Observation], state: State | None = None) -> list[tuple[str, list[str]]]:
    state = state or State()
    seen = []
    for observation in states:
        decision = decide(state, observation, **LIMITS)
        state = decision.state
        seen.append((decision.outcome, decision.events))
    return seen


def test_first_check_is_a_baseline_without_alert() -> None:
    assert run([DOC]) == [("baseline", [])]


def test_unchanged_then_changed() -> None:
    changed = Observation("document", document=DOC.document,
                          diff=diff_documents(Document(paragraphs=("a",)),
                                              Document(paragraphs=("b",))))
    assert run([DOC, Observation("unchanged"), changed]) == [
        ("baseline", []), ("unchanged", []), ("changed", ["changed"])]


def test_removal_needs_two_consecutive_gone_checks_and_alerts_once() -> None:
    assert run([DOC, GONE, GONE, GONE]) == [
        ("baseline", []), ("gone", []), ("removed", ["removed"]), ("gone", [])]


def test_a_good_check_between_gone_checks_resets_the_count() -> None:
    assert run([DOC, GONE, DOC, GONE]) == [
        ("baseline", []), ("gone", []), ("unchanged", []), ("gone", [])]


@pytest.mark.parametrize("reason", ["HTTP 503", "no complete answer within 30s",
                                    "cannot connect", "blocked: HTTP 403 (not a removal)"])
def test_transient_failures_are_never_a_removal(reason: str) -> None:
    error = Observation("error", reason=reason)
    outcomes = run([DOC, error, error, error, error, error])
    assert all(outcome != "removed" for outcome, _ in outcomes)
    assert [events for _, events in outcomes] == [[], [], [], ["failing"], [], []]


def test_recovered_after_failing_then_back_to_normal() -> None:
    assert run([DOC, ERROR, ERROR, ERROR, DOC, DOC]) == [
        ("baseline", []), ("error", []), ("error", []), ("error", ["failing"]),
        ("unchanged", ["recovered"]), ("unchanged", [])]


def test_restored_after_removal() -> None:
    outcomes = run([DOC, GONE, GONE, DOC, DOC])
    assert outcomes[3] == ("restored", ["restored"])
    assert outcomes[4] == ("unchanged", [])


def test_removal_writes_a_status_into_the_snapshot() -> None:
    decision = decide(State(status="ok", gone_count=1), GONE, **LIMITS)
    assert decision.snapshot_status == "removed (gone-404)"
    assert decision.reason == "gone-404"


def test_gone_before_any_baseline_is_a_check_error_that_alerts_failing() -> None:
    """A URL that was never fetched and is already gone is most often mistyped."""
    assert run([GONE, GONE, GONE, DOC]) == [
        ("error", []), ("error", []), ("error", ["failing"]), ("baseline", ["recovered"])]
    decision = decide(State(), Observation("gone", reason="soft-404"), **LIMITS)
    assert decision.reason == "never fetched: the page says it is not found — check the URL"


COLLAPSED = Observation("collapsed", reason="collapsed",
                        document=Document(title="t", paragraphs=("stub",)),
                        diff=diff_documents(Document(paragraphs=("long",)),
                                            Document(paragraphs=("stub",))))


def test_collapse_is_confirmed_like_a_removal() -> None:
    assert run([DOC, COLLAPSED, COLLAPSED, Observation("unchanged")]) == [
        ("baseline", []), ("collapsed", []), ("changed", ["changed"]), ("unchanged", [])]


def test_a_collapse_between_good_checks_alerts_nothing() -> None:
    assert run([DOC, COLLAPSED, DOC, COLLAPSED]) == [
        ("baseline", []), ("collapsed", []), ("unchanged", []), ("collapsed", [])]


def test_moved_commits_and_alerts_once() -> None:
    moved = Observation("unchanged", moved_to="https://e.org/new")
    decision = decide(State(status="ok"), moved, **LIMITS)
    assert (decision.outcome, decision.events, decision.snapshot_status) == (
        "moved", ["moved"], "")


# Property: no sequence of transient failures (and good checks) ever yields `removed`.
observations = st.sampled_from([
    DOC, Observation("unchanged"), ERROR, Observation("error", reason="timed out"),
    Observation("error", reason="blocked: HTTP 429 (not a removal)"),
])


@given(st.lists(observations, max_size=40), st.integers(1, 5), st.integers(1, 5))
def test_transient_failures_never_make_a_removal(seen: list[Observation], confirm: int,
                                                 failing_after: int) -> None:
    state = State()
    failing = False
    for observation in seen:
        decision = decide(state, observation, confirm_removal=confirm,
                          failing_after=failing_after)
        assert "removed" not in decision.events and decision.outcome != "removed"
        assert decision.state.status != "removed"
        # failing and recovered alternate: one alert per transition
        if "failing" in decision.events:
            assert not failing
            failing = True
        if "recovered" in decision.events:
            assert failing
            failing = False
        state = decision.state


@given(st.lists(st.sampled_from([DOC, GONE, ERROR, COLLAPSED]), max_size=40))
def test_removed_and_restored_alternate(seen: list[Observation]) -> None:
    state = State()
    removed = False
    for observation in seen:
        decision = decide(state, observation, **LIMITS)
        if "removed" in decision.events:
            assert not removed
            removed = True
        if "restored" in decision.events:
            assert removed
            removed = False
        state = decision.state


CHANGED = Observation("document", document=DOC.document,
                      diff=diff_documents(Document(paragraphs=("a",)), Document(paragraphs=("b",))))


def test_a_redirect_to_another_article_is_a_move_found_here() -> None:
    elsewhere = Circumstances(has_snapshot=True, requested="https://e.org/news/report",
                              redirected_to="https://e.org/world/the-story-moved")
    decision = decide(State(status="ok"), Observation("unchanged"), **LIMITS,
                      circumstances=elsewhere)
    assert (decision.outcome, decision.events) == ("moved", ["moved"])
    assert decision.moved_to == "https://e.org/world/the-story-moved"
    same = Circumstances(has_snapshot=True, requested="http://e.org/news/report",
                         redirected_to="https://www.e.org/news/report/")
    assert decide(State(status="ok"), Observation("unchanged"), **LIMITS,
                  circumstances=same).outcome == "unchanged"
    unstored = Circumstances(requested=elsewhere.requested,
                             redirected_to=elsewhere.redirected_to)
    assert decide(State(), DOC, **LIMITS, circumstances=unstored).moved_to is None
    assert decide(State(status="ok"), GONE, **LIMITS, circumstances=elsewhere).moved_to is None


def test_a_new_cut_of_the_page_is_committed_without_an_alert() -> None:
    rescoped = Circumstances(has_snapshot=True, rescoped=True)
    decision = decide(State(status="ok"), CHANGED, **LIMITS, circumstances=rescoped)
    assert (decision.outcome, decision.events, decision.snapshot_status) == (
        "rescoped", [], "")
    # A rescope never hides a removal or a restore.
    assert decide(State(status="ok", gone_count=1), GONE, **LIMITS,
                  circumstances=rescoped).events == ["removed"]
    assert decide(State(status="removed"), CHANGED, **LIMITS,
                  circumstances=rescoped).events == ["restored"]


def test_a_new_extractor_recuts_quietly_and_says_why() -> None:
    upgraded = Circumstances(has_snapshot=True, extractor_upgraded=True)
    decision = decide(State(status="ok"), CHANGED, **LIMITS, circumstances=upgraded)
    assert (decision.outcome, decision.events, decision.reason, decision.snapshot_status) == (
        "rescoped", [], "extractor-upgrade", "")
    assert decide(State(status="ok", failing=True), CHANGED, **LIMITS,
                  circumstances=upgraded).events == ["recovered"]
    assert decide(State(status="ok", gone_count=1), GONE, **LIMITS,
                  circumstances=upgraded).events == ["removed"]
    # A new cut much shorter than the old is that cut, not a collapse to confirm.
    shorter = decide(State(status="ok"), COLLAPSED, **LIMITS, circumstances=upgraded)
    assert (shorter.outcome, shorter.events, shorter.snapshot_status) == ("rescoped", [], "")
    assert shorter.state.collapse_count == 0
    # New rules and a new extractor at once: the rules are the user's, said as before.
    both = Circumstances(has_snapshot=True, rescoped=True, extractor_upgraded=True)
    assert decide(State(status="ok"), CHANGED, **LIMITS, circumstances=both).reason is None


def test_a_missing_snapshot_file_is_written_again_or_alerts_when_the_text_moved_on() -> None:
    same = Circumstances(text_missing=True, missing_text_same=True)
    rewritten = decide(State(status="ok"), DOC, **LIMITS, circumstances=same)
    assert (rewritten.outcome, rewritten.events, rewritten.reason,
            rewritten.snapshot_status) == ("rewritten", [], "snapshot-missing", "")
    other = Circumstances(text_missing=True)
    changed = decide(State(status="ok"), DOC, **LIMITS, circumstances=other)
    assert (changed.outcome, changed.events, changed.reason) == (
        "changed", ["changed"], "earlier-text-missing")
    assert decide(State(status="ok"), ERROR, **LIMITS, circumstances=other).outcome == "error"


def test_a_deferred_check_counts_toward_failing_but_says_deferred() -> None:
    waiting = Observation("error", reason="deferred: the server asked to wait")
    state = State(status="ok")
    outcomes = []
    for _ in range(3):
        decision = decide(state, waiting, **LIMITS, circumstances=Circumstances(deferred=True))
        outcomes.append((decision.outcome, decision.events))
        state = decision.state
    assert outcomes == [("deferred", []), ("deferred", []), ("deferred", ["failing"])]
