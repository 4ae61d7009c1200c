"""Snapshots in real git, state in real SQLite, one writer at a time."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Project

from monitor.cli.demo_site import Article
from monitor.core.document import Document, Snapshot
from monitor.store.errors import StoreLocked
from monitor.store.files import atomic_write_many
from monitor.store.records import Change
from monitor.store.state import RenameRefused
from monitor.store.store import Store
from testing.site import LocalSite


def make_store(root: Path) -> Store:
    store = Store(root / "snapshots", root / ".monitor" / "state.db", root / "alerts")
    store.open()
    return store


def change(source_id: str, text: str, event: str = "changed", **trailers: str) -> Change:
    document = Document(title=f"Title of {source_id}", paragraphs=(text,))
    return Change(source_id, event, Snapshot(document, url=f"https://e.org/{source_id}"),
                  trailers={"URL": f"https://e.org/{source_id}", **trailers})


def test_open_creates_a_git_repository_of_its_own(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    assert (tmp_path / "snapshots" / ".git").is_dir()
    assert store.head() is None
    assert (tmp_path / ".monitor" / "state.db").exists()
    store.close()


def test_one_fast_import_writes_one_commit_per_change(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    ids = store.commit([change("a", "first", "baseline"), change("b", "second", "baseline"),
                        change("a", "first, edited")])
    assert len(ids) == 3 and len(set(ids)) == 3
    assert store.head() == ids[-1]
    assert (tmp_path / "snapshots" / "a.md").read_text().endswith("first, edited\n")
    assert store.read_snapshot("b") is not None
    # The files are written at once; git's index follows at the end of the pass.
    store.refresh_index()
    assert store.git("status", "--porcelain") == ""  # index and files match the commit
    entries = store.log("a")
    assert [e.subject for e in entries] == ["changed: a", "baseline: a"]
    assert entries[0].trailers["Source"] == "a"
    assert entries[0].trailers["URL"] == "https://e.org/a"
    assert store.previous_revision(ids[2], "a") == ids[0]
    identity = store.git("log", "-1", "--format=%an <%ae>|%cn <%ce>")
    assert identity.strip() == "monitor <monitor@localhost>|monitor <monitor@localhost>"
    store.close()


def test_commits_ignore_user_hooks_and_config(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A repository hook, or a user's git config, must not stop or change monitor's commits.

    fast-import updates the branch through a ref transaction, which runs the
    ``reference-transaction`` hook: one that refuses (or a user's
    ``core.hooksPath`` full of them) would lose every snapshot.
    """
    refusing = "#!/bin/sh\necho ran >> \"$0.ran\"\nexit 1\n"
    store = make_store(tmp_path)
    hook = tmp_path / "snapshots" / ".git" / "hooks" / "reference-transaction"
    hook.write_text(refusing)
    hook.chmod(0o755)
    user_hooks = tmp_path / "user-hooks"
    user_hooks.mkdir()
    (user_hooks / "reference-transaction").write_text(refusing)
    (user_hooks / "reference-transaction").chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[core]\n\thooksPath = {user_hooks}\n"
                                     "[commit]\n\tgpgsign = true\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    [revision] = store.commit([change("a", "text", "baseline")])
    assert store.head() == revision
    assert not (user_hooks / "reference-transaction.ran").exists()
    assert not hook.with_name("reference-transaction.ran").exists()
    store.close()


def test_second_writer_waits_then_gives_up_with_a_clear_message(tmp_path: Path) -> None:
    first, second = make_store(tmp_path), make_store(tmp_path)
    waits: list[str] = []
    with first.lock(1), pytest.raises(StoreLocked) as raised, \
            second.lock(0.3, on_wait=waits.append):
        pass
    assert f"pid {os.getpid()}" in str(raised.value)
    assert "settings.lock_timeout" in str(raised.value)
    assert waits and "waiting for the store lock" in waits[0]
    with second.lock(0.3):  # free again once the first is done
        pass
    first.close()
    second.close()


