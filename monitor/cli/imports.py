"""``monitor import FILE``: a plain URL list, urlwatch's urls.yaml or a changedetection.io
backup added to sources.yaml in one edit, saying what was added and what was not."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor.cli.common import EXIT_OK, EXIT_USAGE, Command
from monitor.config.edit import add_sources
from monitor.config.imports import FORMATS, ImportRefused, Skipped, read_watch_list
from monitor.core.safe_text import for_terminal


def add_commands(command: Command) -> None:
    imported = command("import", cmd_import,
                       "add the pages of a URL list, urlwatch or changedetection.io file")
    imported.add_argument("file", metavar="FILE", type=Path)
    imported.add_argument("--format", choices=FORMATS,
                          help="the file's format (default: told from its content)")


def cmd_import(args: argparse.Namespace) -> int:
    try:
        watch_list = read_watch_list(args.file, args.format)
    except FileNotFoundError:
        print(f"monitor import: no such file {args.file}", file=sys.stderr)
        return EXIT_USAGE
    except ImportRefused as exc:
        print(for_terminal(f"monitor import: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    outcomes = add_sources(args.config, list(watch_list.sources))
    added = [o for o in outcomes if o.id is not None]
    skipped = list(watch_list.skipped) + [Skipped(o.source.url, o.skipped or "")
                                          for o in outcomes if o.id is None]
    print(f"{args.file}: {watch_list.format}, {len(watch_list.sources) + len(watch_list.skipped)}"
          " entries")
    for outcome in added:
        name = f"  ({outcome.source.name})" if outcome.source.name else ""
        paused = "  paused" if not outcome.source.enabled else ""
        print(for_terminal(f"  added    {outcome.id}  {outcome.source.url}{name}{paused}"))
    for item in skipped:
        print(for_terminal(f"  skipped  {item.what}: {item.why}"))
    print(f"added {len(added)} source(s) to {args.config}, skipped {len(skipped)}"
          + ("; they are checked by the next `monitor check`" if added else ""))
    return EXIT_OK
