"""The extractor version: an upgrade re-cuts every snapshot quietly, and only once."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
from conftest import ROOT, Project, child_env

from monitor.cli.demo_site import Article
from monitor.extract.version import REVISION, extractor_version

# The last release before extractor versions were kept (and before the visible
# headline and byline were extracted): its projects have no version in state.
BEFORE_VERSIONS = "0cc17bf86758428dcd6156d83a1f97ee6ddbba0f"
# The last release of extraction revision 2: before the standfirst, the folded
# comparison and the page's modified date; its state has no modified dates.
REVISION_2 = "93a9f34aefc0de9077e448f403902c4b7c51259d"
PREVIOUS_RELEASE = BEFORE_VERSIONS
ARTICLES = ("huawei-5g-letter", "uk-accuses-china-article", "huawei-internment-blog",
            "un-forced-labor-statement")


def previous_release(folder: Path, commit: str = PREVIOUS_RELEASE) -> Path:
    """A previous release's ``monitor/`` package, exported from this repository's history."""
    exported = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "monitor"],
                              capture_output=True)
    if exported.returncode != 0:  # a shallow clone holds no history to export it from
        pytest.skip(f"commit {commit[:10]} is not in this clone's history")
    with tarfile.open(fileobj=BytesIO(exported.stdout)) as archive:
        archive.extractall(folder, filter="data")
    return folder


def snapshots_git(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), *args],
                          capture_output=True, text=True, check=True).stdout


def test_the_version_names_monitors_revision_and_the_libraries() -> None:
    version = extractor_version()
    assert version.startswith(f"monitor-extract {REVISION}; trafilatura 2.3")
    assert "; htmldate 1." in version


@pytest.mark.parametrize("release", [BEFORE_VERSIONS, REVISION_2])
def test_an_upgraded_project_recuts_its_snapshots_without_a_single_alert(
        project: Project, tmp_path: Path, release: str) -> None:
    old = previous_release(tmp_path / "previous", release)
    sources = {}
    for name in ARTICLES:
        project.site.put_article(f"/{name}", Article.load(name))
        sources[name] = f"/{name}"
    project.write(sources)
    made = subprocess.run([sys.executable, "-m", "monitor", "check", "--config",
                           str(project.config_path)], cwd=project.root, capture_output=True,
                          text=True, env=child_env(PYTHONPATH=str(old)))
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"{len(ARTICLES)} baseline" in made.stdout
    if release == BEFORE_VERSIONS:
        assert "Byline:" not in project.snapshot("huawei-5g-letter")  # the old cut

    upgraded = project.run("check")
    assert upgraded.code == 0, upgraded.out + upgraded.err
    assert project.site.posts() == [] and project.alerts() == []
    if release == BEFORE_VERSIONS:
        assert f"{len(ARTICLES)} checked: {len(ARTICLES)} rescoped, 0 errors" in upgraded.out
        assert "Byline: " in project.snapshot("huawei-5g-letter")  # the new cut, committed
        last = snapshots_git(project, "log", "-1", "--format=%B")
        assert "Reason: extractor-upgrade" in last
        assert f"Extractor: {extractor_version()}" in last
    else:  # these pages cut the same under revision 3: nothing to commit, nothing to say
        assert f"{len(ARTICLES)} checked: {len(ARTICLES)} unchanged, 0 errors" in upgraded.out

    # Once only: the next check is a plain check again, and an edit alerts.
    assert f"{len(ARTICLES)} unchanged" in project.run("check").out
    project.site.put_article("/huawei-5g-letter",
                             Article.load("huawei-5g-letter").edited("80,000", "8,000"))
    assert "1 changed" in project.run("check").out
    [post] = project.site.posts()
    assert post.json()["event"] == "changed" and "8,000" in post.json()["diff"]["added"]
    assert post.json()["changes"][0]["kind"] == "figure"
    # Captures began with the upgrade: the older commits are a gap, not a failure.
    verified = project.run("verify")
    assert verified.code == 0, verified.out
    assert "not captured (before captures began)" in verified.out


def test_a_state_rebuilt_from_git_knows_which_extractor_cut_each_snapshot(
        project: Project, letter: Article) -> None:
    project.site.put_article("/letter", letter)
    project.write({"letter": "/letter"})
    project.run("check")
    for path in (project.root / ".monitor").glob("state.db*"):
        path.unlink()
    project.site.put_article("/letter", letter.edited("80,000", "8,000"))
    result = project.run("check")
    assert "state rebuilt from 1 commit" in result.out
    # The baseline's Extractor trailer says it was cut the current way: the edit
    # is a change, not a quiet re-cut.
    assert "1 changed" in result.out, result.out
    [post] = project.site.posts()
    assert post.json()["diff"]["added"] == ["8,000"]
