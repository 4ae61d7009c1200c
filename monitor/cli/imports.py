"""``monitor import FILE``: a plain URL list, urlwatch's urls.yaml, a changedetection.io
backup or a feed reader's OPML added to sources.yaml in one edit, saying what was added
and what was not. An OPML file's feeds become listings (``discover: feed``): the
articles each feed names are watched from the next check."""

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
                       "add the pages of a URL list, urlwatch or changedetection.io "
                       "file, or the feeds of an OPML file as listings")
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
        listing = f"  discover: {outcome.source.discover}" if outcome.source.discover else ""
        print(for_terminal(f"  added    {outcome.id}  {outcome.source.url}{name}{listing}"
                           f"{paused}"))
    for item in skipped:
        print(for_terminal(f"  skipped  {item.what}: {item.why}"))
    listings = sum(1 for outcome in added if outcome.source.discover)
    print(f"added {len(added)} source(s) to {args.config}, skipped {len(skipped)}"
          + ("; they are checked by the next `monitor check`" if added else ""))
    if listings:
        print(f"{listings} of them are listings: their first check watches the newest "
              "articles each names (baseline_watch) without alerts; later ones alert `new`")
    return EXIT_OK
