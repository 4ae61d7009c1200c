"""`monitor verify` through the real CLI, on a store made by real checks of a local site.

Each tampering an adversary (or a faulty disk) could do to the evidence is done
for real: history rewritten with git, a byte flipped in a capture, a capture
deleted, a checkpoint edited or re-signed. Each must fail verify with a line
that names what broke; the gaps that are no one's fault must not.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Project, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monitor.cli.demo_site import Article
from monitor.evidence.log import canonical

ARTICLE = "/news/huawei-letter"
GONE = "/news/report"
NOT_FOUND = b"<html><body><h1>Not found</h1><p>No such story.</p></body></html>"

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "tamperer", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                "GIT_COMMITTER_NAME": "tamperer", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


# --- the store: a baseline of two pages, then an edit of one and a removal of the other ---


def make_evidence(project: Project, letter: Article, report: Article,
                  settings: dict[str, object] | None = None) -> None:
    """Four commits (two baselines, a change, a removal), each with its capture and
    checkpoint, unless ``settings`` turn captures off."""
    project.site.put_article(ARTICLE, letter)
    project.site.put_article(GONE, report)
    project.write({"letter": ARTICLE, "report": GONE},
                  settings={"confirm_removal": 1, **(settings or {})})
    assert project.run("check").code == 0
    edit_and_remove(project, letter)


def edit_and_remove(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    project.site.put_status(GONE, 404, NOT_FOUND.decode())
    checked = project.run("check")
    assert checked.code == 0, checked
    assert "1 changed, 1 removed" in checked.out


@pytest.fixture
def evidenced(project: Project, letter: Article, report: Article) -> Project:
    make_evidence(project, letter, report)
    return project


# --- reading and tampering with it ---


def git(project: Project, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), *args],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_IDENTITY, **(env or {})}).stdout.strip()


def commit_of(project: Project, subject: str) -> str:
    """The full id of the one commit with this subject, e.g. 'removed: report'."""
    [revision] = [line.split(" ", 1)[0] for line in git(project, "log", "--format=%H %s")
                  .splitlines() if line.split(" ", 1)[1] == subject]
    return revision


def capture_of(project: Project, revision: str) -> Path:
    """The capture file a commit's ``Capture:`` trailer names."""
    body = git(project, "log", "-1", "--format=%B", revision)
    [value] = [line.removeprefix("Capture: sha256:") for line in body.splitlines()
               if line.startswith("Capture: sha256:")]
    path = project.root / "evidence" / "captures" / value[:2] / f"{value}.warc.gz"
    assert path.is_file()
    return path


def log_files(project: Project) -> list[Path]:
    return sorted((project.root / "evidence" / "log").glob("*.json"))