def test_lock_of_a_killed_process_is_released(tmp_path: Path) -> None:
    state = tmp_path / ".monitor" / "state.db"
    code = ("import sys, time; from pathlib import Path; from monitor.store.store import Store\n"
            f"s = Store(Path({str(tmp_path / 'snapshots')!r}), Path({str(state)!r}), "
            f"Path({str(tmp_path / 'alerts')!r}))\n"
            "with s.lock(5):\n    print('locked', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        store = make_store(tmp_path)
        with pytest.raises(StoreLocked), store.lock(0.2):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        started = time.monotonic()
        with store.lock(5):
            assert time.monotonic() - started < 4  # released by the kernel, not timed out
        store.close()
    finally:
        holder.kill()
        holder.wait()


def test_alert_of_a_change_committed_before_a_crash_is_recovered(project: Project,
                                                                 letter: Article) -> None:
    """A crash after the git commit but before the database heard of it loses nothing."""
    path = "/news/letter"
    project.site.put_article(path, letter)
    project.write({"letter": path})
    project.run("check")
    # What a run killed right after `git fast-import` leaves behind: a commit with
    # its Alert trailer that neither the state database nor the outbox has seen.
    store = make_store(project.root)
    stored = store.read_snapshot("letter")
    assert stored is not None
    # Detected long before the restart (a weekend's outage): never tried, so never dead.
    long_ago = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    edited = letter.edited("80,000", "8,000")
    document = replace(stored.document, paragraphs=tuple(
        p.replace("80,000", "8,000") for p in stored.document.paragraphs))
    [revision] = store.commit([Change("letter", "changed", Snapshot(document, stored.url),
                                      trailers={"URL": stored.url,
                                                "Fetched-At": long_ago},
                                      alerts=[("changed", "01JD5W2V3K8QCRASHED0000000")])])
    store.close()
    project.site.put_article(path, edited)

    result = project.run("check")
    assert result.code == 0
    assert "recovered from git" in result.out
    assert "unchanged" in result.out  # the page matches the recovered snapshot
    [post] = project.site.posts()
    alert = post.json()
    assert alert["id"] == "01JD5W2V3K8QCRASHED0000000"
    assert alert["event"] == "changed"
    assert alert["revision"] == revision
    assert alert["diff"]["removed"] == ["80,000"] and alert["diff"]["added"] == ["8,000"]
    assert alert["detected_at"] == long_ago
    project.run("check")
    assert len(project.site.posts()) == 1


def test_alert_files_are_written_when_missing(project: Project, letter: Article) -> None:
    project.site.put_article("/a", letter)
    project.write({"a": "/a"})
    project.run("check")
    project.site.put_article("/a", letter.edited("80,000", "8,000"))
    project.run("check")
    [path] = project.alerts()
    content = path.read_text()
    path.unlink()
    store = make_store(project.root)
    with store.transaction() as db:  # as if the run died before writing the file
        db.execute("UPDATE alerts SET file_written = 0")
    store.close()
    project.run("check")
    [again] = project.alerts()
    assert again.read_text() == content


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 8 MB filesystem (tmpfs) that the test can fill or make read-only."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_or_read_only_disk_is_a_clear_error_and_loses_nothing(
        small_disk: Path, site, letter: Article) -> None:
    project = Project(small_disk, site)
    site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    assert project.run("check").code == 0
    site.put_article("/letter", letter.edited("80,000", "8,000"))

    filler = small_disk / "filler"
    with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)
    full = project.run("check")
    assert full.code == 1
    assert "the disk is full" in full.err and "nothing was lost" in full.err
    assert "Traceback" not in full.err
    assert site.posts() == []
    filler.unlink()

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    read_only = project.run("check")
    assert read_only.code == 1 and "the file system is read-only" in read_only.err
    assert "Traceback" not in read_only.err
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)

    assert project.run("check").code == 0
    [post] = site.posts()
    assert post.json()["diff"]["added"] == ["8,000"]
    fsck = subprocess.run(["git", "-C", str(small_disk / "snapshots"), "fsck", "--strict"],
                          capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    assert project.run("check").code == 0
    assert len(site.posts()) == 1


def test_many_files_are_written_whole_and_replace_older_ones(tmp_path: Path) -> None:
    folder = tmp_path / "alerts"
    folder.mkdir()
    (folder / "old.json").write_bytes(b"old")
    files = {folder / f"{i}.json": str(i).encode() * 100 for i in range(50)}
    files[folder / "old.json"] = b"new"
    atomic_write_many(files)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in files)
    assert all(path.read_bytes() == data for path, data in files.items())


