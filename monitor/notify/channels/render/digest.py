"""Digests: many alerts as one row per source, and the tables that show them.

A digest window can hold hundreds of alerts from a site-wide change; one row
per source with its events counted is what a reader can take in, and the
channels cut the rows, never a row, to fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.core.timestamps import STAMP
from monitor.notify.channels.render.alert_view import SOURCE_LINK_TEXT, page_url, review_link
from monitor.notify.channels.render.event_words import EVENT_LABELS, alert_kind, kind_label
from monitor.notify.channels.render.text import escape_html

CHAT_DIGEST_ROWS = 50  # sources listed in a chat digest; the rest are counted


@dataclass
class DigestRow:
    """One source in a digest: its events (in order, with counts) and latest title.

    ``counts`` is by kind (``delisted/reverted`` apart from ``delisted``), so that a
    way back is never counted as the problem it ends.
    """

    source_id: str
    title: str
    url: str
    counts: dict[str, int] = field(default_factory=dict)
    words: int = 0  # words added + removed across its changes
    silent: int = 0  # its changes that no correction note or modified date announced
    # (words, URL) in the web view: one alert's own page ("see the change"); several
    # alerts of the source: its timeline
    review: tuple[str, str] | None = None

    def events_text(self) -> str:
        text = ", ".join(f"{column(kind)} ×{n}" if n > 1 else column(kind)
                         for kind, n in self.counts.items())
        return f"{text} (silent)" if self.silent else text


@dataclass(frozen=True)
class DigestView:
    rows: list[DigestRow]
    events: list[str]  # the columns: kinds that occur, in the design's order
    alerts: int
    period: str

    @property
    def headline(self) -> str:
        sources = len(self.rows)
        return (f"Digest: {self.alerts} alert{'' if self.alerts == 1 else 's'} from {sources} "
                f"source{'' if sources == 1 else 's'}")


def digest_view(digest: dict[str, Any]) -> DigestView:
    """A digest (``{"id", "event": "digest", "alerts", "since", "until"}``) as rows."""
    rows: dict[str, DigestRow] = {}
    for alert in digest.get("alerts") or []:
        source_id = str(alert.get("source_id") or "")
        row = rows.get(source_id)
        if row is None:
            row = rows[source_id] = DigestRow(source_id, "", "")
        row.title = " ".join(str(alert.get("name") or alert.get("title") or row.title
                                 or source_id).split())
        row.url = page_url(alert) or row.url
        kind = alert_kind(alert)
        row.counts[kind] = row.counts.get(kind, 0) + 1
        diff = alert.get("diff") or {}
        row.words += sum(len(str(f).split()) for key in ("added", "removed")
                         for f in diff.get(key) or [])
        row.silent += alert.get("silent") is True
        row.review = review_link(alert) if sum(row.counts.values()) == 1 else _timeline(alert)
    order = list(EVENT_LABELS)
    events = sorted({e for row in rows.values() for e in row.counts},
                    key=lambda e: order.index(e) if e in order else len(order))
    # Silent edits first: what a publisher changed without saying so is news of its own.
    listed = sorted(rows.values(), key=lambda row: not row.silent)
    return DigestView(listed, events, len(digest.get("alerts") or []),
                      period(digest.get("since"), digest.get("until")))


def _timeline(alert: dict[str, Any]) -> tuple[str, str] | None:
    """The source's timeline, where a digest row stands for more than one alert."""
    links = alert.get("links")
    url = str(links.get("source") or "") if isinstance(links, dict) else ""
    return (SOURCE_LINK_TEXT, url) if url.startswith(("http://", "https://")) else None


def column(kind: str) -> str:
    """A kind as a digest names it in text: ``changed``, ``listed again``."""
    return kind_label(kind).lower()


def period(since: Any, until: Any) -> str:
    """``2026-11-25 10:00–11:00 UTC`` from two ISO times (either may be missing)."""
    def parse(value: Any) -> datetime | None:
        try:
            return datetime.strptime(str(value), STAMP)
        except ValueError:
            return None

    start, end = parse(since), parse(until)
    if start and end:
        if start.date() == end.date():
            return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"
        return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"
    return " – ".join(str(v) for v in (since, until) if v)


def digest_text_table(d: DigestView, *, max_rows: int | None = None) -> str:
    """A monospace table, sources × events, for plain text and code blocks."""
    rows = d.rows[:max_rows] if max_rows is not None else d.rows
    width = max([len("source"), *(len(r.source_id) for r in rows)])
    names = [column(e) for e in d.events]
    sizes = [max(9, len(name)) for name in names]
    header = "source".ljust(width) + "".join(
        f"  {n:>{w}}" for n, w in zip(names, sizes, strict=True))
    lines = [header, "-" * len(header)]
    for row in rows:
        cells = "".join(f"  {(str(row.counts[e]) if e in row.counts else '·'):>{w}}"
                        for e, w in zip(d.events, sizes, strict=True))
        lines.append(row.source_id.ljust(width) + cells)
    if len(rows) < len(d.rows):
        lines.append(f"…and {len(d.rows) - len(rows)} more sources")
    return "\n".join(lines)


def digest_html_table(d: DigestView, *, styled: bool = True,
                      max_rows: int | None = None) -> str:
    """An HTML table, sources × events, each source linked to its page.

    ``styled`` adds inline CSS for email; Matrix strips ``style``, so it gets bare tags.
    """
    rows = d.rows[:max_rows] if max_rows is not None else d.rows

    def style(css: str) -> str:
        return f' style="{css}"' if styled else ""

    cell = "padding:6px 10px;border-bottom:1px solid #d0d7de;text-align:left"
    num = "padding:6px 10px;border-bottom:1px solid #d0d7de;text-align:center"
    head = "".join(f"<th{style(num)}>{escape_html(kind_label(e))}</th>"
                   for e in d.events)
    out = [f"<table{style('border-collapse:collapse;font-size:14px')}>",
           f"<thead><tr><th{style(cell)}>Source</th>{head}</tr></thead>", "<tbody>"]
    for row in rows:
        link = (f'<a href="{escape_html(row.url)}">{escape_html(row.title)}</a>' if row.url
                else escape_html(row.title))
        counts = "".join(f"<td{style(num)}>{row.counts.get(e, '') or '·'}</td>"
                         for e in d.events)
        if row.review:
            words, url = row.review
            link += f' · <a href="{escape_html(url)}">{escape_html(words)}</a>'
        out.append(f"<tr><td{style(cell)}><code>{escape_html(row.source_id)}</code><br>"
                   f"{link}</td>{counts}</tr>")
    out.append("</tbody></table>")
    if len(rows) < len(d.rows):
        out.append(f"<p>…and {len(d.rows) - len(rows)} more sources</p>")
    return "\n".join(out)
