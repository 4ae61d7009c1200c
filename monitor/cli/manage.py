"""``monitor remove``, ``rename``, ``pause`` and ``resume``: sources changed without
editing YAML by hand.

What has been kept is evidence and stays: a removed source's snapshot history
and captures remain, and its state row is archived, so adding the id again
continues its history; a renamed source's history is one ``git log --follow``.
Remove and rename take the store's writer lock, so they never race a pass.

A listing's found article is no entry of sources.yaml but a row of the state
database: pausing or removing one marks it ``excluded`` there (under the
writer lock) and adds its id to the listing's ``exclude:``; resuming undoes
both. Its id is made from its URL, so it cannot be renamed. Pausing a listing
itself (``enabled: false``) pauses all it found.
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
from monitor.core.ids import listing_id_problem, listing_namespace_clash, valid_source_id
from monitor.core.model import Config, Source
from monitor.core.safe_text import for_terminal
from monitor.store.found import FoundArticle, found_article, found_articles, set_found_state
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


def source_or_found(config: Config, source_id: str) -> Source | FoundArticle:
    """The configured source with this id, else the found article (read from the state
    database), else a ConfigError that suggests the id meant, found ones included."""
    try:
        return config.source(source_id)
    except KeyError:
        pass
    known = [source.id for source in config.sources]
    store = Store.of(config.settings)
    if store.open_readonly() and store.db is not None:
        try:
            article = found_article(store.db, source_id)
            if article is not None:
                return article
            known += [found.id for found in found_articles(store.db)]
        finally:
            store.close()
    raise ConfigError([Problem(config.path, 0, f"no source with id '{source_id}'"
                                               f"{suggest(source_id, known)}")])


def _listing_of(config: Config, article: FoundArticle) -> Source:
    """The listing that found ``article``; a ConfigError when it left sources.yaml."""
    try:
        return config.source(article.listing_id)
    except KeyError:
        raise ConfigError([Problem(config.path, 0, f"'{article.id}' was found by listing "
                                                   f"'{article.listing_id}', which is no "
                                                   f"longer in {config.path.name}: it is not "
                                                   "checked, and its history stays in git")]
                          ) from None


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
    source = source_or_found(config, args.id)
    if isinstance(source, FoundArticle):
        return _remove_found(config, source)
    versions = 0
    found = 0
    with writing(config) as store:
        if store is not None:
            store.sync_worktree()
            versions = len(store.log(source.id))
            store.remove(source.id)
            if source.discover and store.db is not None:
                found = len(found_articles(store.db, source.id, ("watching", "excluded")))
        edit.remove_source(config.path, source.id)
    print(f"removed {source.id} from {config.path}")
    if versions:
        print(f"its {versions} version(s) stay in the snapshot history, with their captures "
              f"(`monitor history {source.id}` still reads them before it is added again); "
              f"adding {source.id} again continues that history")
    if found:
        print(f"the {found} article(s) it found are no longer checked; their histories stay "
              "in the snapshot history too")
    return EXIT_OK


def _remove_found(config: Config, article: FoundArticle) -> int:
    listing = _listing_of(config, article)
    versions = 0
    with writing(config) as store:
        assert store is not None  # the article was read from its database
        store.sync_worktree()
        versions = len(store.log(article.id))
        _exclude(store, config, listing, article, True)
        store.remove(article.id)
    print(f"removed {article.id}: listing {listing.id} no longer watches it (`exclude:` "
          f"in {config.path})")
    print(f"its {versions} version(s) stay in the snapshot history, with their captures "
          f"(`monitor history {article.id}`); `monitor resume {article.id}` watches it again "
          "and continues that history")
    return EXIT_OK


def _exclude(store: Store, config: Config, listing: Source, article: FoundArticle,
             excluded: bool) -> bool:
    """Mark ``article`` excluded (or watched) in state and in its listing's ``exclude:``,
    under the caller's writer lock; False when both already said so."""
    with store.transaction() as db:
        row = found_article(db, article.id)
        state = row.state if row else article.state
        changed = (state == "excluded") != excluded
        if changed:
            set_found_state(db, article.id, "excluded" if excluded else "watching")
    # The file after the database: a pass checks the article only when neither
    # excludes it, so a crash between the two errs on the side of not checking, and
    # running the command again finishes it.
    return edit.set_excluded(config.path, listing.id, article.id, excluded) or changed


