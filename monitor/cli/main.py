"""The ``monitor`` command: a thin shell over config, check, store and notify.

Exit codes: 0 success (changes found is success), 1 failures during the run,
2 bad usage or config.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from monitor import __version__
from monitor.cli.evidence import add_commands as add_evidence_commands
from monitor.cli.evidence import mementos_of, snapshot_history
from monitor.config import loader as config_module
from monitor.config.problems import ConfigError, Problem
from monitor.config.values import suggest
from monitor.core.model import Config, Source
from monitor.core.safe_text import for_terminal
from monitor.pipeline.reports import CheckReport, summary
from monitor.pipeline.session import run_pass
from monitor.store.errors import (
    GitError,
    StoreDamaged,
    StoreLocked,
    StoreUnavailable,
)
from monitor.store.history import HistoryError
from monitor.store.store import Store

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    except (StoreLocked, StoreDamaged) as exc:
        print(f"monitor: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    except StoreUnavailable as exc:
        print(f"monitor: {exc}; nothing was lost: run again once it is writable",
              file=sys.stderr)
        return EXIT_FAILURES
    except (OSError, sqlite3.Error, GitError) as exc:  # a full or read-only disk, mostly
        print(f"monitor: cannot write: {exc}; nothing was lost: run again once it is "
              "writable", file=sys.stderr)
        return EXIT_FAILURES
    except KeyboardInterrupt:
        print("monitor: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor", description="Watch published articles; alert when they are edited "
                                    "or taken down.")
    parser.add_argument("--version", action="version", version=f"monitor {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int],
                help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--config", default="sources.yaml", type=Path,
                         help="the sources file (default: ./sources.yaml)")
        sub.set_defaults(handler=handler)
        return sub

    check = command("check", cmd_check, "check sources once, deliver pending alerts, exit")
    check.add_argument("--source", action="append", default=[], metavar="ID",
                       help="check only this source (repeatable)")
    check.add_argument("--due", action="store_true",
                       help="check only sources whose interval has passed since their last check")
    check.add_argument("--quiet", "-q", action="store_true", help="print only the summary")

    run = command("run", cmd_run, "run as a daemon, checking each source on its schedule")
    run.add_argument("--log-format", choices=["text", "json"], default="text",
                     help="one line of text or one JSON object per event (default text)")
    run.add_argument("--log-level", choices=["debug", "info", "warning", "error"],
                     default="info")
    command("status", cmd_status, "whether the daemon is running, and how it is doing")
    command("validate", cmd_validate, "check the config; print every problem as FILE:LINE")
    command("list", cmd_list, "sources with their last check, status and event")

    history = command("history", cmd_history, "the versions of one source, newest first")
    history.add_argument("id", metavar="ID")

    diff = command("diff", cmd_diff, "what changed: the last change, one revision, or two")
    diff.add_argument("id", metavar="ID")
    diff.add_argument("revisions", nargs="*", metavar="REV",
                      help="none: the latest change; one: what it changed; two: between them")
    diff.add_argument("--lines", action="store_true", help="a line diff instead of words")

    add = command("add", cmd_add, "add a source to the sources file")
    add.add_argument("url", metavar="URL")
    add.add_argument("--id", help="source id (default: made from the URL)")
    add.add_argument("--every", help="check interval such as 1h (default: settings)")

    alerts = command("alerts", cmd_alerts, "recent alerts and their delivery to each channel")
    alerts.add_argument("--limit", type=int, default=20, help="how many (default 20)")

    test_alert = command("test-alert", cmd_test_alert, "send a sample alert to check a channel")
    test_alert.add_argument("channel", nargs="?", metavar="CHANNEL",
                            help="the channel to test (default: every channel)")

    demo = command("demo", cmd_demo, "an offline demo: a local site, an edit and a removal")
    demo.add_argument("--dir", type=Path, help="where to keep the demo's files "
                                               "(default: a new temporary folder)")
    add_evidence_commands(command)
    return parser


# --- check ----------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
    sources = select_sources(config, args.source, due=args.due)
    report = asyncio.run(run_pass(config, sources,
                                  on_check=None if args.quiet else print_check,
                                  on_wait=lambda msg: print(msg, file=sys.stderr)))
    print(summary(report))
    for error in report.errors:
        print(for_terminal(f"monitor: {error}"), file=sys.stderr)
    for error in report.delivery.errors:
        print(for_terminal(f"  delivery failed: {error} (kept; retried on the next run)"),
              file=sys.stderr)
    for warning in report.warnings:
        print(for_terminal(f"monitor: warning: {warning}"), file=sys.stderr)
    return EXIT_FAILURES if report.failed else EXIT_OK


def select_sources(config: Config, ids: list[str], *, due: bool) -> list[Source]:
    if ids:
        known = {s.id for s in config.sources}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ConfigError([Problem(
                config.path, 0, f"no source with id {', '.join(unknown)}"
                f"{suggest(unknown[0], sorted(known))}")])
        sources = [config.source(i) for i in ids]
    else:
        sources = list(config.sources)
    return due_sources(config, sources) if due else sources


def due_sources(config: Config, sources: list[Source]) -> list[Source]:
    """Those due by the daemon's own rule (interval, cron, adaptive, confirm_after),
    a little early rather than a whole run late (``daemon.due.is_due``)."""
    from monitor.daemon.due import is_due

    store = Store.of(config.settings)
    if not store.open_readonly():
        return sources
    try:
        records = store.records()
    finally:
        store.close()
    now = datetime.now(UTC)
    return [s for s in sources if is_due(s, records.get(s.id), config.settings, now)]


OUTCOME_WIDTH = 10


def print_check(check: CheckReport, done: int, total: int) -> None:
    width = len(str(total))
    line = f"[{done:>{width}}/{total}] {check.source_id:<28} {check.outcome:<{OUTCOME_WIDTH}}"
    if check.events:
        line += f" alert: {', '.join(check.events)}"
    if check.detail:
        line += f"  {check.detail}"
    print(for_terminal(f"{line}  ({check.elapsed:.2f}s)"), flush=True)


# --- run ------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from monitor.daemon.logs import setup_logging
    from monitor.daemon.scheduler import run_daemon

    config = config_module.load(args.config)
    setup_logging(args.log_format, args.log_level)
    return run_daemon(config)


def cmd_status(args: argparse.Namespace) -> int:
    from monitor.daemon.health import read_status

    config = config_module.load(args.config)
    status, alive = read_status(config)
    if status is None:
        print(f"no daemon status in {config.settings.state.parent}: `monitor run` has not "
              "run here")
        _print_evidence(config)
        return EXIT_FAILURES
    state = "running" if alive else "NOT running"
    print(f"monitor {state} (pid {status['pid']}, config {status['config']})")
    for key in ("started_at", "uptime_seconds", "sources", "due_within_a_minute",
                "checks_done", "alerts_raised", "check_errors", "last_pass_at",
                "outbox_pending", "dead_letters", "last_error", "written_at"):
        print(f"  {key.replace('_', ' '):<22} {status.get(key)}")
    _print_evidence(config)
    return EXIT_OK if alive else EXIT_FAILURES


def _print_evidence(config: Config) -> None:
    from monitor.evidence.queries import evidence_size

    evidence = config.settings.evidence
    captures, size = evidence_size(evidence)
    print(f"evidence: {captures} capture(s), {size / 1e6:,.1f} MB in {evidence} "
          "(keep and back it up; `monitor verify` checks it)")


# --- validate / list --------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
    print(f"{config.path}: OK, {len(config.sources)} source(s), "
          f"{len(config.channels)} channel(s)")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
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


def cmd_alerts(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
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


# --- history / diff ---------------------------------------------------------


def cmd_history(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
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
    config = config_module.load(args.config)
    history = snapshot_history(config)
    try:
        comparison = history.comparison(args.id, args.revisions)
    except HistoryError as exc:
        print(f"monitor diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = history.diff_text(comparison, words=not args.lines, color=sys.stdout.isatty())
    sys.stdout.write(out or "no difference\n")
    return EXIT_OK


# --- add / test-alert / demo ------------------------------------------------


def cmd_add(args: argparse.Namespace) -> int:
    from monitor.config.edit import add_source

    line = add_source(args.config, args.url, source_id=args.id, every=args.every)
    print(f"added to {args.config}:{line}; it is checked by the next `monitor check`")
    return EXIT_OK


def cmd_test_alert(args: argparse.Namespace) -> int:
    from monitor.notify.delivery import send_test_alert

    config = config_module.load(args.config)
    if not config.channels:
        print(f"no channels in {config.path}: add one under 'channels:'", file=sys.stderr)
        return EXIT_USAGE
    if args.channel and args.channel not in config.channels:
        hint = suggest(args.channel, list(config.channels))
        print(f"no channel '{args.channel}'{hint}; channels: {', '.join(config.channels)}",
              file=sys.stderr)
        return EXIT_USAGE
    names = [args.channel] if args.channel else list(config.channels)
    results = asyncio.run(send_test_alert(config, names))
    for name, error in results.items():
        print(f"{name}: {'delivered' if error is None else 'FAILED: ' + error}")
    return EXIT_FAILURES if any(results.values()) else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.cli.demo import run_demo

    return run_demo(args.dir)


if __name__ == "__main__":
    sys.exit(main())
