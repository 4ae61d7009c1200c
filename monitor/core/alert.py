"""The alert: a typed, frozen value, built in one place by checks and recovery alike.

It becomes the alert JSON of DESIGN.md (``to_json``) only where it leaves the
pipeline: the outbox, the alert files and the channels. The rules of what an
alert carries live in ``make_alert``: which events name a reason, which carry
a diff, which name the revision before them, and which link the web view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from monitor.core.changes import Change, is_silent
from monitor.core.diff import Diff
from monitor.core.document import Document
from monitor.core.events import COMMIT_EVENTS, DIFF_EVENTS, Event
from monitor.core.excerpt import excerpt
from monitor.core.model import Source
from monitor.core.reasons import reason_text
from monitor.core.safe_text import strip_controls

#: events whose alert says why (the check's reason: gone-404, a server's error, ...)
REASON_EVENTS = frozenset({Event.CHANGED, Event.REMOVED, Event.FAILING, Event.NEW,
                           Event.DELISTED, Event.NOINDEXED, Event.CANONICAL_CHANGED})
#: events whose alert names two addresses (``from_url``, ``to_url``)
URL_EVENTS = frozenset({Event.MOVED, Event.CANONICAL_CHANGED})
#: events whose alert quotes the page (``excerpt``)
EXCERPT_EVENTS = frozenset({Event.REMOVED, Event.NEW, Event.DELISTED})
MOVED_REASON = "redirected"


@dataclass(frozen=True)
class Alert:
    id: str
    event: Event
    source_id: str
    url: str  # shown form: ${NAME} where the configured URL holds a secret
    title: str
    detected_at: str
    revision: str | None = None
    previous_revision: str | None = None
    reason: str | None = None
    diff: Diff | None = None
    tags: tuple[str, ...] = ()
    from_url: str | None = None  # moved: where the article was, and where it is now
    to_url: str | None = None
    reverts_to: str | None = None  # changed back to the wording of this earlier revision
    count: int | None = None  # changing-constantly: changes within the window
    test: bool = False  # sent by `monitor test-alert`
    rebuilt_from_git: bool = False  # known from commit trailers after a state rebuild
    changes: tuple[Change, ...] = ()  # changed: each changed thing as a field and a kind
    silent: bool | None = None  # changed: no correction note, the modified date unmoved
    previous_detected_at: str | None = None  # changed: when the version before was captured
    modified_moved: bool | None = None  # changed: whether the page's modified date moved
    # (service, revision, url): mementos of earlier versions in web archives
    archive_urls: tuple[tuple[str, str, str], ...] = ()
    name: str | None = None  # the source's own name, shown instead of the page's title
    excerpt: str | None = None  # removed: the last text seen (title, lede, first paragraphs)
    last_seen_at: str | None = None  # removed: when the page was last seen online
    listing_id: str | None = None  # new, delisted: the listing that named the article
    noindex_source: str | None = None  # noindexed: "meta" or "header"
    # settings.web.base_url ("": no web view): where ``links`` point; not in the JSON itself
    base_url: str = ""

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """(name, URL) in the web view: ``diff`` (the change, on an event that carries
        one and names its commit) and ``source`` (its timeline), or none without a base_url.

        Built from the revision as it is when asked, so that the alert of a commit
        links the commit that ``committed_as`` named, not the one before it.
        """
        return web_links(self.base_url, self.event, self.source_id, self.revision)

    @property
    def reason_text(self) -> str:
        """The reason in words (``reason`` is the code): for every event."""
        return reason_text(self.event, self.reason, count=self.count,
                           reverts_to=self.reverts_to, to_url=self.to_url)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(change.kind for change in self.changes)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(change.field for change in self.changes)

    @property
    def changed_words(self) -> int:
        """Words added and removed, for a channel's ``min_change``."""
        if self.diff is None:
            return 0
        return sum(len(fragment.split()) for fragment in (*self.diff.added, *self.diff.removed))

    def committed_as(self, revision: str, reverts_to: str | None = None) -> Alert:
        """The alert of a commit event, naming the commit that holds its snapshot.

        Other events (failing, recovered) keep the revision they were raised at.
        """
        if self.event not in COMMIT_EVENTS:
            return self
        return replace(self, revision=revision, reverts_to=reverts_to or self.reverts_to)

    def to_json(self) -> dict[str, Any]:
        """The alert JSON document (DESIGN.md); optional keys only when they apply."""
        body: dict[str, Any] = {
            "id": self.id, "event": str(self.event), "reason": self.reason,
            "source_id": self.source_id, "url": self.url, "title": self.title,
            "detected_at": self.detected_at, "revision": self.revision,
            "previous_revision": self.previous_revision,
            "diff": self.diff.as_dict() if self.diff else None, "tags": list(self.tags),
        }
        if self.event in URL_EVENTS:
            body.update(from_url=self.from_url, to_url=self.to_url)
        if self.event == Event.CHANGED:
            body["changes"] = [change.as_dict() for change in self.changes]
        optional = {"reverts_to": self.reverts_to, "count": self.count,
                    "test": self.test or None, "rebuilt_from_git": self.rebuilt_from_git or None,
                    "silent": self.silent, "previous_detected_at": self.previous_detected_at,
                    "modified_moved": self.modified_moved, "name": self.name,
                    "excerpt": self.excerpt, "last_seen_at": self.last_seen_at,
                    "listing_id": self.listing_id, "noindex_source": self.noindex_source}
        body.update({key: value for key, value in optional.items() if value is not None})
        body["reason_text"] = self.reason_text
        if self.archive_urls:
            body["archive_urls"] = [{"service": service, "revision": revision, "url": url}
                                    for service, revision, url in self.archive_urls]
        if self.links:
            body["links"] = dict(self.links)
        return body


