"""What an alert says, the same in every channel, before any markup.

An alert must say at a glance what changed, so every channel shows the same
thing: the event and title (or the source's name), the source and link, the
reason in words, the words removed and added, the times for people, the link
into the web view ("see the change", when ``settings.web.base_url`` is set), and
in a footer the git revisions and the ``monitor diff`` command. ``view`` reads the
alert's JSON document once into an ``AlertView``; the channels only choose
markup and a size budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from monitor.core.changes import Change, summary
from monitor.core.people_time import for_people
from monitor.core.reasons import reason_text
from monitor.notify.channels.render.event_words import (
    EVENT_COLOURS,
    EVENT_ICONS,
    EXCERPT_LABELS,
    HELD_BACK,
    NOINDEX_SOURCES,
    REVERTED,
    URL_FACTS,
    alert_kind,
    by_kind,
    kind_label,
    waiting_label,
)
from monitor.notify.channels.render.text import truncate
from monitor.notify.channels.render.words import Segment, count_changes, word_blocks

#: Short words for reason codes, for alerts kept from before ``reason_text`` existed.
REASONS = {
    "gone-404": "404 Not Found", "gone-410": "410 Gone",
    "gone-451": "451 Unavailable For Legal Reasons",
    "redirect-home": "redirects to the site's home or a section page",
    "soft-404": "the page now says it is not found",
    "redirected": "redirects to another article",
}

#: events whose reason is worth a line even without a code
SAID_EVENTS = ("removed", "failing", "delisted", "noindexed", "canonical-changed")
#: Footer items whose values are revision hashes or commands, shown as code.
CODE_FACTS = ("Revision", "Previous", "Reverts to", "Full diff")
TEST_MARK = "[TEST]"
#: The words of the web view's link: the change's diff page, else the source's timeline.
DIFF_LINK_TEXT = "see the change"
SOURCE_LINK_TEXT = "see its history"


@dataclass(frozen=True)
class AlertView:
    """The parts of an alert every channel shows, in plain text, ready for markup.

    ``facts`` and ``notes`` are for people and go in the body; ``footer`` holds
    what is for tools (git revisions, the ``monitor diff`` command), which each
    channel shows small, at the end.
    """

    event: str
    label: str  # "Changed"; "[TEST] Changed" for a sample alert
    icon: str
    colour: str
    title: str  # the page's title
    url: str
    source_id: str
    reason: str | None  # in words
    facts: list[tuple[str, str]]  # (name, plain value): reason, move, times
    removed: list[str]
    added: list[str]
    blocks: list[list[Segment]] = field(default_factory=list)  # changed paragraphs
    test: bool = False
    classes: list[str] = field(default_factory=list)  # "Figure changed: 80,000 → 8,000"
    name: str | None = None  # the source's own name, shown instead of the title in headings
    notes: list[str] = field(default_factory=list)  # sentences: the page's clock, silent edit
    footer: list[tuple[str, str]] = field(default_factory=list)  # (name, code value)
    excerpt: str = ""  # removed, delisted: the last text seen; new: its opening
    kind: str = ""  # the event, or event/reason where the reason turns it around
    review: tuple[str, str] | None = None  # (words, URL): the web view's page of it

    @property
    def excerpt_label(self) -> str:
        """What the quoted text is: a removal's last text, a new article's opening."""
        return EXCERPT_LABELS.get(self.event, "Text")

    @property
    def heading(self) -> str:
        """What names the page in subjects and headers: the source's name, else the title."""
        return self.name or self.title

    @property
    def headline(self) -> str:
        return f"{self.label}: {self.heading}"

    @property
    def pointer(self) -> str:
        """The command that shows the whole change."""
        return f"monitor diff {self.source_id}"

    @property
    def changes(self) -> int:
        return sum(count_changes(block) for block in self.blocks)

    def footer_text(self, code: Callable[[str], str] = lambda text: text,
                    escape: Callable[[str], str] = lambda text: text) -> str:
        """The footer in one line, ``code`` wrapping each hash or command."""
        return " · ".join(f"{escape(name)} {code(value)}" for name, value in self.footer)


def short_revision(revision: str | None) -> str:
    return (revision or "")[:12]


def view(alert: dict[str, Any]) -> AlertView:
    """What to show of one alert (the JSON document of the design)."""
    event = str(alert.get("event") or "changed")
    source_id = str(alert.get("source_id") or "")
    test = bool(alert.get("test"))
    kind = alert_kind(alert)
    reason = _reason(alert, event)
    label = waiting_label(alert.get("count")) if kind == f"new/{HELD_BACK}" else kind_label(kind)
    changes = [Change.from_dict(c) for c in alert.get("changes") or [] if isinstance(c, dict)]
    diff = alert.get("diff") or {}
    blocks = word_blocks(diff)
    name = " ".join(str(alert.get("name") or "").split()) or None
    return AlertView(
        event=event, label=f"{TEST_MARK} {label}" if test else label,
        icon=by_kind(EVENT_ICONS, kind, "🔔"), colour=by_kind(EVENT_COLOURS, kind, "#6a737d"),
        title=" ".join(str(alert.get("title") or source_id or "untitled").split()),
        url=page_url(alert), source_id=source_id,
        reason=reason, facts=_facts(alert, event, reason),
        removed=[str(f) for f in diff.get("removed") or []],
        added=[str(f) for f in diff.get("added") or []],
        blocks=blocks, test=test, classes=_classes(changes), name=name,
        notes=_notes(alert), footer=_footer(alert, source_id, bool(blocks) and not test),
        excerpt=str(alert.get("excerpt") or ""), kind=kind, review=review_link(alert))