def read_checkpoint(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_checkpoint(path: Path, fields: dict[str, Any]) -> None:
    """As the log writes its files: sorted keys, indented, one trailing newline."""
    path.write_bytes((json.dumps(fields, sort_keys=True, indent=2, ensure_ascii=False)
                      + "\n").encode())


def signed_by(key: Ed25519PrivateKey, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with ``key`` and ``signature`` of another signer, over the canonical bytes."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    fields = {**fields, "key": base64.b64encode(raw).decode("ascii")}
    fields["signature"] = base64.b64encode(key.sign(canonical(fields))).decode("ascii")
    return fields


def fingerprint_of(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def rewrite_history(project: Project, edit: str, old: str, new: str) -> dict[str, str]:
    """Replay every commit onto a new chain with the same messages and dates, but with
    ``old`` replaced by ``new`` in ``edit`` as the first commit holding it has it;
    move the branch there. Returns old commit -> new commit."""
    commits = git(project, "rev-list", "--reverse", "HEAD").split()
    index_file = str(project.root / "tamper.index")
    replaced: dict[str, str] = {}
    parent: str | None = None
    edited = False
    for commit in commits:
        tree = git(project, "rev-parse", f"{commit}^{{tree}}")
        if not edited and edit in git(project, "ls-tree", "--name-only", commit).split():
            text = git(project, "show", f"{commit}:{edit}")
            assert old in text
            blob = subprocess.run(
                ["git", "-C", str(project.root / "snapshots"), "hash-object", "-w", "--stdin"],
                input=text.replace(old, new) + "\n", capture_output=True, text=True,
                check=True).stdout.strip()
            env = {"GIT_INDEX_FILE": index_file}
            git(project, "read-tree", commit, env=env)
            git(project, "update-index", "--cacheinfo", f"100644,{blob},{edit}", env=env)
            tree = git(project, "write-tree", env=env)
            edited = True
        message = git(project, "log", "-1", "--format=%B", commit) + "\n"
        date = git(project, "log", "-1", "--format=%aI", commit)
        args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
        parent = git(project, *args, env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
        replaced[commit] = parent
    assert edited and parent is not None
    git(project, "update-ref", "refs/heads/main", parent)
    git(project, "reset", "-q", "--hard", "refs/heads/main")
    return replaced


def broken(result: Result) -> list[str]:
    return [line for line in result.out.splitlines() if line.startswith("BROKEN")]


def gaps(result: Result) -> list[str]:
    return [line for line in result.out.splitlines() if line.startswith("gap")]


def tomorrow() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")


# --- an honest store ---


def test_an_honest_store_verifies_in_one_line(evidenced: Project) -> None:
    result = evidenced.run("verify")
    assert result.code == 0, result
    assert "BROKEN" not in result.out
    [line] = result.out.splitlines()
    assert line.startswith("verified: 4 capture(s), 4 commit(s), 4 checkpoint(s), signed by ")
    fingerprint = next(line for line in evidenced.run("key").out.splitlines()
                       if line.startswith("fingerprint")).split()[1]
    assert line.endswith(f"signed by {fingerprint}")


# --- each tampering fails verify and names what broke ---


def test_a_rewritten_snapshot_commit_is_no_longer_held(evidenced: Project) -> None:
    baseline = commit_of(evidenced, "baseline: letter")
    replaced = rewrite_history(evidenced, "letter.md", "80,000", "800")
    assert commit_of(evidenced, "baseline: letter") == replaced[baseline] != baseline
    result = evidenced.run("verify")
    assert result.code == 1, result
    [first] = [read_checkpoint(path) for path in log_files(evidenced)
               if baseline in read_checkpoint(path)["commits"]]
    name = f"{first['number']:08d}.json"
    assert (f"BROKEN  checkpoint {name}: names commit {baseline[:10]}, which the snapshot "
            "history no longer holds (rewritten or reset)") in broken(result)
    assert result.out.splitlines()[-1].startswith("NOT verified: ")


def test_one_flipped_byte_in_a_capture_names_the_file(evidenced: Project) -> None:
    capture = capture_of(evidenced, commit_of(evidenced, "changed: letter"))
    data = bytearray(capture.read_bytes())
    data[len(data) // 2] ^= 0x01
    capture.write_bytes(bytes(data))
    result = evidenced.run("verify")
    assert result.code == 1, result
    shown = str(capture.relative_to(evidenced.root))
    [line] = broken(result)
    assert line.startswith(f"BROKEN  {shown}: its contents hash to ")
    assert "altered after it was stored" in line


def test_a_deleted_capture_names_its_commit_as_missing(evidenced: Project) -> None:
    removal = commit_of(evidenced, "removed: report")
    capture = capture_of(evidenced, removal)
    capture.unlink()
    result = evidenced.run("verify")
    assert result.code == 1, result
    [line] = broken(result)
    assert line.startswith(f"BROKEN  commit {removal[:10]} (removed: report): ")
    assert f"its capture sha256:{capture.name.removesuffix('.warc.gz')} is missing" in line


def test_a_deleted_capture_fails_only_the_source_whose_commit_names_it(
        evidenced: Project) -> None:
    capture_of(evidenced, commit_of(evidenced, "removed: report")).unlink()
    assert evidenced.run("verify", "--source", "letter").code == 0
    other = evidenced.run("verify", "--source", "report")
    assert other.code == 1
    assert [line for line in broken(other) if "is missing" in line]


def test_an_edited_checkpoint_names_the_checkpoint(evidenced: Project) -> None:
    path = evidenced.root / "evidence" / "log" / "00000002.json"
    fields = read_checkpoint(path)
    earlier = datetime.strptime(fields["time"], "%Y-%m-%dT%H:%M:%SZ") - timedelta(hours=1)
    fields["time"] = earlier.strftime("%Y-%m-%dT%H:%M:%SZ")  # still a valid time
    write_checkpoint(path, fields)
    result = evidenced.run("verify")
    assert result.code == 1, result
    lines = broken(result)
    assert ("BROKEN  checkpoint 00000002.json: the signature does not verify "
            "(changed after signing?)") in lines
    # the next one's link to it breaks too: it names the bytes that were signed
    assert ("BROKEN  checkpoint 00000003.json: previous is not the sha256 of 00000002.json "
            "(it was changed or replaced)") in lines


def test_a_checkpoint_signed_with_another_key_names_the_checkpoint(
        evidenced: Project) -> None:
    path = log_files(evidenced)[-1]
    stranger = Ed25519PrivateKey.generate()
    original = read_checkpoint(path)
    write_checkpoint(path, signed_by(stranger, original))
    assert read_checkpoint(path)["previous"] == original["previous"]  # the chain is intact
    result = evidenced.run("verify")
    assert result.code == 1, result
    assert broken(result) == [
        f"BROKEN  checkpoint {path.name}: signed by a key the log never introduced "
        f"({fingerprint_of(stranger)})"]


def test_a_deleted_checkpoint_in_the_middle_is_named_missing(evidenced: Project) -> None:
    (evidenced.root / "evidence" / "log" / "00000002.json").unlink()
    result = evidenced.run("verify")
    assert result.code == 1, result
    assert ("BROKEN  checkpoint 00000002.json: missing: the log goes on at 00000003.json"
            in broken(result))


def test_a_forged_prune_vouches_for_nothing(evidenced: Project) -> None:
    """A capture deleted and a prune checkpoint appended for it, signed by a stranger: both
    the checkpoint and the commit whose capture is gone are named."""
    change = commit_of(evidenced, "changed: letter")
    capture = capture_of(evidenced, change)
    capture.unlink()
    last = log_files(evidenced)[-1]
    fields = {**read_checkpoint(last), "number": 5, "kind": "prune", "commits": [],
              "captures": [capture.name.removesuffix(".warc.gz")],
              "details": {"before": tomorrow()},
              "previous": hashlib.sha256(last.read_bytes()).hexdigest()}
    stranger = Ed25519PrivateKey.generate()
    write_checkpoint(last.with_name("00000005.json"), signed_by(stranger, fields))
    result = evidenced.run("verify")
    assert result.code == 1, result
    lines = broken(result)
    assert (f"BROKEN  checkpoint 00000005.json: signed by a key the log never introduced "
            f"({fingerprint_of(stranger)})") in lines
    assert [line for line in lines if line.startswith(f"BROKEN  commit {change[:10]} ")
            and line.endswith("is missing")]
    assert "pruned" not in result.out


def test_a_log_rebuilt_and_signed_by_another_key_is_not_this_monitors(
        evidenced: Project) -> None:
    """A whole new chain, each link sound, signed by a stranger from the first checkpoint:
    only the key the monitor holds tells it from the real log."""
    stranger = Ed25519PrivateKey.generate()
    previous: str | None = None
    for path in log_files(evidenced):
        write_checkpoint(path, signed_by(stranger, {**read_checkpoint(path),
                                                    "previous": previous}))
        previous = hashlib.sha256(path.read_bytes()).hexdigest()
    result = evidenced.run("verify")
    assert result.code == 1, result
    [line] = broken(result)
    assert line.startswith("BROKEN  checkpoint 00000004.json: the log's current key "
                           f"({fingerprint_of(stranger)}) is not the key this monitor holds")


# --- gaps that are no one's fault ---


def test_commits_made_with_captures_off_are_a_gap(project: Project, letter: Article,
                                                  report: Article) -> None:
    make_evidence(project, letter, report, settings={"captures": "false"})
    assert not (project.root / "evidence" / "captures").exists() or not list(
        (project.root / "evidence" / "captures").rglob("*.warc.gz"))
    result = project.run("verify")
    assert result.code == 0, result
    assert "BROKEN" not in result.out
    assert "gap     4 commit(s): captures off" in gaps(result)
    assert result.out.splitlines()[-1].startswith("verified: 0 capture(s), 4 commit(s)")


def test_commits_from_before_captures_were_turned_on_are_a_gap(project: Project,
                                                               letter: Article,
                                                               report: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.site.put_article(GONE, report)
    project.write({"letter": ARTICLE, "report": GONE},
                  settings={"confirm_removal": 1, "captures": "false"})
    assert project.run("check").code == 0
    project.write({"letter": ARTICLE, "report": GONE}, settings={"confirm_removal": 1})
    edit_and_remove(project, letter)
    result = project.run("verify")
    assert result.code == 0, result
    assert gaps(result) == ["gap     2 commit(s): captures off"]
    assert result.out.splitlines()[-1].startswith(
        "verified: 2 capture(s), 4 commit(s), 4 checkpoint(s)")


def test_commits_after_the_last_checkpoint_are_not_yet_checkpointed(
        evidenced: Project) -> None:
    """A crash between a commit and its checkpoint leaves the commit uncovered: a gap."""
    log_files(evidenced)[-1].unlink()
    result = evidenced.run("verify")
    assert result.code == 0, result
    assert "gap     1 commit(s): not yet checkpointed (newer than checkpoint 00000003.json)" \
        in gaps(result)


def test_pruned_captures_are_a_gap_named_by_the_prune_checkpoint(evidenced: Project) -> None:
    pruned = evidenced.run("captures", "prune", "--before", tomorrow(), "--yes")
    assert pruned.code == 0, pruned
    assert pruned.out.startswith("deleted 4 capture(s)")
    assert not list((evidenced.root / "evidence" / "captures").rglob("*.warc.gz"))
    last = log_files(evidenced)[-1]
    checkpoint = read_checkpoint(last)
    assert checkpoint["kind"] == "prune" and len(checkpoint["captures"]) == 4
    result = evidenced.run("verify")
    assert result.code == 0, result
    assert "BROKEN" not in result.out
    assert f"gap     4 commit(s): pruned (checkpoint {checkpoint['number']})" in gaps(result)


def test_pruning_without_yes_deletes_nothing(evidenced: Project) -> None:
    captures = sorted((evidenced.root / "evidence" / "captures").rglob("*.warc.gz"))
    checkpoints = log_files(evidenced)
    asked = evidenced.run("captures", "prune", "--before", tomorrow())
    assert asked.code == 0, asked
    assert "4 capture(s)" in asked.out and "run again with --yes" in asked.out
    assert sorted((evidenced.root / "evidence" / "captures").rglob("*.warc.gz")) == captures
    assert log_files(evidenced) == checkpoints
    assert evidenced.run("verify").out.startswith("verified: 4 capture(s)")


def test_pruning_before_the_first_fetch_finds_nothing(evidenced: Project) -> None:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    result = evidenced.run("captures", "prune", "--before", yesterday, "--yes")
    assert result.code == 0
    assert result.out == f"no captures of fetches before {yesterday}\n"
    assert len(list((evidenced.root / "evidence" / "captures").rglob("*.warc.gz"))) == 4
    assert len(log_files(evidenced)) == 4


# --- a history rewrite that recovery accepted ---


def reset_to_the_baselines(project: Project) -> None:
    git(project, "reset", "-q", "--hard", "HEAD~2")


def empty_the_history(project: Project) -> None:
    """The branch gone (as after ``git update-ref -d`` or a lost repository): the snapshot
    files stay where they are, untracked."""
    git(project, "update-ref", "-d", "refs/heads/main")


@pytest.mark.parametrize("rewrite", [reset_to_the_baselines, empty_the_history])
def test_a_history_rewrite_that_recovery_accepted_fails_as_a_discontinuity(
        evidenced: Project, rewrite: Callable[[Project], None]) -> None:
    lost = git(evidenced, "rev-parse", "HEAD")
    before = git(evidenced, "rev-list", "HEAD").split()
    rewrite(evidenced)
    checked = evidenced.run("check")
    assert checked.code == 1  # said loudly
    assert f"commit {lost[:10]}" in checked.err  # the lost head, named
    [discontinuity] = [read_checkpoint(path) for path in log_files(evidenced)
                       if read_checkpoint(path)["kind"] == "discontinuity"]
    assert discontinuity["details"]["previous_head"] == lost
    result = evidenced.run("verify")
    assert result.code == 1, result
    name = f"{discontinuity['number']:08d}.json"
    [line] = [line for line in broken(result) if f"checkpoint {name}:" in line]
    assert line.startswith(f"BROKEN  checkpoint {name}: the snapshot history was rewritten "
                           "and accepted: ")
    # the checkpoints made before it name commits the history no longer holds (each
    # checkpoint's first such commit: which one depends on the order the checks ended)
    gone = set(before) - set(git(evidenced, "rev-list", "HEAD").split())
    assert [line for line in broken(result)
            if any(f"names commit {commit[:10]}" in line for commit in gone)]


def test_an_emptied_history_is_committed_again_from_the_pages(evidenced: Project) -> None:
    empty_the_history(evidenced)
    evidenced.run("check")  # says the history is empty, writes the discontinuity
    # recovery promises "each source's text is committed again from its page"
    assert git(evidenced, "rev-list", "--all", "--", "letter.md"), "letter.md never committed"
    again = evidenced.run("check")
    assert again.code == 0, again
    assert len([path for path in log_files(evidenced)
                if read_checkpoint(path)["kind"] == "discontinuity"]) == 1
