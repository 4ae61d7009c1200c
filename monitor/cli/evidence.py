"""``monitor verify``, ``export``, ``key`` and ``captures``: thin shells over monitor.evidence."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.archive import ArchiveUrl, mementos
from monitor.config import loader as config_module
from monitor.config.problems import ConfigError, Problem
from monitor.core.model import Config
from monitor.core.safe_text import for_terminal
from monitor.evidence import log
from monitor.evidence.keys import (
    ENVIRONMENT,
    KeyProblem,
    fingerprint,
    key_file_warning,
    load_signing_key,
    public_key_text,
    rotate_key,
)
from monitor.evidence.packet import PacketError, write_packet
from monitor.evidence.queries import (
    EvidenceError,
    captures_before,
    export_request,
    held_key,
    verify_history,
)
from monitor.evidence.verify import verify
from monitor.store.history import History, NoSnapshots
from monitor.store.store import Store

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def add_commands(command: Command) -> None:
    check = command("verify", cmd_verify, "re-check captures, commits and the signed log")
    check.add_argument("--source", metavar="ID", help="only this source's commits and captures")

    export = command("export", cmd_export, "an evidence packet (.wacz) of one change")
    export.add_argument("id", metavar="ID")
    export.add_argument("revision", nargs="?", metavar="REV",
                        help="the version to export (default: the latest change)")
    export.add_argument("-o", "--output", type=Path,
                        help="the packet's file (default: <id>-<rev7>.wacz)")

    key = command("key", cmd_key, "the public key that signs the evidence log")
    key.add_argument("action", nargs="?", choices=["show", "rotate"], default="show",
                     help="show (default), or rotate: a new key, handed over in the log")

    captures = command("captures", cmd_captures, "the raw captures: prune old ones")
    captures.add_argument("action", choices=["prune"])
    captures.add_argument("--before", required=True, metavar="DATE",
                          help="delete captures of fetches before this day (YYYY-MM-DD)")
    captures.add_argument("--yes", action="store_true", help="do it without asking")


def snapshot_history(config: Config) -> History:
    """The snapshot history, or a usage error saying nothing was checked yet."""
    try:
        return History(config.settings.snapshots)
    except NoSnapshots as exc:
        raise ConfigError([Problem(config.path, 0, str(exc))]) from None


def cmd_verify(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
    settings = config.settings
    history = verify_history(snapshot_history(config), settings.evidence, args.source)
    try:
        trusted = held_key(settings.signing_key)
    except KeyProblem as exc:
        print(f"monitor verify: {exc}", file=sys.stderr)
        return EXIT_USAGE
    verdict = verify(settings.evidence, history, trusted_key=trusted,
                     authorities=settings.timestamp_authorities,
                     whole_store=args.source is None)
    for item in verdict.broken:
        print(for_terminal(f"BROKEN  {item}"))
    for gap in verdict.gaps:
        print(for_terminal(f"gap     {gap}"))
    if not settings.captures:
        print("gap     captures off (settings.captures: false): new commits keep no capture")
    print(verdict.summary())
    return EXIT_OK if verdict.ok else EXIT_FAILURES


def cmd_export(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
    settings = config.settings
    try:
        found = export_request(snapshot_history(config), settings.evidence, args.id, args.revision)
        out = args.output or Path(f"{args.id}-{found.revision[:7]}.wacz")
        write_packet(found.request, out)
    except (EvidenceError, PacketError) as exc:
        print(for_terminal(f"monitor export: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    before = found.request.before
    what = f"{found.request.after.event}" + (f" (against {before.revision[:7]})"
                                               if before else "")
    print(for_terminal(f"wrote {out}: {args.id} {found.revision[:7]} {what}"))
    print("  open it in https://replayweb.page, or check it: see monitor/README.txt inside")
    return EXIT_OK


def cmd_key(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
    settings = config.settings
    path = settings.signing_key
    try:
        if args.action == "rotate":
            return _rotate(config)
        key = load_signing_key(path)
    except (KeyProblem, log.LogError, OSError) as exc:
        print(f"monitor key: {exc}", file=sys.stderr)
        return EXIT_USAGE
    where = f"${ENVIRONMENT}" if ENVIRONMENT in os.environ else str(path)
    print(f"public key   {public_key_text(key)}")
    print(f"fingerprint  {fingerprint(key)}")
    print(f"from         {where}")
    warning = None if where.startswith("$") else key_file_warning(path)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _rotate(config: Config) -> int:
    settings = config.settings
    store = Store.of(settings)
    store.acquire(settings.lock_timeout)
    try:
        head = _head(settings.snapshots)
        old, new = rotate_key(settings.signing_key)
        log.append(settings.evidence / "log", old, kind="rotate", head=head,
                   details={"new_key": public_key_text(new)})
    finally:
        store.release()
    print(f"new key      {fingerprint(new)}")
    print(f"old key      {fingerprint(old)} (kept beside it as *.old; it signed the hand-over)")
    return EXIT_OK


def cmd_captures(args: argparse.Namespace) -> int:
    config = config_module.load(args.config)
    settings = config.settings
    try:
        before = datetime.strptime(args.before, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        print(f"monitor captures prune: --before {args.before!r} is not a day such as "
              "2026-01-31", file=sys.stderr)
        return EXIT_USAGE
    store = Store.of(settings)
    store.acquire(settings.lock_timeout)
    try:
        doomed = captures_before(snapshot_history(config), settings.evidence, before)
        if not doomed:
            print(f"no captures of fetches before {args.before}")
            return EXIT_OK
        size = sum(path.stat().st_size for _, path in doomed)
        if not args.yes:
            print(f"{len(doomed)} capture(s), {size:,} bytes, of fetches before "
                  f"{args.before}: run again with --yes to delete them (a signed "
                  "checkpoint records which)")
            return EXIT_OK
        # The checkpoint first: a crash after it leaves files verify still checks;
        # a deletion before it would leave commits whose capture is missing.
        _signed_prune(settings.evidence / "log", settings.signing_key, kind="prune",
                      head=_head(settings.snapshots), details={"before": args.before},
                      captures=[digest for digest, _ in doomed])
        for _, path in doomed:
            path.unlink(missing_ok=True)
    finally:
        store.release()
    print(f"deleted {len(doomed)} capture(s), {size:,} bytes; `monitor verify` reports them "
          "as pruned")
    return EXIT_OK


def _signed_prune(log_dir: Path, key_path: Path, **fields: Any) -> None:
    try:
        log.append(log_dir, load_signing_key(key_path), **fields)
    except (KeyProblem, log.LogError) as exc:
        raise SystemExit(f"monitor captures prune: nothing deleted: {exc}") from None


def _head(snapshots: Path) -> str | None:
    try:
        return History(snapshots).repo.head()
    except NoSnapshots:
        return None


def mementos_of(config: Config, source_id: str) -> dict[str, list[ArchiveUrl]]:
    """Web archives' copies of each version of a source (revision -> mementos)."""
    store = Store.of(config.settings)
    if not config.archives or not store.open_readonly() or store.db is None:
        return {}
    try:
        return mementos(store.db, source_id)
    finally:
        store.close()
