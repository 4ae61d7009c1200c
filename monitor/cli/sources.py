"""``monitor list`` and ``add``: the watched sources, and changing which they are.

The commands that change sources.yaml beyond ``add`` (remove, rename, pause,
resume, import) and ``preview`` are modules of their own, registered here.
"""

from __future__ import annotations

import argparse
import sys

from monitor.cli import imports, manage, preview
from monitor.cli.common import EXIT_FAILURES, EXIT_OK, Command, load_config
from monitor.core.model import Source
from monitor.core.safe_text import for_terminal
from monitor.core.schedule import Schedule
from monitor.pipeline.check import tracked_url
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
    if store.open_readonly():
        try:
            records = store.records()
            counts = store.delivery_counts()
        finally:
            store.close()
    named = any(source.name for source in config.sources)
    rows = [("ID", *(["NAME"] if named else []), "STATUS", "LAST CHECK", "OUTCOME",
             "LAST ALERT", "NOTE")]
    for source in config.sources:
        rows.append(_row(source, records.get(source.id), named))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    shown: list[Source | None] = [None, *config.sources]
    for row, listed in zip(rows, shown, strict=True):
        print(for_terminal("  ".join(cell.ljust(w) for cell, w in zip(row, widths,
                                                                      strict=False))
                           + "  " + row[-1]).rstrip())
        if args.long and listed is not None:
            for line in _details(listed):
                print(for_terminal(f"    {line}"))
    pending, dead = counts.get("pending", 0), counts.get("dead", 0)
    if pending:
        print(f"\n{pending} alert deliver{'y' if pending == 1 else 'ies'} pending "
              "(retried by the next `monitor check`)")
    if dead:
        print(f"\n{dead} alert deliver{'y' if dead == 1 else 'ies'} given up "
              "(dead letters: see `monitor alerts`)")
    return EXIT_OK


def _row(source: Source, record: SourceRecord | None, named: bool) -> tuple[str, ...]:
    name = [(source.name or "")[:40]] if named else []
    paused = "" if source.enabled else "paused"
    if record is None:
        return (source.id, *name, paused or "new", "never", "", "", source.shown(source.url))
    status = paused or record.state.status + (" (failing)" if record.state.failing else "")
    event = f"{record.last_event} {record.last_event_at}" if record.last_event else ""
    notes = [note for note in (record.last_error, _current_url(source, record)) if note]
    return (source.id, *name, status, record.last_checked or "never",
            record.last_outcome or "", event, "; ".join(notes))


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


def describe_schedule(schedule: Schedule) -> str:
    if schedule.cron:
        return f"cron {schedule.cron}"
    if schedule.adaptive:
        return (f"adaptive, every {_duration(schedule.min_every)} to "
                f"{_duration(schedule.max_every)}")
    return f"every {_duration(schedule.every or 0)}"


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def cmd_add(args: argparse.Namespace) -> int:
    from monitor.config.edit import NewSource, add_sources

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
                                                args.selector)], strict=True)[0]
    print(f"added {added.id} to {args.config}:{added.line}; it is checked by the next "
          "`monitor check`")
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