def cmd_rename(args: argparse.Namespace) -> int:
    config = load_config(args)
    source = source_or_found(config, args.old)
    if isinstance(source, FoundArticle):
        print(for_terminal(
            f"monitor rename: {source.id} was found by listing '{source.listing_id}', and its "
            "id is made from its URL: it cannot be renamed. To watch the page under an id of "
            f"your own, `monitor remove {source.id}` and `monitor add {source.url} --id NEW` "
            "(a history of its own)"), file=sys.stderr)
        return EXIT_USAGE
    new = args.new
    if not valid_source_id(new):
        print(f"monitor rename: {new!r} is not a valid id: use letters, digits, '.', '_' "
              "or '-' (it names snapshots/<id>.md)", file=sys.stderr)
        return EXIT_USAGE
    if any(other.id == new for other in config.sources):
        print(f"monitor rename: a source with id '{new}' already exists: choose another "
              "new id", file=sys.stderr)
        return EXIT_USAGE
    problem = _listing_rename_problem(config, source, new)
    if problem:
        print(f"monitor rename: {problem}", file=sys.stderr)
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


def _listing_rename_problem(config: Config, source: Source, new: str) -> str | None:
    """Why ``new`` may not be the source's id because of listings (checked before the
    store renames anything): another listing's namespace, or a listing's own rules."""
    clash = listing_namespace_clash(new, [s.id for s in config.sources
                                          if s.discover and s.id != source.id])
    if clash:
        return (f"'{new}' begins with '{clash}.', the prefix of the articles listing "
                f"'{clash}' finds: choose another new id (for example with '-' instead of '.')")
    if not source.discover:
        return None
    if (problem := listing_id_problem(new)):
        return problem
    store = Store.of(config.settings)
    if store.open_readonly() and store.db is not None:
        try:
            found = len(found_articles(store.db, source.id))
        finally:
            store.close()
        if found:
            return (f"listing {source.id} has found {found} article(s), whose ids begin "
                    f"with '{source.id}.': renamed, it would lose them. Keep its id (give it "
                    "a `name:` to show instead)")
    return None


def cmd_pause(args: argparse.Namespace) -> int:
    config = load_config(args)
    source = source_or_found(config, args.id)
    if isinstance(source, FoundArticle):
        return _pause_found(config, source, True)
    if edit.set_enabled(config.path, source.id, False):
        print(f"paused {source.id} (enabled: false): not checked until `monitor resume "
              f"{source.id}`; alerts already made are still delivered")
        if source.discover:
            print(f"the articles {source.id} found are paused with it")
    else:
        print(f"{source.id} was already paused")
    return EXIT_OK


def cmd_resume(args: argparse.Namespace) -> int:
    config = load_config(args)
    source = source_or_found(config, args.id)
    if isinstance(source, FoundArticle):
        return _pause_found(config, source, False)
    if edit.set_enabled(config.path, source.id, True):
        print(f"resumed {source.id}: checked again from the next `monitor check`")
    else:
        print(f"{source.id} was not paused")
    return EXIT_OK


def _pause_found(config: Config, article: FoundArticle, paused: bool) -> int:
    listing = _listing_of(config, article)
    with writing(config) as store:
        assert store is not None  # the article was read from its database
        changed = _exclude(store, config, listing, article, paused)
    if not changed:
        print(f"{article.id} was {'already' if paused else 'not'} paused")
    elif paused:
        print(f"paused {article.id} (in the `exclude:` of listing {listing.id}): not checked "
              f"until `monitor resume {article.id}`; alerts already made are still delivered")
    else:
        print(f"resumed {article.id}: checked again from the next `monitor check`"
              + ("" if listing.enabled else f", once listing {listing.id} is resumed too"))
    return EXIT_OK