def test_many_files_that_do_not_fit_leave_nothing_behind(small_disk: Path) -> None:
    files = {small_disk / f"{i}.json": b"x" * 1_000_000 for i in range(20)}  # 20 MB, 8 MB disk
    with pytest.raises(OSError):
        atomic_write_many(files)
    assert list(small_disk.iterdir()) == []  # no half file under a name, no temporary file


def test_a_damaged_state_database_says_so_and_how_to_recover(project: Project,
                                                              letter: Article) -> None:
    project.site.put_article("/a", letter)
    project.write({"a": "/a"})
    project.run("check")
    state = project.root / ".monitor" / "state.db"
    for extra in state.parent.glob("state.db-*"):
        extra.unlink()
    state.write_bytes(b"this is not a database" * 100)
    for command in ("list", "check"):
        result = project.run(command)
        assert result.code == 1
        assert "state database" in result.err and "is damaged" in result.err
        assert "run again once it is writable" not in result.err
    state.rename(state.with_suffix(".damaged"))  # what the message says to do
    result = project.run("check")
    assert result.code == 0 and "state rebuilt from 1 commit" in result.out


def test_two_projects_sharing_one_snapshots_repository_never_write_it_at_once(
        tmp_path: Path, site: LocalSite, letter: Article, report: Article) -> None:
    shared = tmp_path / "shared-snapshots"
    first, second = Project(tmp_path / "a", site), Project(tmp_path / "b", site)
    for project in (first, second):
        project.root.mkdir()
    site.put_article("/letter", letter)
    site.put_article("/report", report)
    first.write({"letter": "/letter"}, settings={"snapshots": str(shared)})
    second.write({"report": "/report"}, settings={"snapshots": str(shared),
                                                  "lock_timeout": "1s"})
    assert first.run("check").code == 0
    # The first project's writer holds the store (its state lock and the repository's).
    store = Store(shared, first.root / ".monitor" / "state.db", first.root / "alerts")
    with store.lock(5):
        blocked = second.run("check")
    assert blocked.code == 1 and "another monitor process" in blocked.err
    assert str(shared) in blocked.err
    assert second.run("check").code == 0
    # Each project sends its own alerts only, even though it sees the other's commits.
    site.put_article("/letter", letter.edited("80,000", "8,000"))
    assert first.run("check").code == 0
    assert second.run("check").code == 0
    assert [(p.json()["source_id"], p.json()["event"]) for p in site.posts()] == [
        ("letter", "changed")]


def test_a_record_update_writes_only_what_it_names(tmp_path: Path) -> None:
    from monitor.core.decide import State
    from monitor.store.records import RecordUpdate

    store = Store(tmp_path / "snapshots", tmp_path / ".monitor" / "state.db", tmp_path / "alerts")
    store.open()
    try:
        with store.transaction() as db:
            store.save(db, "a", RecordUpdate.of_state(State(status="ok", failing=True)),
                       RecordUpdate(etag='"v1"', last_modified="yesterday", final_url="u"))
        with store.transaction() as db:  # None empties a column, KEEP leaves it
            store.save(db, "a", RecordUpdate(etag=None, last_outcome="removed"))
        record = store.record("a")
    finally:
        store.close()
    assert record.state == State(status="ok", failing=True)
    assert (record.etag, record.last_modified, record.final_url, record.last_outcome) == (
        None, "yesterday", "u", "removed")
    assert RecordUpdate().columns() == {}
    with pytest.raises(TypeError):
        RecordUpdate(etga="typo")  # type: ignore[call-arg]


