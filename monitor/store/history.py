"""History queries: a source's versions, and what changed between two of them.

The CLI prints these answers and the web UI will render the same ones, so
both say the same things in the same words. Every refusal is a HistoryError
whose text says what to do next; none of these functions writes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.core.document import Document, Snapshot
from monitor.core.readable_diff import Side, changed_blocks, render
from monitor.core.version_summary import version_summary
from monitor.store.errors import UnknownRevision
from monitor.store.git import SnapshotRepo


class HistoryError(Exception):
    """A question the history cannot answer, said so that a person knows why."""


class NoSnapshots(HistoryError):
    """There is no snapshot repository yet: nothing has been checked."""


@dataclass(frozen=True)
class Version:
    """One commit that changed a source's snapshot file, newest first in a list."""

    revision: str
    date: str  # ISO 8601, as git wrote it
    subject: str
    event: str  # the commit's Event trailer: baseline, changed, removed, ...
    reason: str  # the Reason trailer (rescoped, reset-history, ...), "" when none
    alerts: tuple[tuple[str, str], ...] = ()  # (event, alert id) the commit raised
    fetched_at: str = ""  # the Fetched-At trailer (RFC 3339): when the page read so

    @property
    def short(self) -> str:
        return self.revision[:10]

    @property
    def when(self) -> str:
        """When this version was seen: the fetch, else the commit (older commits)."""
        return self.fetched_at or self.date

    def side(self) -> Side:
        # a commit that is no version of the page (a rename) is named by its subject
        return Side(self.revision, self.when, self.event or self.subject, self.reason)


@dataclass(frozen=True)
class Comparison:
    """Two versions of one source to compare, the older first."""

    source_id: str
    old: str
    new: str


class History:
    """Read-only questions to the snapshot repository in ``snapshots``."""

    def __init__(self, snapshots: Path):
        if not (snapshots / ".git" / "HEAD").exists():
            raise NoSnapshots(f"no snapshots yet in {snapshots}: run `monitor check` first")
        self.repo = _ReadOnlyRepo(snapshots)

    def versions(self, source_id: str) -> list[Version]:
        """Every version of ``source_id``, newest first; [] when it has none."""
        return [Version(entry.revision, entry.date, entry.subject,
                        entry.trailers.get("Event", ""), entry.trailers.get("Reason", ""),
                        tuple(entry.alerts), entry.trailers.get("Fetched-At", ""))
                for entry in self.repo.log(source_id)]

    def summaries(self, source_id: str, versions: Sequence[Version]) -> list[str]:
        """Each version's one line ("changed: 80,000 → 8,000"), ``versions`` newest first
        as ``versions()`` gives them: each is compared with the one after it."""
        snapshots = self.repo.snapshots_at([(v.revision, source_id) for v in versions])
        return [version_summary(version.event, version.reason,
                                snapshots[i + 1] if i + 1 < len(snapshots) else None,
                                snapshots[i])
                if version.event else version.subject  # no version of the page: a rename
                for i, version in enumerate(versions)]

    def source_ids(self) -> list[str]:
        """The ids whose snapshot files the history holds now (a source since dropped
        from sources.yaml keeps its history: it is evidence)."""
        if not self.repo.head():
            return []
        names = self.repo.git("ls-tree", "--name-only", "HEAD", check=False).splitlines()
        return sorted(name[:-3] for name in names if name.endswith(".md"))

    def comparison(self, source_id: str, revisions: Sequence[str] = ()) -> Comparison:
        """What to compare: the last change (no revision), what one revision changed,
        or two revisions as given."""
        if len(revisions) > 2:
            raise HistoryError("at most two revisions can be compared")
        try:
            commits = [self.repo.version_of(revision, source_id) for revision in revisions]
        except UnknownRevision as exc:
            raise HistoryError(f"{exc} (`monitor history {source_id}` lists its versions)") \
                from None
        if not commits:
            entries = self.repo.log(source_id)
            if len(entries) < 2:
                raise HistoryError(f"'{source_id}' has {len(entries)} version(s): "
                                   "nothing to compare yet")
            return Comparison(source_id, entries[1].revision, entries[0].revision)
        if len(commits) == 1:
            previous = self.repo.previous_revision(commits[0], source_id)
            if previous is None:
                raise HistoryError(f"{revisions[0]} is the first version of '{source_id}': "
                                   "nothing before it to compare with")
            return Comparison(source_id, previous, commits[0])
        return Comparison(source_id, commits[0], commits[1])

    def readable_diff(self, comparison: Comparison, *, lines: bool = False,
                      color: bool = False) -> str:
        """The two versions named, then only the changed fields and paragraphs, words
        marked as the alerts mark them ("" when the wording is the same)."""
        source_id = comparison.source_id
        by_revision = {version.revision: version for version in self.versions(source_id)}
        old, new = (snapshot or Snapshot(Document(), "") for snapshot in self.repo.snapshots_at(
            [(comparison.old, source_id), (comparison.new, source_id)]))
        before, after = (by_revision[revision].side() if revision in by_revision
                         else Side(revision, "", "")
                         for revision in (comparison.old, comparison.new))
        return render(source_id, before, after, changed_blocks(old, new), lines=lines,
                      color=color)

    def diff_text(self, comparison: Comparison, *, words: bool = True,
                  color: bool = False) -> str:
        """git's diff of the snapshot file between the two versions ("" when identical)."""
        options = ["--word-diff=plain"] if words else []
        if color:
            options.append("--color=always")
        return self.repo.git("diff", *options, comparison.old, comparison.new, "--",
                             f"{comparison.source_id}.md", check=False)


class _ReadOnlyRepo(SnapshotRepo):
    """The snapshot repository without the store's lock and database: reads only."""

    def __init__(self, snapshots: Path):
        self.snapshots = snapshots
        self._synced_head = None
        self._index_stale = False
