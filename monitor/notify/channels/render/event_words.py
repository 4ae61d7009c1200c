"""How each kind of alert is named, marked and coloured, the same in every channel.

An alert's *kind* is its event, except where the reason turns the event
around: a ``delisted`` alert with reason ``reverted`` says the article is
listed again, not delisted, and a held-back ``new`` alert is about articles
waiting, not about one new article. Keyed by kind, every table below gives
such an alert words of its own (``Listed again``), so no reader takes a way
back for the problem itself. Kinds are ``event`` or ``event/reason``.
"""

from __future__ import annotations

from typing import Any

REVERTED = "reverted"
HELD_BACK = "held-back"
#: (event, reason) pairs that are kinds of their own
VARIANTS = frozenset({("new", HELD_BACK), ("delisted", REVERTED), ("noindexed", REVERTED),
                      ("canonical-changed", REVERTED)})

#: Labels in the design's order, which is also a digest's column order.
EVENT_LABELS = {
    "changed": "Changed", "removed": "Removed", "restored": "Restored", "moved": "Moved",
    "failing": "Failing", "recovered": "Recovered",
    "new": "New article", "new/held-back": "New articles waiting",
    "delisted": "Delisted", "delisted/reverted": "Listed again",
    "noindexed": "Noindexed", "noindexed/reverted": "Indexable again",
    "canonical-changed": "Canonical changed", "canonical-changed/reverted": "Canonical restored",
    "digest": "Digest",
}
EVENT_ICONS = {
    "changed": "✏️", "removed": "🗑️", "restored": "♻️", "moved": "➡️",
    "failing": "⚠️", "recovered": "✅", "new": "🆕", "new/held-back": "⏳",
    "delisted": "📤", "delisted/reverted": "📥", "noindexed": "🙈",
    "noindexed/reverted": "🔍", "canonical-changed": "🔗", "canonical-changed/reverted": "🔗",
    "digest": "📋",
}
#: One colour per kind for the services that show one (hex, GitHub's palette):
#: red for what hides an article, orange for a warning, green for a way back.
EVENT_COLOURS = {
    "changed": "#dbab09", "removed": "#cb2431", "restored": "#22863a", "moved": "#0366d6",
    "failing": "#e36209", "recovered": "#22863a", "new": "#6f42c1",
    "new/held-back": "#6a737d", "delisted": "#e36209", "delisted/reverted": "#22863a",
    "noindexed": "#cb2431", "noindexed/reverted": "#22863a",
    "canonical-changed": "#e36209", "canonical-changed/reverted": "#22863a",
    "digest": "#6a737d",
}
#: What the quoted text (``excerpt``) is, by event
EXCERPT_LABELS = {"removed": "Last text seen", "new": "Opening text",
                  "delisted": "Text as last checked"}
#: Where a noindex came from (``noindex_source``), in words
NOINDEX_SOURCES = {"meta": "the page's robots meta tag", "header": "the X-Robots-Tag header"}
#: Facts whose values are addresses, which channels show as links
URL_FACTS = ("Moved from", "Moved to", "Canonical was", "Canonical now")


def alert_kind(alert: dict[str, Any]) -> str:
    """``delisted/reverted`` for a delisting undone; the event for everything else."""
    event = str(alert.get("event") or "changed")
    reason = str(alert.get("reason") or "")
    return f"{event}/{reason}" if (event, reason) in VARIANTS else event


def kind_label(kind: str) -> str:
    """The label of a kind; an unknown event's own name, capitalised."""
    return EVENT_LABELS.get(kind) or EVENT_LABELS.get(kind.split("/")[0]) or kind.capitalize()


def waiting_label(count: object) -> str:
    """A held-back ``new`` alert's label: one alert about the articles that wait."""
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        return f"{count} new article{'' if count == 1 else 's'} waiting"
    return EVENT_LABELS["new/held-back"]


def by_kind(table: dict[str, str], kind: str, default: str) -> str:
    """A channel's own value for a kind: the kind's, else its event's, else ``default``."""
    return table.get(kind) or table.get(kind.split("/")[0]) or default