def test_rename_commits_a_git_rename_that_the_history_follows(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    try:
        first, second = store.commit([change("a", "first", "baseline"), change("a", "second")])
        with store.transaction() as db:
            from monitor.store.records import RecordUpdate

            store.save(db, "a", RecordUpdate(revision=second, status="ok"))
            store.add_version(db, "a", "hash", second)
            store.set_ingested_head(db, second)
        renamed = store.rename("a", "b")
        assert renamed is not None and store.head() == renamed
        assert store.ingested_head() == renamed  # recovery has nothing to replay
        assert not (tmp_path / "snapshots" / "a.md").exists()
        assert store.read_snapshot("b") is not None
        entries = store.log("b")
        assert [e.revision for e in entries] == [renamed, second, first]
        assert "Event" not in entries[0].trailers  # no version of the page
        assert entries[0].trailers["Renamed-From"] == "a"
        assert store.former_ids("b") == ["a"]
        assert store.snapshot_at(first, "b") is not None  # read under the id it had then
        assert store.snapshots_at([(first, "b"), (renamed, "b")])[0] is not None
        assert store.previous_revision(renamed, "b") == second
        assert store.version_of(first[:10], "b") == first
        assert store.record("b").revision == second and store.record("a").state.status == "new"
        assert store.text_hash_at("b", second) == "hash"
        store.commit([change("c", "x", "baseline")])
        with pytest.raises(RenameRefused, match=r"snapshots/c\.md already exists"):
            store.rename("b", "c")
    finally:
        store.close()


def test_remove_archives_the_row_and_a_later_check_brings_it_back(tmp_path: Path) -> None:
    from monitor.store.records import RecordUpdate

    store = make_store(tmp_path)
    try:
        with store.transaction() as db:
            store.save(db, "a", RecordUpdate(status="ok", revision="abc"))
        assert store.remove("a") and not store.remove("never-seen")
        archived = store.record("a")
        assert archived.removed_at is not None and archived.revision == "abc"
        with store.transaction() as db:
            store.save(db, "a", RecordUpdate(last_outcome="unchanged"))
        assert store.record("a").removed_at is None
    finally:
        store.close()


def test_an_old_state_database_is_upgraded_on_open(tmp_path: Path) -> None:
    """A database from before `monitor remove`: its sources table gains removed_at."""
    import sqlite3

    state = tmp_path / ".monitor" / "state.db"
    state.parent.mkdir(parents=True)
    with sqlite3.connect(state) as db:
        db.execute("CREATE TABLE sources (id TEXT PRIMARY KEY, status TEXT NOT NULL DEFAULT "
                   "'new', gone_count INTEGER NOT NULL DEFAULT 0, collapse_count INTEGER NOT "
                   "NULL DEFAULT 0, failure_count INTEGER NOT NULL DEFAULT 0, failing INTEGER "
                   "NOT NULL DEFAULT 0, revision TEXT)")
        db.execute("INSERT INTO sources (id, status, revision) VALUES ('a', 'ok', 'abc')")
    store = make_store(tmp_path)
    try:
        assert store.remove("a")
        record = store.record("a")
        assert record.revision == "abc" and record.removed_at is not None
    finally:
        store.close()


def test_a_pass_keeps_the_commit_graph_with_changed_path_filters(project: Project,
                                                                letter: Article) -> None:
    """What keeps `git log -- <id>.md` (history, the web's timeline) quick in a long history."""
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    assert project.run("check").code == 0
    info = project.root / "snapshots" / ".git" / "objects" / "info"
    graphs = [*info.glob("commit-graph"), *info.glob("commit-graphs/*.graph")]
    assert graphs, "no commit-graph written"
    verified = subprocess.run(["git", "-C", str(project.root / "snapshots"), "commit-graph",
                               "verify"], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr


def test_commits_read_from_the_objects_match_the_log(project: Project,
                                                     letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    project.run("check")
    store = make_store(project.root)
    try:
        logged = store.log("letter")
        assert store.commits_at([e.revision for e in logged]) == logged
        assert store.commits_at(["0" * 40]) == [None]
        assert store.revisions_of("letter") == [e.revision for e in reversed(logged)]
        summary = store.record_summaries()["letter"]
        assert (summary.status, summary.failing, summary.revision) == (
            "ok", False, logged[0].revision)
        assert summary.last_event == "changed"
    finally:
        store.close()
