"""``monitor list`` and ``add``: the watched sources, and changing which they are.

A listing's found articles (watched, or paused and removed: ``excluded``) are
listed under it as a tree; those it only knows or keeps waiting are counted in
its note. They live in the state database, not in sources.yaml.

The commands that change sources.yaml beyond ``add`` (remove, rename, pause,
resume, import) and ``preview`` are modules of their own, registered here.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime

from monitor.cli import imports, manage, preview
from monitor.cli.common import EXIT_FAILURES, EXIT_OK, Command, load_config
from monitor.core.model import DISCOVERY_KINDS, Source
from monitor.core.safe_text import for_terminal
from monitor.core.schedule import describe_schedule
from monitor.pipeline.check import tracked_url
from monitor.pipeline.found import found_sources
from monitor.store.found import FoundArticle, found_articles
from monitor.store.records import SourceRecord
from monitor.store.store import Store


def add_commands(command: Command) -> None:
    listing = command("list", cmd_list, "sources with their last check, status and event")
    listing.add_argument("--long", "-l", action="store_true",
                         help="also each source's URL, notes, tags, channels and schedule")
    add = command("add", cmd_add, "add a source to the sources file")
    add.add_argument("url", metavar="URL")
    add.add_argument("--id", help="source id (default: made from the URL)")
    add.add_argument("--every", help="check interval such as 1h (default: settings)")
    add.add_argument("--name", help="what to call it in alerts and lists "
                                    "(default: the page's title)")
    add.add_argument("--selector", metavar="CSS",
                     help="take the article from the elements this selector matches")
    add.add_argument("--discover", choices=DISCOVERY_KINDS,
                     help="a listing: watch the articles this feed, sitemap or section "
                          "page (links) names, each as a source of its own")
    add.add_argument("--preview", action="store_true",
                     help="fetch it once and show what would be stored; not added if "
                          "nothing can be")
    preview.add_commands(command)
    manage.add_commands(command)
    imports.add_commands(command)


def cmd_list(args: argparse.Namespace) -> int:
    config = load_config(args)
    store = Store.of(config.settings)
    records: dict[str, SourceRecord] = {}
    counts: dict[str, int] = {}
    found: list[Source] = []
    articles: dict[str, FoundArticle] = {}
    if store.open_readonly():
        try:
            records = store.records()
            counts = store.delivery_counts()
            if any(source.discover for source in config.sources):
                found = found_sources(config, store.db, datetime.now(UTC), all_states=True)
                articles = {a.id: a for a in found_articles(store.db)} if store.db else {}
        finally:
            store.close()
    named = any(source.name for source in config.sources)
    rows: list[tuple[tuple[str, ...], Source | None, FoundArticle | None]] = [
        (("ID", *(["NAME"] if named else []), "STATUS", "LAST CHECK", "OUTCOME",
          "LAST ALERT", "NOTE"), None, None)]
    under = _by_listing(found, articles)
    states = Counter((a.listing_id, a.state) for a in articles.values())
    for source in config.sources:
        note = _listing_note(source, states) if source.discover else ""
        rows.append((_row(source, records.get(source.id), named, note=note), source, None))
        children = under.get(source.id, [])
        for n, child in enumerate(children):
            article = articles.get(child.id)
            title = article.title if article else None
            record = records.get(child.id)
            removed = f"removed {record.removed_at}" if record and record.removed_at else ""
            cells = _row(child, record, named, name=title, note=removed)
            branch = "└" if n == len(children) - 1 else "├"
            rows.append(((f"  {branch} {child.id}", *cells[1:]), child, article))
    widths = [max(len(cells[i]) for cells, _, _ in rows) for i in range(len(rows[0][0]) - 1)]
    for cells, listed, article in rows:
        print(for_terminal("  ".join(cell.ljust(w) for cell, w in zip(cells, widths,
                                                                      strict=False))
                           + "  " + cells[-1]).rstrip())
        if args.long and listed is not None:
            indent = "      " if listed.listing else "    "
            for line in (_found_details(listed, article) if listed.listing
                         else _details(listed)):
                print(for_terminal(f"{indent}{line}"))
    pending, dead = counts.get("pending", 0), counts.get("dead", 0)
    if pending:
        print(f"\n{pending} alert deliver{'y' if pending == 1 else 'ies'} pending "
              "(retried by the next `monitor check`)")
    if dead:
        print(f"\n{dead} alert deliver{'y' if dead == 1 else 'ies'} given up "
              "(dead letters: see `monitor alerts`)")
    return EXIT_OK


def _row(source: Source, record: SourceRecord | None, named: bool, *,
         name: str | None = None, note: str = "") -> tuple[str, ...]:
    """One line of the table; ``name`` (a found article's title) when it has none of its
    own, ``note`` (a listing's counts) before the row's other notes."""
    names = [(source.name or name or "")[:40]] if named else []
    paused = "" if source.enabled else "paused"
    if record is None:
        notes = [note, source.shown(source.url)]
        return (source.id, *names, paused or "new", "never", "", "",
                "; ".join(n for n in notes if n))
    status = paused or record.state.status + (" (failing)" if record.state.failing else "")
    event = f"{record.last_event} {record.last_event_at}" if record.last_event else ""
    notes = [n for n in (note, record.last_error, _current_url(source, record)) if n]
    return (source.id, *names, status, record.last_checked or "never",
            record.last_outcome or "", event, "; ".join(notes))


def _by_listing(found: list[Source],
                articles: dict[str, FoundArticle]) -> dict[str, list[Source]]:
    """The found articles shown under each listing, the latest found (then published)
    first."""
    under: dict[str, list[Source]] = defaultdict(list)
    for source in found:
        under[source.listing or ""].append(source)

    def newest(source: Source) -> tuple[str, str]:
        article = articles.get(source.id)
        return (article.found_at, article.published or "") if article else ("", "")

    return {listing: sorted(children, key=newest, reverse=True)
            for listing, children in under.items()}


def _listing_note(source: Source, states: Counter[tuple[str, str]]) -> str:
    assert source.discover is not None
    counted = [(states[(source.id, state)], words) for state, words in (
        ("watching", "watched"), ("queued", "waiting"), ("known", "known"),
        ("excluded", "excluded"))]
    if not any(count for count, _ in counted):
        return f"listing ({source.discover.kind})"  # not checked yet
    shown = [f"{count} {words}" for count, words in counted
             if count or words != "excluded"]  # excluded: only when some are
    return f"listing ({source.discover.kind}): {', '.join(shown)}"


def _current_url(source: Source, record: SourceRecord) -> str:
    """Where the article is read now, when a redirect or a move took it elsewhere."""
    moved = tracked_url(source, record)
    if moved != source.url:
        return f"moved to {source.shown(moved)}"
    if record.final_url and record.final_url != source.url:
        return f"now at {source.shown(record.final_url)}"
    return ""


def _details(source: Source) -> list[str]:
    lines = [f"url: {source.shown(source.url)}"]
    if source.name:
        lines.append(f"name: {source.name}")
    if source.discover:
        found = source.discover
        lines.append(f"discover: {found.kind}" + (f"; match: {found.match}" if found.match
                                                   else "")
                     + f"; max_new: {found.max_new}; baseline_watch: {found.baseline_watch}")
    if source.notes:
        lines += [f"notes: {line}" if i == 0 else f"       {line}"
                  for i, line in enumerate(source.notes.splitlines())]
    lines.append(f"schedule: {describe_schedule(source.schedule)}")
    lines.append(f"channels: {', '.join(source.channels) or 'every channel'}")
    if source.tags:
        lines.append(f"tags: {', '.join(source.tags)}")
    if source.selector or source.ignore:
        lines.append(f"selector: {source.selector or '(automatic)'}"
                     + (f"; ignore: {', '.join(source.ignore)}" if source.ignore else ""))
    return lines


def _found_details(source: Source, article: FoundArticle | None) -> list[str]:
    """A found article's --long lines: its listing, URL and what its listing gives it."""
    lines = [f"listing: {source.listing}", f"url: {source.shown(source.url)}"]
    if article is not None:
        if article.title:
            lines.append(f"title: {article.title}")
        lines.append(f"found: {article.found_at}"
                     + (f"; published: {article.published}" if article.published else ""))
        if article.state == "excluded":
            lines.append(f"excluded: `monitor resume {source.id}` watches it again")
    lines.append(f"schedule: {describe_schedule(source.schedule)}")
    lines.append(f"channels: {', '.join(source.channels) or 'every channel'}")
    if source.tags:
        lines.append(f"tags: {', '.join(source.tags)}")
    return lines


def cmd_add(args: argparse.Namespace) -> int:
    from monitor.config.edit import NewSource, add_sources

    if args.preview and args.discover:
        print("monitor add: --preview shows an article's text; a listing's first check "
              "shows what it finds (`monitor check --source ID`)", file=sys.stderr)
        return 2
    if args.preview:
        settings, watched = preview.settings_and_source(args, args.url)
        if watched is not None:
            print(f"monitor add: {args.url} is already watched as {watched.id}",
                  file=sys.stderr)
            return 2
        shown = preview.show_preview(preview.fetch_preview(args.url, settings,
                                                           selector=args.selector))
        if shown.failed:
            print("not added (add it without --preview to watch it anyway)", file=sys.stderr)
            return EXIT_FAILURES
        print()
    added = add_sources(args.config, [NewSource(args.url, args.id, args.name, args.every,
                                                args.selector, discover=args.discover)],
                        strict=True)[0]
    print(f"added {added.id} to {args.config}:{added.line}; it is checked by the next "
          "`monitor check`")
    if args.discover:
        print(f"a listing ({args.discover}): its first check watches the newest articles it "
              "names without alerts; later ones alert `new` (see `monitor list`)")
    removed = _removed_at(args, added.id or "")
    if removed:
        print(f"{added.id} was removed on {removed}: its history continues")
    return EXIT_OK


def _removed_at(args: argparse.Namespace, source_id: str) -> str | None:
    from monitor.config.loader import load

    store = Store.of(load(args.config).settings)
    if not store.open_readonly():
        return None
    try:
        return store.record(source_id).removed_at
    finally:
        store.close()
