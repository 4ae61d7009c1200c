"""``monitor history``, ``diff`` and ``alerts``: reading what has been kept, and
re-sending the alerts a broken channel could not take."""

from __future__ import annotations

import argparse
import sys

from monitor.cli.common import EXIT_OK, EXIT_USAGE, Command, load_config
from monitor.cli.evidence import mementos_of, snapshot_history
from monitor.config.values import suggest
from monitor.core.model import Config
from monitor.core.people_time import for_people
from monitor.core.safe_text import for_terminal
from monitor.pipeline.check import tracked_url
from monitor.store.history import History, HistoryError
from monitor.store.store import Store

ALL = "all"  # what a bare ``--retry`` stands for


def add_commands(command: Command) -> None:
    history = command("history", cmd_history, "the versions of one source, newest first")
    history.add_argument("id", metavar="ID")
    diff = command("diff", cmd_diff, "what changed: the last change, one revision, or two")
    diff.add_argument("id", metavar="ID")
    diff.add_argument("revisions", nargs="*", metavar="REV",
                      help="none: the latest change; one: what it changed; two: between them")
    diff.add_argument("--lines", action="store_true",
                      help="each changed paragraph as its old and new line, not marked words")
    diff.add_argument("--git", action="store_true",
                      help="git's own diff of the snapshot file, as it is (words; with "
                           "--lines, lines)")
    alerts = command("alerts", cmd_alerts, "recent alerts and their delivery to each channel; "
                                           "--retry re-sends dead letters")
    alerts.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    alerts.add_argument("--retry", nargs="?", const=ALL, metavar="ALERT_ID",
                        help="re-queue dead deliveries (all, or this alert's) for the next pass")
    alerts.add_argument("--channel", metavar="NAME",
                        help="with --retry: only the dead deliveries to this channel")


def cmd_alerts(args: argparse.Namespace) -> int:
    config = load_config(args)
    if args.retry is not None or args.channel:
        return retry_dead_letters(config, args.retry, args.channel)
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
    dead = 0
    width = max([9, *(len(alert["event"]) for alert, _ in recent)])  # canonical-changed: 17
    for alert, deliveries in recent:
        reason = f" ({alert['reason']})" if alert.get("reason") else ""
        print(for_terminal(f"{for_people(alert['detected_at'])}  {alert['event']:<{width}} "
                           f"{alert['source_id']}{reason}  id={alert['id']}"))
        for row in deliveries:
            dead += row["status"] == "dead"
            print(for_terminal(f"    → {row['channel']:<20} {delivery_state(alert, row)}"))
        if alert.get("rebuilt_from_git"):
            print("    (known from the snapshot history after the state was rebuilt: "
                  "not sent again)")
        elif not deliveries:
            print("    (no channel takes this alert)")
    if dead:
        print(f"\n{dead} dead letter(s) above: once the channel is fixed, `monitor alerts "
              "--retry` re-queues every dead delivery (or give ALERT_ID, --channel NAME)")
    return EXIT_OK


def retry_dead_letters(config: Config, alert_id: str | None, channel: str | None) -> int:
    """Re-queue dead deliveries (all, one alert's, one channel's) for the next pass.

    It writes the outbox, so it takes the store's writer lock like a pass does
    and waits (a bounded time) for a running pass to finish.
    """
    if alert_id is None:
        print("monitor alerts: --channel goes with --retry: `monitor alerts --retry "
              f"--channel {channel}`", file=sys.stderr)
        return EXIT_USAGE
    if channel and channel not in config.channels:
        print(for_terminal(f"monitor alerts: no channel '{channel}'"
                           f"{suggest(channel, list(config.channels))}; channels: "
                           f"{', '.join(config.channels) or 'none'}"), file=sys.stderr)
        return EXIT_USAGE
    settings = config.settings
    if not settings.state.exists():
        print("no dead letters: no alert was raised here yet")
        return EXIT_OK
    store = Store.of(settings)
    with store.lock(settings.lock_timeout, lambda msg: print(msg, file=sys.stderr)):
        store.open()
        try:
            if alert_id != ALL and not store.has_alert(alert_id):
                known = [alert["id"] for alert, _ in store.recent_alerts(1000)]
                print(for_terminal(f"monitor alerts: no alert {alert_id}"
                                   f"{suggest(alert_id, known)}; `monitor alerts` lists them"),
                      file=sys.stderr)
                return EXIT_USAGE
            letters = [(a, c) for a, c in store.dead_letters()
                       if alert_id in (ALL, a) and channel in (None, c)]
            gone = sorted({c for _, c in letters if c not in config.channels})
            count = store.requeue([(a, c) for a, c in letters if c in config.channels])
        finally:
            store.close()
    print(f"re-queued {count} dead deliver{'y' if count == 1 else 'ies'}"
          + (": they are sent on the next pass (`monitor check`, or the daemon's next one)"
             if count else ""))
    if gone:
        print(for_terminal(f"monitor alerts: left dead: deliveries to {', '.join(gone)}, "
                           f"no longer in {config.path.name}"), file=sys.stderr)
    return EXIT_OK