def web_links(base_url: str, event: Event, source_id: str,
              revision: str | None) -> tuple[tuple[str, str], ...]:
    """``diff``: ``<base_url>/sources/<id>/diff/<rev>`` for a changed or restored alert that
    names its commit; ``source``: ``<base_url>/sources/<id>``, the source's timeline."""
    base = base_url.rstrip("/")
    if not base or not source_id:
        return ()
    source = f"{base}/sources/{quote(source_id, safe='')}"
    links: list[tuple[str, str]] = []
    if event in DIFF_EVENTS and revision:
        links.append(("diff", f"{source}/diff/{quote(revision, safe='')}"))
    links.append(("source", source))
    return tuple(links)


def make_alert(event: Event | str, *, alert_id: str, source: Source, title: str,
               detected_at: str, revision: str | None, previous_revision: str | None = None,
               reason: str | None = None, diff: Diff | None = None,
               moved: tuple[str, str] | None = None,
               modified: tuple[str | None, str] | None = None,
               previous_detected_at: str | None = None,
               archive_urls: tuple[tuple[str, str, str], ...] = (),
               last_text: Document | None = None, last_seen_at: str | None = None,
               count: int | None = None, listing_id: str | None = None,
               noindex_source: str | None = None, base_url: str = "") -> Alert:
    """The alert of one event. ``reason`` is the check's; the event decides if it is kept.

    ``moved`` is (from, to) for a ``moved`` event, both as requested: they are
    kept in their shown form, like every URL an alert carries. ``modified`` is
    the page's modified date (at the version before, now); None before: unknown.
    ``last_text`` and ``last_seen_at`` are what a removal says of the page before it
    went: its text as last stored, and when a check last found it online; a new or
    delisted article quotes it too. ``moved`` also carries a ``canonical-changed``
    alert's (page, canonical) and ``count`` a held-back ``new`` alert's queue.
    ``base_url`` is ``settings.web.base_url``: with it the alert links the web view.
    """
    event = Event(event)
    from_url, to_url = moved if event in URL_EVENTS and moved else (None, None)
    changes: tuple[Change, ...] = ()
    silent = moved_date = None
    if event == Event.CHANGED and diff is not None:
        changes = diff.changes
        if modified is not None and modified[0] is not None:
            before, after = modified
            moved_date = before != after
            # A page without a publication date gives its modified date as the date: that
            # is the page's clock too, said once, as the modified date.
            changes = tuple(c for c in changes if not (
                c.field == "published" and moved_date and c.before and c.after
                and c.before in (before or "") and c.after in after))
            if moved_date and changes:  # the page's clock: beside a change, never alone
                changes = (*changes, Change("modified", "figure", before or None,
                                            after or None))
        silent = is_silent(changes, moved_date)
    return Alert(
        id=alert_id, event=event, source_id=source.id, url=source.shown(source.url),
        title=strip_controls(title), detected_at=detected_at, revision=revision,
        previous_revision=previous_revision if event in COMMIT_EVENTS else None,
        reason=MOVED_REASON if event == Event.MOVED else
        reason if event in REASON_EVENTS else None,
        diff=diff if event in DIFF_EVENTS else None, tags=tuple(source.tags),
        from_url=source.shown(from_url) if from_url else None,
        to_url=source.shown(to_url) if to_url else None, changes=changes, silent=silent,
        previous_detected_at=previous_detected_at if event == Event.CHANGED else None,
        modified_moved=moved_date, archive_urls=archive_urls,
        name=strip_controls(source.name) if source.name else None,
        excerpt=(excerpt(last_text) or None) if event in EXCERPT_EVENTS and last_text else None,
        last_seen_at=last_seen_at if event in (Event.REMOVED, Event.DELISTED) else None,
        count=count, listing_id=listing_id or source.listing if event in (
            Event.NEW, Event.DELISTED) else None,
        noindex_source=noindex_source if event == Event.NOINDEXED else None,
        base_url=base_url.rstrip("/"))
