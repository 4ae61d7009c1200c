"""What an alert says, the same in every channel, before any markup.

An alert must say at a glance what changed, so every channel shows the same
thing: the event and title, the source and link, the reason, the words removed
and added, and the git revision. ``view`` reads the alert's JSON document once
into an ``AlertView``; the channels only choose markup and a size budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from monitor.core.changes import Change, summary
from monitor.notify.channels.render.text import truncate
from monitor.notify.channels.render.words import Segment, count_changes, word_blocks

EVENT_LABELS = {
    "changed": "Changed", "removed": "Removed", "restored": "Restored", "moved": "Moved",
    "failing": "Failing", "recovered": "Recovered", "digest": "Digest",
}
EVENT_ICONS = {
    "changed": "✏️", "removed": "🗑️", "restored": "♻️", "moved": "➡️",
    "failing": "⚠️", "recovered": "✅", "digest": "📋",
}
#: One colour per event for the services that show one (hex, GitHub's palette).
EVENT_COLOURS = {
    "changed": "#dbab09", "removed": "#cb2431", "restored": "#22863a", "moved": "#0366d6",
    "failing": "#e36209", "recovered": "#22863a", "digest": "#6a737d",
}
REASONS = {
    "gone-404": "404 Not Found", "gone-410": "410 Gone",
    "gone-451": "451 Unavailable For Legal Reasons",
    "redirect-home": "redirects to the site's home or a section page",
    "soft-404": "the page now says it is not found",
    "redirected": "redirects to another article",
}

#: Facts whose values are revision hashes, shown as code.
CODE_FACTS = ("Revision", "Previous", "Reverts to")


@dataclass(frozen=True)
class AlertView:
    """The parts of an alert every channel shows, in plain text, ready for markup."""

    event: str
    label: str
    icon: str
    colour: str
    title: str
    url: str
    source_id: str
    reason: str | None
    facts: list[tuple[str, str]]  # (name, plain value): reason, move, revisions, time
    removed: list[str]
    added: list[str]
    blocks: list[list[Segment]] = field(default_factory=list)  # changed paragraphs
    test: bool = False
    classes: list[str] = field(default_factory=list)  # "Figure changed: 80,000 → 8,000"

    @property
    def headline(self) -> str:
        return f"{self.label}: {self.title}"

    @property
    def pointer(self) -> str:
        """The command that shows the whole change."""
        return f"monitor diff {self.source_id}"

    @property
    def changes(self) -> int:
        return sum(count_changes(block) for block in self.blocks)


def short_revision(revision: str | None) -> str:
    return (revision or "")[:12]


def view(alert: dict[str, Any]) -> AlertView:
    """What to show of one alert (the JSON document of the design)."""
    event = str(alert.get("event") or "changed")
    source_id = str(alert.get("source_id") or "")
    raw_reason = alert.get("reason")
    reason = REASONS.get(raw_reason, raw_reason) if raw_reason else None
    facts: list[tuple[str, str]] = []
    if alert.get("test"):
        facts.append(("Test", "a sample alert sent by monitor test-alert"))
    if reason and event != "moved":
        facts.append(("Reason", str(reason)))
    if alert.get("from_url") or alert.get("to_url"):
        facts.append(("Moved from", str(alert.get("from_url") or "")))
        facts.append(("Moved to", str(alert.get("to_url") or "")))
    if alert.get("revision"):
        facts.append(("Revision", short_revision(alert["revision"])))
        if alert.get("previous_revision") and alert["previous_revision"] != alert["revision"]:
            facts.append(("Previous", short_revision(alert["previous_revision"])))
    if alert.get("reverts_to"):
        facts.append(("Reverts to", short_revision(alert["reverts_to"])))
    if alert.get("detected_at"):
        facts.append(("Detected", _for_people(alert["detected_at"])))
    if alert.get("previous_detected_at"):
        facts.append(("Previous version", _for_people(alert["previous_detected_at"])))
    if alert.get("modified_moved") is not None:
        facts.append(("Page's modified date", "moved" if alert["modified_moved"]
                      else "unchanged"))
    if alert.get("silent"):
        facts.append(("Silent edit", "no correction note, and the page's modified date "
                                     "did not move"))
    changes = [Change.from_dict(c) for c in alert.get("changes") or [] if isinstance(c, dict)]
    diff = alert.get("diff") or {}
    return AlertView(
        event=event, label=EVENT_LABELS.get(event, event.capitalize()),
        icon=EVENT_ICONS.get(event, "🔔"), colour=EVENT_COLOURS.get(event, "#6a737d"),
        title=" ".join(str(alert.get("title") or source_id or "untitled").split()),
        url=str(alert.get("to_url") or alert.get("url") or ""), source_id=source_id,
        reason=str(reason) if reason else None, facts=facts,
        removed=[str(f) for f in diff.get("removed") or []],
        added=[str(f) for f in diff.get("added") or []],
        blocks=word_blocks(diff), test=bool(alert.get("test")),
        classes=_classes(changes))


MAX_CLASSES = 6  # lines of change classes; more are counted


def _classes(changes: list[Change]) -> list[str]:
    lines = list(dict.fromkeys(summary(changes)))  # "Paragraph added" twice is said once
    if len(lines) > MAX_CLASSES:
        lines = [*lines[:MAX_CLASSES - 1], f"…and {len(lines) - MAX_CLASSES + 1} more"]
    return lines


def _for_people(stamp: object) -> str:
    """``2026-11-25T10:00:00Z`` as ``2026-11-25 10:00 UTC``."""
    text = str(stamp)
    if len(text) >= 16 and text[10] == "T" and text.endswith("Z"):
        return f"{text[:10]} {text[11:16]} UTC"
    return text.replace("T", " ").replace("Z", " UTC")


def quoted(fragments: Sequence[str], *, max_items: int = 5, max_chars: int = 60) -> str:
    """``“80,000”, “8,000” and 3 more``: fragments for a one-line summary."""
    shown = [f"“{truncate(' '.join(f.split()), max_chars)}”" for f in fragments[:max_items]]
    text = ", ".join(shown)
    if len(fragments) > max_items:
        text += f" and {len(fragments) - max_items} more"
    return text


def gist(v: AlertView) -> str:
    """One line for notification previews: the headline and the words that changed."""
    parts = [f"{v.icon} {v.headline}"]
    if v.classes:
        parts.append("; ".join(v.classes[:3]))
    elif v.removed:
        parts.append(f"removed {quoted(v.removed, max_items=3)}")
    if v.added and not v.classes:
        parts.append(f"added {quoted(v.added, max_items=3)}")
    if v.reason:
        parts.append(v.reason)
    return " — ".join(parts)


def more_changes(count: int) -> str:
    """The words that end a cut diff; the channel adds the pointer in its markup."""
    return f"…and {count} more change{'' if count == 1 else 's'}"


def html_facts(v: AlertView, escape: Callable[[str], str], link: Callable[[str, str], str],
               *, shorten: Callable[[str, int], str] | None = None,
               skip: Sequence[str] = ()) -> list[str]:
    """The source id and each fact in HTML, for the channels that speak it.

    ``escape`` and ``link`` are the channel's own (Telegram also defuses
    @-mentions); ``shorten`` cuts long values where the service has a limit.
    """
    cut = shorten or (lambda text, _limit: text)
    facts = [f"<code>{escape(v.source_id)}</code>"]
    for name, value in v.facts:
        if name in skip:
            continue
        if name.startswith("Moved"):
            facts.append(f"{escape(name.lower())} {link(value, cut(value, 200))}")
        elif name in CODE_FACTS:
            facts.append(f"{escape(name)} <code>{escape(value)}</code>")
        else:
            facts.append(f"{escape(name)}: {escape(cut(value, 300))}")
    return facts
