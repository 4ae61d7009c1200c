"""``monitor list`` and ``add``: the watched sources, and changing which they are."""

from __future__ import annotations

import argparse

from monitor.cli.common import EXIT_OK, Command, load_config
from monitor.core.safe_text import for_terminal
from monitor.store.store import Store


def add_commands(command: Command) -> None:
    command("list", cmd_list, "sources with their last check, status and event")
    add = command("add", cmd_add, "add a source to the sources file")
    add.add_argument("url", metavar="URL")
    add.add_argument("--id", help="source id (default: made from the URL)")
    add.add_argument("--every", help="check interval such as 1h (default: settings)")


def cmd_list(args: argparse.Namespace) -> int:
    config = load_config(args)
    store = Store.of(config.settings)
    records = {}
    counts: dict[str, int] = {}
    if store.open_readonly():
        try:
            records = store.records()
            counts = store.delivery_counts()
        finally:
            store.close()
    pending, dead = counts.get("pending", 0), counts.get("dead", 0)
    rows = [("ID", "STATUS", "LAST CHECK", "OUTCOME", "LAST ALERT", "NOTE")]
    for source in config.sources:
        record = records.get(source.id)
        if record is None:
            rows.append((source.id, "new", "never", "", "", source.shown(source.url)))
            continue
        status = record.state.status + (" (failing)" if record.state.failing else "")
        event = f"{record.last_event} {record.last_event_at}" if record.last_event else ""
        rows.append((source.id, status, record.last_checked or "never",
                     record.last_outcome or "", event, record.last_error or ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print(for_terminal("  ".join(cell.ljust(w) for cell, w in zip(row, widths,
                                                                      strict=False))
                           + "  " + row[-1]))
    if pending:
        print(f"\n{pending} alert deliver{'y' if pending == 1 else 'ies'} pending "
              "(retried by the next `monitor check`)")
    if dead:
        print(f"\n{dead} alert deliver{'y' if dead == 1 else 'ies'} given up "
              "(dead letters: see `monitor alerts`)")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from monitor.config.edit import add_source

    line = add_source(args.config, args.url, source_id=args.id, every=args.every)
    print(f"added to {args.config}:{line}; it is checked by the next `monitor check`")
    return EXIT_OK
