"""``monitor history``, ``diff`` and ``alerts``: reading what has been kept."""

from __future__ import annotations

import argparse
import sys

from monitor.cli.common import EXIT_OK, EXIT_USAGE, Command, load_config
from monitor.cli.evidence import mementos_of, snapshot_history
from monitor.core.safe_text import for_terminal
from monitor.store.history import HistoryError
from monitor.store.store import Store


def add_commands(command: Command) -> None:
    history = command("history", cmd_history, "the versions of one source, newest first")
    history.add_argument("id", metavar="ID")
    diff = command("diff", cmd_diff, "what changed: the last change, one revision, or two")
    diff.add_argument("id", metavar="ID")
    diff.add_argument("revisions", nargs="*", metavar="REV",
                      help="none: the latest change; one: what it changed; two: between them")
    diff.add_argument("--lines", action="store_true", help="a line diff instead of words")
    alerts = command("alerts", cmd_alerts, "recent alerts and their delivery to each channel")
    alerts.add_argument("--limit", type=int, default=20, help="how many (default 20)")


def cmd_alerts(args: argparse.Namespace) -> int:
    config = load_config(args)
    store = Store.of(config.settings)
    if not store.open_readonly():
        print("no alerts yet")
        return EXIT_OK
    try:
        recent = store.recent_alerts(args.limit)
    finally:
        store.close()
    if not recent:
        print("no alerts yet")
    for alert, deliveries in recent:
        reason = f" ({alert['reason']})" if alert.get("reason") else ""
        print(for_terminal(f"{alert['detected_at']}  {alert['event']:<9} "
                           f"{alert['source_id']}{reason}  id={alert['id']}"))
        for row in deliveries:
            if row["status"] == "delivered":
                state = f"delivered {row['delivered_at']}"
            elif row["status"] == "dead":
                state = f"DEAD after {row['attempts']} attempt(s): {row['last_error']}"
            else:
                state = f"pending, {row['attempts']} attempt(s)"
                if row["last_error"]:
                    state += f", last error: {row['last_error']}"
                if row["next_attempt_at"]:
                    state += f", next try after {row['next_attempt_at']}"
            print(for_terminal(f"    → {row['channel']:<20} {state}"))
        if alert.get("rebuilt_from_git"):
            print("    (known from the snapshot history after the state was rebuilt: "
                  "not sent again)")
        elif not deliveries:
            print("    (no channel takes this alert)")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    config = load_config(args)
    versions = snapshot_history(config).versions(args.id)
    if not versions:
        print(f"no versions of '{args.id}' yet", file=sys.stderr)
        return EXIT_USAGE
    archived = mementos_of(config, args.id)
    for version in versions:
        print(for_terminal(f"{version.short}  {version.date}  {version.subject}"
                           + (f"  ({version.reason})" if version.reason else "")))
        for memento in archived.get(version.revision, []):
            print(for_terminal(f"            archived: {memento.url} ({memento.service})"))
    print(f"\n`monitor diff {args.id} REV` shows what a revision changed; the full history is "
          f"`git -C {config.settings.snapshots} log -p {args.id}.md`")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    config = load_config(args)
    history = snapshot_history(config)
    try:
        comparison = history.comparison(args.id, args.revisions)
    except HistoryError as exc:
        print(f"monitor diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = history.diff_text(comparison, words=not args.lines, color=sys.stdout.isatty())
    sys.stdout.write(out or "no difference\n")
    return EXIT_OK
