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
from monitor.cli import completion, evidence, history, sources, web
from monitor.cli.common import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, load_config
from monitor.cli.pipes import guarded_output
from monitor.config.problems import ConfigError, Problem
from monitor.config.values import suggest
from monitor.core.model import Config, Source
from monitor.core.safe_text import for_terminal
from monitor.pipeline.found import found_sources
from monitor.pipeline.reports import CheckReport, summary
from monitor.pipeline.session import run_pass
from monitor.store.errors import (
    GitError,
    StoreDamaged,
    StoreLocked,
    StoreUnavailable,
)
from monitor.store.store import Store

#: each group of subcommands declares its own in ``add_commands(command)``
COMMAND_GROUPS = (sources.add_commands, history.add_commands, evidence.add_commands,
                  web.add_commands, completion.add_commands)
CONFIG_HELP = "the sources file (default: ./sources.yaml), before or after the command"


def main(argv: Sequence[str] | None = None) -> int:
    with guarded_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
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
    parser.add_argument("--config", default=Path("sources.yaml"), type=Path,
                        help=CONFIG_HELP)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int],
                help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        # SUPPRESS: given before the command, --config is not undone by this default
        sub.add_argument("--config", default=argparse.SUPPRESS, type=Path, help=CONFIG_HELP)
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
    test_alert = command("test-alert", cmd_test_alert, "send a sample alert to check a channel")
    test_alert.add_argument("channel", nargs="?", metavar="CHANNEL",
                            help="the channel to test (default: every channel)")

    demo = command("demo", cmd_demo, "an offline demo: a local site, an edit and a removal")
    demo.add_argument("--dir", type=Path, help="where to keep the demo's files "
                                               "(default: a new temporary folder)")
    for add_commands in COMMAND_GROUPS:
        add_commands(command)
    return parser


# --- check ----------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    config = load_config(args)
    sources = select_sources(config, args.source, due=args.due)
    report = asyncio.run(run_pass(config, sources,
                                  on_check=None if args.quiet else print_check,
                                  on_wait=lambda msg: print(msg, file=sys.stderr)))
    print(summary(report))
    paused = [] if args.source else [s.id for s in config.sources if not s.enabled]
    if paused:
        print(for_terminal(f"{len(paused)} paused, not checked: {', '.join(paused)} "
                           "(`--source ID` checks one anyway; `enabled: true` resumes it)"))
    for error in report.errors:
        print(for_terminal(f"monitor: {error}"), file=sys.stderr)
    for error in report.delivery.errors:
        print(for_terminal(f"  delivery failed: {error} (kept; retried on the next run)"),
              file=sys.stderr)
    for warning in report.warnings:
        print(for_terminal(f"monitor: warning: {warning}"), file=sys.stderr)
    return EXIT_FAILURES if report.failed else EXIT_OK


def select_sources(config: Config, ids: list[str], *, due: bool) -> list[Source]:
    """The sources a ``check`` runs: the configured ones and the articles listings found."""
    found = found_articles_of(config, all_states=bool(ids))
    if ids:
        every = {s.id: s for s in [*config.sources, *found]}
        unknown = [i for i in ids if i not in every]
        if unknown:
            raise ConfigError([Problem(
                config.path, 0, f"no source with id {', '.join(unknown)}"
                f"{suggest(unknown[0], sorted(every))}")])
        sources = [every[i] for i in ids]
    else:
        sources = [*config.active_sources, *found]
    return due_sources(config, sources) if due else sources


def found_articles_of(config: Config, *, all_states: bool = False) -> list[Source]:
    """The articles the config's listings found, as the state database knows them."""
    if not any(source.discover for source in config.sources):
        return []
    store = Store.of(config.settings)
    if not store.open_readonly():
        return []
    try:
        return found_sources(config, store.db, datetime.now(UTC), all_states=all_states)
    finally:
        store.close()


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

    config = load_config(args)
    setup_logging(args.log_format, args.log_level)
    return run_daemon(config)


def cmd_status(args: argparse.Namespace) -> int:
    from monitor.daemon.health import StatusUnreadable, read_status

    config = load_config(args)
    try:
        status, alive = read_status(config)
    except StatusUnreadable as exc:
        print(f"monitor: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    if status is None:
        print(f"no daemon status in {config.settings.state.parent}: `monitor run` has not "
              "run here")
        _print_evidence(config)
        return EXIT_FAILURES
    state = "running" if alive else "NOT running"
    print(f"monitor {state} (pid {status['pid']}, config {status['config']})")
    for key in ("started_at", "uptime_seconds", "sources", "paused", "due_within_a_minute",
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
    from monitor.config.loader import load

    # Strict: an unset ${NAME} is an error here, where every other command warns.
    config = load(Path(args.config), strict_secrets=True)
    for warning in config.warnings:
        print(for_terminal(f"monitor: warning: {warning}"), file=sys.stderr)
    print(f"{config.path}: OK, {len(config.sources)} source(s), "
          f"{len(config.channels)} channel(s)")
    return EXIT_OK


# --- add / test-alert / demo ------------------------------------------------


def cmd_test_alert(args: argparse.Namespace) -> int:
    from monitor.notify.sample_alert import send_test_alert

    config = load_config(args)
    if not config.channels:
        print(f"no channels in {config.path}: add one under 'channels:'", file=sys.stderr)
        return EXIT_USAGE
    if args.channel and args.channel not in config.channels:
        hint = suggest(args.channel, list(config.channels))
        print(f"no channel '{args.channel}'{hint}; channels: {', '.join(config.channels)}",
              file=sys.stderr)
        return EXIT_USAGE
    names = [args.channel] if args.channel else list(config.channels)
    held = {name: config.channels[name].missing_secrets for name in names
            if config.channels[name].missing_secrets}
    for name, unset in held.items():
        print(f"{name}: NOT SENT: it needs {', '.join(unset)}: export it and try again",
              file=sys.stderr)
    sendable = [name for name in names if name not in held]
    results = asyncio.run(send_test_alert(config, sendable)) if sendable else {}
    for name, error in results.items():
        print(f"{name}: {'delivered' if error is None else 'FAILED: ' + error}")
    if held:
        return EXIT_USAGE
    return EXIT_FAILURES if any(results.values()) else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.cli.demo import run_demo

    return run_demo(args.dir)


if __name__ == "__main__":
    sys.exit(main())
