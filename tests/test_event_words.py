"""render/event_words.py: each kind of alert has its words, icon and colour; none is missing."""

from __future__ import annotations

import pytest

from monitor.core.events import ALERT_EVENTS
from monitor.notify.channels import apprise, teams
from monitor.notify.channels.render import event_words as w
from testing.discovery_alerts import every_kind

KINDS = [*(str(e) for e in ALERT_EVENTS), *(f"{e}/{r}" for e, r in w.VARIANTS), "digest"]


def test_every_event_and_variant_has_a_label_an_icon_and_a_colour() -> None:
    for table in (w.EVENT_LABELS, w.EVENT_ICONS, w.EVENT_COLOURS):
        assert set(table) == set(KINDS)
    assert all(colour.startswith("#") and len(colour) == 7 for colour in w.EVENT_COLOURS.values())


def test_the_channels_own_tables_know_every_event() -> None:
    for event in ALERT_EVENTS:
        assert event in apprise.NOTIFY_TYPES and event in teams.COLOURS
    assert set(apprise.NOTIFY_TYPES.values()) <= {"info", "success", "warning", "failure"}
    assert set(teams.COLOURS.values()) <= {"Default", "Dark", "Light", "Accent", "Good",
                                           "Warning", "Attention"}


def test_a_way_back_is_a_kind_of_its_own_and_reads_as_one() -> None:
    alerts = every_kind()
    assert {kind: w.alert_kind(alert) for kind, alert in alerts.items()} == {
        kind: kind for kind in alerts}
    assert [w.kind_label(k) for k in alerts] == [
        "New article", "New articles waiting", "Delisted", "Listed again", "Noindexed",
        "Indexable again", "Canonical changed", "Canonical restored"]
    for kind in ("delisted/reverted", "noindexed/reverted", "canonical-changed/reverted"):
        assert w.EVENT_COLOURS[kind] == w.EVENT_COLOURS["restored"]  # green: the way back
        assert apprise.notify_type(alerts[kind]) == "success" and teams.COLOURS[kind] == "Good"
    # A reason that is no variant keeps the event's own kind.
    assert w.alert_kind({"event": "removed", "reason": "reverted"}) == "removed"
    assert w.alert_kind({"event": "new", "reason": "gone-404"}) == "new"


@pytest.mark.parametrize(("count", "label"), [(7, "7 new articles waiting"),
                                              (1, "1 new article waiting"),
                                              (None, "New articles waiting"),
                                              ("many", "New articles waiting")])
def test_a_held_back_label_counts_the_waiting_articles(count: object, label: str) -> None:
    assert w.waiting_label(count) == label


def test_an_unknown_event_or_variant_falls_back_instead_of_failing() -> None:
    assert w.kind_label("archived") == "Archived"
    assert w.kind_label("archived/reverted") == "Archived/reverted"
    assert w.by_kind(w.EVENT_ICONS, "archived", "🔔") == "🔔"
    assert w.by_kind(teams.COLOURS, "new/unheard-of", "Default") == "Accent"  # the event's
    assert apprise.notify_type({"event": "archived"}) == "info"
