"""The snapshot history: one commit per new version, written with ``git fast-import``.

No shared index, no hooks, no signing, an explicit committer. The files in
``snapshots/`` are a view of the branch; reads never follow a symbolic link.
"""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from monitor.core.document import Snapshot
from monitor.core.ids import valid_source_id
from monitor.core.safe_text import strip_controls
from monitor.store.errors import (
    GitError,
    UnknownRevision,
)
from monitor.store.records import Change, LogEntry

BRANCH = "refs/heads/main"
COMMITTER = "monitor <monitor@localhost>"
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "monitor",
    "GIT_AUTHOR_EMAIL": "monitor@localhost",
    "GIT_COMMITTER_NAME": "monitor",
    "GIT_COMMITTER_EMAIL": "monitor@localhost",
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}


class SnapshotRepo:
    """The snapshot repository of a Store (a part of it, not used alone)."""

    snapshots: Path
    _synced_head: str | None
    _index_stale: bool

    def git(self, *args: str, input: bytes | None = None, check: bool = True) -> str:
        """Run git in the snapshots repository, with no user config, hooks or prompts."""
        command = ["git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false",
                   "-c", "core.quotepath=false", *args]
        done = subprocess.run(command, cwd=self.snapshots, input=input, capture_output=True,
                              env={**os.environ, **GIT_ENV})
        if check and done.returncode != 0:
            raise GitError(f"git {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout.decode("utf-8", errors="replace")

    def head(self) -> str | None:
        """The branch's commit, read from the ref files: no git process per pass."""
        git_dir = self.snapshots / ".git"
        try:
            return (git_dir / BRANCH).read_text().strip() or None
        except FileNotFoundError:
            pass
        try:
            packed = (git_dir / "packed-refs").read_text().splitlines()
        except FileNotFoundError:
            return None
        return next((line.split()[0] for line in packed if line.endswith(f" {BRANCH}")), None)

    def sync_worktree(self) -> None:
        """Make the snapshot files and git's index match the last commit exactly.

        Done once per process and again whenever another process has committed
        (or a crash left files half-written): the files are a view of git.
        """
        head = self.head()
        if head and head != self._synced_head:
            self.git("reset", "-q", "--hard", BRANCH)
            self._index_stale = False
        self._synced_head = head

    def pack(self) -> None:
        """Merge the packs that group commits leave once there are many (git gc --auto).

        In the foreground, under our lock: a detached gc would outlive the run.
        """
        if self.head():
            # One delta-search thread with a bounded window: at 10,000 sources the
            # default (a thread per core) was the largest process of a pass.
            self.git("-c", "gc.autoDetach=false", "-c", "pack.threads=1",
                     "-c", "pack.windowMemory=64m", "gc", "--auto", "--quiet")
            # A source's history is `git log -- <id>.md` over every source's commits; the
            # commit-graph's changed-path filters let git skip the commits that did not
            # touch it (at 6,000 commits, 1.4 s became 0.09 s). Incremental: the new
            # commits only.
            self.git("commit-graph", "write", "--reachable", "--changed-paths", "--split",
                     check=False)

    def refresh_index(self) -> None:
        """Bring git's index up to the files our commits wrote (once, at the end of a pass).

        Only for people who run ``git status`` in snapshots/: monitor itself
        reads the files, and a new process resets everything to the branch anyway.
        """
        if self._index_stale and self.head():
            self.git("reset", "-q", BRANCH)
            self._index_stale = False

    def read_snapshot(self, source_id: str) -> Snapshot | None:
        """The snapshot file as it is in the working tree; None if missing or not a file.

        Never through a symbolic link: one committed into snapshots/ could point
        anywhere on the machine (/etc/passwd), and its contents would reach an alert.
        """
        try:
            fd = os.open(self.snapshots / f"{source_id}.md", os.O_RDONLY | os.O_NOFOLLOW)
        except (FileNotFoundError, OSError):
            return None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return Snapshot.parse(handle.read().decode("utf-8", errors="replace"))

    def has_snapshot_file(self, source_id: str) -> bool:
        """Whether snapshots/<id>.md is there as a plain file (a symlink does not count)."""
        try:
            return stat.S_ISREG(os.lstat(self.snapshots / f"{source_id}.md").st_mode)
        except OSError:
            return False

    def _write_snapshot_file(self, name: str, content: bytes) -> None:
        """Write a file of the tree in place of whatever is there, a symlink included."""
        path = self.snapshots / name
        if path.is_symlink():
            path.unlink()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)

    def snapshot_at(self, revision: str, source_id: str) -> Snapshot | None:
        """The source's snapshot at ``revision``, under the id it had then."""
        for name in (source_id, *self._former_ids_if_absent(revision, source_id)):
            text = self.git("show", f"{revision}:{name}.md", check=False)
            if text:
                return Snapshot.parse(text)
        return None

    def former_ids(self, source_id: str) -> list[str]:
        """The ids a source had before ``monitor rename``, newest first (from the
        ``Renamed-From`` trailers of the renames that made each name)."""
        if not self.head():
            return []
        found: list[str] = []
        queue = [source_id]
        while queue:
            current = queue.pop(0)
            out = self.git("log", "--format=%(trailers:key=Renamed-From,valueonly)", BRANCH,
                           "--", f"{current}.md", check=False)
            for name in out.split():
                if name != source_id and name not in found and valid_source_id(name):
                    found.append(name)
                    queue.append(name)
        return found

    def _former_ids_if_absent(self, revision: str, source_id: str) -> list[str]:
        done = subprocess.run(["git", "cat-file", "-e", f"{revision}:{source_id}.md"],
                              cwd=self.snapshots, capture_output=True,
                              env={**os.environ, **GIT_ENV})
        return [] if done.returncode == 0 else self.former_ids(source_id)

    def rename_snapshot(self, old: str, new: str) -> str:
        """Commit ``old``.md renamed to ``new``.md (``monitor rename``) and return the commit.

        The commit has no ``Event`` trailer: it is no version of the page, and
        recovery passes over it. ``Renamed-From`` is how the history of the new
        id reaches back to the commits of the old one.
        """
        for source_id in (old, new):
            if not valid_source_id(source_id):
                raise ValueError(f"not a valid source id: {source_id!r}")
        parent = self.head()
        if parent is None:
            raise ValueError("nothing to rename: the snapshot history is empty")
        snapshot = self.snapshot_at(BRANCH, old)
        title = strip_controls(snapshot.document.title) if snapshot else ""
        message = (f"renamed: {new} (was {old})\n\n{title or old}\n\nSource: {new}\n"
                   f"Renamed-From: {old}\nCapture-Skipped: a rename, nothing was fetched\n"
                   ).encode()
        data = (f"commit {BRANCH}\nmark :1\ncommitter {COMMITTER} {int(time.time())} +0000\n"
                f"data {len(message)}\n").encode() + message \
            + f"\nfrom {parent}\nR {old}.md {new}.md\ndone\n".encode()
        with tempfile.NamedTemporaryFile(dir=self.snapshots / ".git", suffix=".marks") as marks:
            self.git("fast-import", "--quiet", "--done", f"--export-marks={marks.name}",
                     input=data)
            revision = Path(marks.name).read_text().split()[1]
        old_path, new_path = self.snapshots / f"{old}.md", self.snapshots / f"{new}.md"
        if old_path.is_symlink() or not old_path.exists():
            self.git("checkout", "-q", BRANCH, "--", f"{new}.md")
        else:
            os.replace(old_path, new_path)
        self._synced_head = revision
        self._index_stale = True
        return revision

    def commit(self, changes: list[Change]) -> list[str]:
        """Write one commit per change in a single fast-import run; return their ids.

        fast-import refuses to move the branch unless it is a fast-forward, so a
        second writer can never rewrite history.
        """
        if not changes:
            return []
        for change in changes:  # a newline in a path would break the whole stream
            if not valid_source_id(change.source_id):
                raise ValueError(f"not a valid source id: {change.source_id!r}")
        parent = self.head()
        stream = bytearray()
        stamp = int(time.time())
        contents = [change.snapshot.render().encode() for change in changes]
        for mark, (change, content) in enumerate(zip(changes, contents, strict=True), start=1):
            message = change.message().encode()
            stream += f"commit {BRANCH}\nmark :{mark}\n".encode()
            stream += f"committer {COMMITTER} {stamp} +0000\n".encode()
            stream += b"data %d\n%s\n" % (len(message), message)
            if mark == 1 and parent:
                stream += f"from {parent}\n".encode()
            stream += f"M 100644 inline {change.path}\n".encode()
            stream += b"data %d\n%s\n" % (len(content), content)
        stream += b"done\n"
        with tempfile.NamedTemporaryFile(dir=self.snapshots / ".git", suffix=".marks") as marks:
            # Keep the pack even for a few commits: unpacked, each commit's tree (every
            # source's entry, ~500 kB at 10,000 sources) would be a loose object of its
            # own, compressed whole instead of stored as a small delta.
            self.git("-c", "fastimport.unpackLimit=0", "fast-import", "--quiet", "--done",
                     f"--export-marks={marks.name}", input=bytes(stream))
            ids = dict(line.split() for line in Path(marks.name).read_text().splitlines())
        # The files are a view of the branch: write the new versions ourselves, because
        # a reset per batch re-reads and rewrites the index of every snapshot (36 ms at
        # 10,000 sources). A crash before this is repaired by the next sync_worktree().
        for change, content in zip(changes, contents, strict=True):
            self._write_snapshot_file(change.path, content)
        self._synced_head = ids[f":{len(changes)}"]
        self._index_stale = True
        return [ids[f":{mark}"] for mark in range(1, len(changes) + 1)]

    def log(self, source_id: str | None = None, since: str | None = None) -> list[LogEntry]:
        """Commits newest first (oldest first with ``since``), with their trailers."""
        if not self.head():
            return []
        args = ["log", "--format=%H%x1f%aI%x1f%s%x1f%(trailers:only,unfold)%x1e"]
        if since:
            args += ["--reverse", f"{since}..{BRANCH}"]
        else:
            args.append(BRANCH)
        if source_id:
            # Back through `monitor rename` by its trailers, not git's --follow, whose
            # guess at renames can jump to another source's similar file.
            names = [source_id, *self.former_ids(source_id)]
            args += ["--", *(f"{name}.md" for name in dict.fromkeys(names))]
        entries = []
        for record in self.git(*args).split("\x1e"):
            if not record.strip():
                continue
            revision, date, subject, trailers = record.strip("\n").split("\x1f")
            pairs = [line.split(": ", 1) for line in trailers.splitlines() if ": " in line]
            alerts = [tuple(value.split(" ", 1)) for key, value in pairs
                      if key == "Alert" and " " in value]
            entries.append(LogEntry(revision, date, subject,
                                    {k: v for k, v in pairs if k != "Alert"},
                                    alerts))  # type: ignore[arg-type]
        return entries

    def version_of(self, revision: str, source_id: str) -> str:
        """The full commit id of ``revision``, which must be a version of ``source_id``.

        UnknownRevision, in words, when it is not in the history or changed
        another source: a history must never call either "the first version".
        """
        if not revision or revision.startswith("-"):  # never an option to git
            raise UnknownRevision(f"no revision {revision!r}")
        commit = self.git("rev-parse", "--verify", "--quiet", "--end-of-options",
                          f"{revision}^{{commit}}", check=False).strip()
        if not commit:
            raise UnknownRevision(f"no revision {revision}")
        touched = self.git("log", "-1", "--format=%H", commit, "--", f"{source_id}.md",
                           check=False).strip()
        if touched != commit and commit not in {e.revision for e in self.log(source_id)}:
            raise UnknownRevision(f"{revision} is not a version of {source_id}")
        return commit

    def is_ancestor(self, revision: str, of: str) -> bool:
        """Whether ``revision`` is in the history of ``of`` (False if it is not in the repo)."""
        done = subprocess.run(["git", "merge-base", "--is-ancestor", revision, of],
                              cwd=self.snapshots, capture_output=True,
                              env={**os.environ, **GIT_ENV})
        return done.returncode == 0

    def snapshots_at(self, versions: list[tuple[str, str]]) -> list[Snapshot | None]:
        """The snapshot of each (revision, source id), read by one git process."""
        found = self._objects([f"{revision}:{source_id}.md" for revision, source_id in versions])
        return [Snapshot.parse(body.decode("utf-8", "replace")) if body is not None
                # missing: under an id it had before a rename?
                else self.snapshot_at(*version)
                for version, (_, body) in zip(versions, found, strict=True)]

    def commits_at(self, revisions: list[str]) -> list[LogEntry | None]:
        """Each commit as ``log`` gives it (date, subject, trailers), read by one git
        process from the objects alone: no walk of the history. None: no such commit."""
        found = self._objects(revisions)
        return [_parse_commit(revision, body.decode("utf-8", "replace"))
                if kind == "commit" and body is not None else None
                for revision, (kind, body) in zip(revisions, found, strict=True)]

    def _objects(self, names: list[str]) -> list[tuple[str, bytes | None]]:
        """(type, content) of each object name (``rev``, ``rev:path``), by one
        ``git cat-file --batch``; ("missing", None) for a name git does not have."""
        if not names:
            return []
        out = subprocess.run(["git", "cat-file", "--batch"], cwd=self.snapshots,
                             input="".join(f"{name}\n" for name in names).encode(),
                             capture_output=True, check=True,
                             env={**os.environ, **GIT_ENV}).stdout
        found: list[tuple[str, bytes | None]] = []
        at = 0
        for _ in names:
            end = out.index(b"\n", at)
            header = out[at:end].split()
            at = end + 1
            if len(header) != 3:  # "<name> missing"
                found.append(("missing", None))
                continue
            size = int(header[2])
            found.append((header[1].decode(), out[at:at + size]))
            at += size + 1
        return found

    def previous_revision(self, revision: str, source_id: str) -> str | None:
        """The version before ``revision``, under the id the source had then."""
        for name in (source_id, *self._former_ids_if_absent(f"{revision}^", source_id)):
            out = self.git("rev-list", "-1", f"{revision}^", "--", f"{name}.md", check=False)
            if out.strip():
                return out.strip()
        return None


def _parse_commit(revision: str, text: str) -> LogEntry:
    """A raw commit object as a LogEntry: the author date in ISO 8601 (as ``%aI``), the
    subject, and the trailers of its last paragraph."""
    head, _, message = text.partition("\n\n")
    date = ""
    for line in head.splitlines():
        if line.startswith("author "):
            seconds, offset = line.rsplit(" ", 2)[-2:]
            sign = -1 if offset.startswith("-") else 1
            zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
            date = datetime.fromtimestamp(int(seconds), zone).isoformat()
    paragraphs = message.strip("\n").split("\n\n")
    subject = paragraphs[0].splitlines()[0] if paragraphs and paragraphs[0] else ""
    lines = paragraphs[-1].splitlines() if len(paragraphs) > 1 else []
    pairs = [line.split(": ", 1) for line in lines if ": " in line]
    alerts = [tuple(value.split(" ", 1)) for key, value in pairs
              if key == "Alert" and " " in value]
    return LogEntry(revision, date, subject, {k: v for k, v in pairs if k != "Alert"},
                    alerts)  # type: ignore[arg-type]
