"""``monitor remove``, ``rename``, ``pause`` and ``resume``: sources changed without
editing YAML by hand.

What has been kept is evidence and stays: a removed source's snapshot history
and captures remain, and its state row is archived, so adding the id again
continues its history; a renamed source's history is one ``git log --follow``.
Remove and rename take the store's writer lock, so they never race a pass.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from monitor.cli.common import EXIT_OK, EXIT_USAGE, Command, load_config
from monitor.config import edit
from monitor.config.problems import ConfigError, Problem
from monitor.config.values import suggest
from monitor.core.ids import valid_source_id
from monitor.core.model import Config, Source
from monitor.store.state import RenameRefused
from monitor.store.store import Store


def add_commands(command: Command) -> None:
    remove = command("remove", cmd_remove, "stop watching a source; its history is kept")
    remove.add_argument("id", metavar="ID")
    rename = command("rename", cmd_rename, "give a source a new id, keeping its history")
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    pause = command("pause", cmd_pause, "stop checking a source for now (enabled: false)")
    pause.add_argument("id", metavar="ID")
    resume = command("resume", cmd_resume, "check a paused source again")
    resume.add_argument("id", metavar="ID")


def configured(config: Config, source_id: str) -> Source:
    """The source with this id, or a ConfigError that suggests the id meant."""
    try:
        return config.source(source_id)
    except KeyError:
        known = [source.id for source in config.sources]
        raise ConfigError([Problem(config.path, 0, f"no source with id '{source_id}'"
                                                   f"{suggest(source_id, known)}")]) from None


@contextmanager
def writing(config: Config) -> Iterator[Store | None]:
    """The store, open under its writer lock; None when nothing was ever stored."""
    settings = config.settings
    store = Store.of(settings)
    if not settings.state.exists() and not (settings.snapshots / ".git" / "HEAD").exists():
        yield None
        return
    with store.lock(settings.lock_timeout, lambda msg: print(msg, file=sys.stderr)):
        store.open()
        try:
            yield store
        finally:
            store.close()


def cmd_remove(args: argparse.Namespace) -> int:
    config = load_config(args)
    source = configured(config, args.id)
    versions = 0
    with writing(config) as store:
        if store is not None:
            store.sync_worktree()
            versions = len(store.log(source.id))
            store.remove(source.id)
        edit.remove_source(config.path, source.id)
    print(f"removed {source.id} from {config.path}")
    if versions:
        print(f"its {versions} version(s) stay in the snapshot history, with their captures "
              f"(`monitor history {source.id}` still reads them before it is added again); "
              f"adding {source.id} again continues that history")
    return EXIT_OK


def cmd_rename(args: argparse.Namespace) -> int:
    config = load_config(args)
    source = configured(config, args.old)
    new = args.new
    if not valid_source_id(new):
        print(f"monitor rename: {new!r} is not a valid id: use letters, digits, '.', '_' "
              "or '-' (it names snapshots/<id>.md)", file=sys.stderr)
        return EXIT_USAGE
    if any(other.id == new for other in config.sources):
        print(f"monitor rename: a source with id '{new}' already exists: choose another "
              "new id", file=sys.stderr)
        return EXIT_USAGE
    with writing(config) as store:
        revision = None
        if store is not None:
            try:
                revision = store.rename(source.id, new)
            except RenameRefused as exc:
                print(f"monitor rename: {exc}", file=sys.stderr)
                return EXIT_USAGE
        edit.rename_source(config.path, source.id, new)
    print(f"renamed {source.id} to {new} in {config.path}")
    if revision:
        print(f"snapshots/{source.id}.md is now snapshots/{new}.md (commit {revision[:10]}); "
              f"`monitor history {new}` shows its whole history")
    return EXIT_OK


def cmd_pause(args: argparse.Namespace) -> int:
    config = load_config(args)
    source = configured(config, args.id)
    if edit.set_enabled(config.path, source.id, False):
        print(f"paused {source.id} (enabled: false): not checked until `monitor resume "
              f"{source.id}`; alerts already made are still delivered")
    else:
        print(f"{source.id} was already paused")
    return EXIT_OK


def cmd_resume(args: argparse.Namespace) -> int:
    config = load_config(args)
    source = configured(config, args.id)
    if edit.set_enabled(config.path, source.id, True):
        print(f"resumed {source.id}: checked again from the next `monitor check`")
    else:
        print(f"{source.id} was not paused")
    return EXIT_OK