def review_link(alert: dict[str, Any]) -> tuple[str, str] | None:
    """The alert's link into the web view, with its words: ``links.diff`` as "see the
    change", else ``links.source`` (the timeline); None without one (no ``base_url``)."""
    links = alert.get("links")
    if not isinstance(links, dict):
        return None
    for key, words in (("diff", DIFF_LINK_TEXT), ("source", SOURCE_LINK_TEXT)):
        url = str(links.get(key) or "")
        if url.startswith(("http://", "https://")):
            return words, url
    return None


def page_url(alert: dict[str, Any]) -> str:
    """The page an alert links to: where a moved article is now, else the page itself.

    A ``canonical-changed`` alert's ``to_url`` is the canonical it names, not the page.
    """
    if alert.get("event") == "moved" and alert.get("to_url"):
        return str(alert["to_url"])
    return str(alert.get("url") or alert.get("to_url") or "")


def _reason(alert: dict[str, Any], event: str) -> str | None:
    """The reason in words, where it says more than the headline already does."""
    code = alert.get("reason")
    if event in ("moved", "restored", "recovered") or (
            event == "changed" and not code and not alert.get("reverts_to")) or (
            event == "new" and not code):  # "New article" and its listing say it all
        return None
    text = alert.get("reason_text")
    if text:
        return str(text)
    if event in SAID_EVENTS or code:
        return reason_text(event, str(code) if code else None, count=alert.get("count"),
                           reverts_to=alert.get("reverts_to"), to_url=alert.get("to_url"))
    return None


def _facts(alert: dict[str, Any], event: str, reason: str | None) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    if alert.get("test"):
        facts.append(("Test", "a sample alert sent by monitor test-alert, not a real change"))
    if reason:
        facts.append(("Reason", reason))
    facts += _event_facts(alert, event)
    if alert.get("detected_at"):
        facts.append(("Detected", for_people(alert["detected_at"])))
    if alert.get("previous_detected_at"):
        facts.append(("Previous version", for_people(alert["previous_detected_at"])))
    if alert.get("last_seen_at"):
        facts.append(("Last seen online", for_people(alert["last_seen_at"])))
    return facts


def _event_facts(alert: dict[str, Any], event: str) -> list[tuple[str, str]]:
    """What only some events carry: the listing, the noindex's place, the two addresses."""
    facts: list[tuple[str, str]] = []
    listing = str(alert.get("listing_id") or "")
    if event in ("new", "delisted") and listing and listing != alert.get("source_id"):
        facts.append(("Listing", listing))
    if event == "new" and alert.get("reason") == HELD_BACK and alert.get("count") is not None:
        count = alert["count"]
        facts.append(("Waiting", f"{count} article{'' if count == 1 else 's'}"))
    if event == "noindexed" and alert.get("noindex_source"):
        place = str(alert["noindex_source"])
        name = "Noindex was from" if alert.get("reason") == REVERTED else "Noindex from"
        facts.append((name, NOINDEX_SOURCES.get(place, place)))
    if alert.get("from_url") or alert.get("to_url"):
        was, now = ("Canonical was", "Canonical now") if event == "canonical-changed" else (
            "Moved from", "Moved to")
        facts.append((was, str(alert.get("from_url") or "")))
        facts.append((now, str(alert.get("to_url") or "")))
    return facts


def _notes(alert: dict[str, Any]) -> list[str]:
    if alert.get("silent"):
        return ["Silent edit: no correction or update note, and the page's own "
                "last-modified date did not move"]
    if alert.get("modified_moved") is True:
        return ["The page's own last-modified date moved"]
    if alert.get("modified_moved") is False:
        return ["The page's own last-modified date did not move"]
    return []


def _footer(alert: dict[str, Any], source_id: str, has_diff: bool) -> list[tuple[str, str]]:
    """Revisions and the command that shows the change (a sample has nothing to show)."""
    items: list[tuple[str, str]] = []
    if alert.get("revision"):
        items.append(("Revision", short_revision(alert["revision"])))
        if alert.get("previous_revision") and alert["previous_revision"] != alert["revision"]:
            items.append(("Previous", short_revision(alert["previous_revision"])))
    if alert.get("reverts_to"):
        items.append(("Reverts to", short_revision(alert["reverts_to"])))
    if has_diff and source_id:
        items.append(("Full diff", f"monitor diff {source_id}"))
    return items


MAX_CLASSES = 6  # lines of change classes; more are counted


def _classes(changes: list[Change]) -> list[str]:
    lines = list(dict.fromkeys(summary(changes)))  # "Paragraph added" twice is said once
    if len(lines) > MAX_CLASSES:
        lines = [*lines[:MAX_CLASSES - 1], f"…and {len(lines) - MAX_CLASSES + 1} more"]
    return lines


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
        if name in URL_FACTS:
            facts.append(f"{escape(name.lower())} {link(value, cut(value, 200))}")
        elif name in CODE_FACTS:
            facts.append(f"{escape(name)} <code>{escape(value)}</code>")
        else:
            facts.append(f"{escape(name)}: {escape(cut(value, 300))}")
    return facts