def delivery_state(alert: dict[str, object], row: dict[str, object]) -> str:
    """One delivery in words, times for people; a dead letter with how to re-send it."""
    if row["status"] == "delivered":
        return f"delivered {for_people(str(row['delivered_at']))}"
    if row["status"] == "dead":
        return (f"DEAD after {row['attempts']} attempt(s): {row['last_error']}; re-send: "
                f"monitor alerts --retry {alert['id']} --channel {row['channel']}")
    state = f"pending, {row['attempts']} attempt(s)"
    if row.get("requeued_at"):
        state += f", re-queued {for_people(str(row['requeued_at']))}"
    if row["last_error"]:
        state += f", last error: {row['last_error']}"
    if row["next_attempt_at"]:
        state += f", next try after {for_people(str(row['next_attempt_at']))}"
    return state


def cmd_history(args: argparse.Namespace) -> int:
    config = load_config(args)
    history = snapshot_history(config)
    versions = history.versions(args.id)
    if not versions:
        return _unknown(config, history, args.id, "history")
    current = current_url(config, args.id)
    if current:
        print(for_terminal(current))
    archived = mementos_of(config, args.id)
    for version, line in zip(versions, history.summaries(args.id, versions), strict=True):
        print(for_terminal(f"{version.short}  {for_people(version.when)}  {line}"))
        for memento in archived.get(version.revision, []):
            print(for_terminal(f"            archived: {memento.url} ({memento.service})"))
    print(f"\n`monitor diff {args.id} REV` shows what a revision changed; the full history is "
          f"`git -C {config.settings.snapshots} log --follow -p {args.id}.md`")
    return EXIT_OK


def current_url(config: Config, source_id: str) -> str:
    """"now at URL" when a redirect that keeps the article (or a move) took it elsewhere
    than the configured URL; "" when it is where sources.yaml says."""
    source = next((s for s in config.sources if s.id == source_id), None)
    store = Store.of(config.settings)
    if source is None or not store.open_readonly():
        return ""
    try:
        record = store.record(source_id)
    finally:
        store.close()
    tracked = tracked_url(source, record)
    now = record.final_url or tracked
    if now == source.url:
        return ""
    how = "moved" if tracked != source.url and now == tracked else "redirected"
    return f"now at {source.shown(now)} ({how} from {source.shown(source.url)})"


def cmd_diff(args: argparse.Namespace) -> int:
    config = load_config(args)
    history = snapshot_history(config)
    if not history.versions(args.id):
        return _unknown(config, history, args.id, "diff")
    try:
        comparison = history.comparison(args.id, args.revisions)
    except HistoryError as exc:
        print(for_terminal(f"monitor diff: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    color = sys.stdout.isatty()
    if args.git:
        out = history.diff_text(comparison, words=not args.lines, color=color)
    else:
        out = history.readable_diff(comparison, lines=args.lines, color=color)
    sys.stdout.write(out or "no difference\n")
    return EXIT_OK


def _unknown(config: Config, history: History, source_id: str, command: str) -> int:
    """No versions of ``source_id``: a source not checked yet, or a mistyped id."""
    known = {s.id for s in config.sources} | set(history.source_ids())
    if source_id in known:
        print(for_terminal(f"no versions of '{source_id}' yet: `monitor check --source "
                           f"{source_id}` takes the first"), file=sys.stderr)
    else:
        print(for_terminal(f"monitor {command}: no source '{source_id}'"
                           f"{suggest(source_id, sorted(known))}; `monitor list` shows them"),
              file=sys.stderr)
    return EXIT_USAGE
