"""kill -9 a real `monitor check` at random moments: nothing is lost, nothing doubled.

Each round edits some pages and takes one down or back, starts `monitor check`,
kills it with SIGKILL at a random instant, then lets a second run finish. At the
end git, the state database, alerts/ and what the webhook received must agree.
MONITOR_CRASH_KILLS sets the number of rounds (CI runs a short version).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import Project, child_env

from monitor.cli.demo_site import Article

ROOT = Path(__file__).parent.parent
KILLS = int(os.environ.get("MONITOR_CRASH_KILLS", "12"))
PAGES = ["huawei-5g-letter", "uk-accuses-china-article", "huawei-internment-blog",
         "un-forced-labor-statement"]


def version(slug: str, round_number: int) -> Article:
    """A distinct wording of the article for each round."""
    article = Article.load(slug)
    first = article.paragraphs[0]
    return article.edited(first, f"{first} (Revision {round_number}.)")


def monitor(project: Project) -> subprocess.Popen[str]:
    env = child_env()
    return subprocess.Popen([sys.executable, "-m", "monitor", "check", "--config",
                             str(project.config_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def git(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), *args],
                          capture_output=True, text=True, check=True).stdout


def test_kill_9_at_random_moments_loses_nothing(project: Project) -> None:
    rng = random.Random(20261125)
    for slug in PAGES:
        project.site.put_article(f"/{slug}", version(slug, 0))
    project.write({slug: f"/{slug}" for slug in PAGES},
                  settings={"confirm_removal": 1, "lock_timeout": "60s", "workers": 1})
    started = time.monotonic()
    first = monitor(project)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err  # each source's line names its error
    duration = time.monotonic() - started  # how long a whole run takes here
    served: dict[str, list[str]] = {slug: ["Revision 0."] for slug in PAGES}
    kills = 0
    for round_number in range(1, KILLS + 1):
        for slug in rng.sample(PAGES[:3], 2):
            project.site.put_article(f"/{slug}", version(slug, round_number))
            served[slug].append(f"Revision {round_number}.")
        flip = PAGES[3]  # taken down and put back, for removed/restored alerts
        if round_number % 2:
            project.site.put_status(f"/{flip}", 404)
        else:
            project.site.put_article(f"/{flip}", version(flip, 0))
        run = monitor(project)
        time.sleep(rng.uniform(0.02, 0.9 * duration))
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
            kills += 1
        run.wait(30)
        started = time.monotonic()
        finish = monitor(project)
        out, err = finish.communicate(timeout=120)
        duration = time.monotonic() - started
        assert finish.returncode == 0, out + err

    # git: intact, every served version kept, no commit that changes nothing
    assert subprocess.run(["git", "-C", str(project.root / "snapshots"), "fsck", "--strict"],
                          capture_output=True).returncode == 0
    assert git(project, "status", "--porcelain") == ""
    lost_versions = 0
    for slug, versions in served.items():
        history = git(project, "log", "-p", "--format=%H", "--", f"{slug}.md")
        lost_versions += sum(1 for v in versions if v not in history)
        blobs = git(project, "log", "--format=%H", "--", f"{slug}.md").split()
        contents = [git(project, "show", f"{rev}:{slug}.md") for rev in blobs]
        assert all(a != b for a, b in itertools.pairwise(contents)), slug

    # alerts: one per alert named in a commit, each kept in alerts/ and delivered
    trailers = git(project, "log", "--format=%(trailers:key=Alert,valueonly)")
    committed_ids = [line.split()[1] for line in trailers.splitlines() if line.strip()]
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = [row[0] for row in db.execute("SELECT id FROM alerts")]
    undelivered = db.execute("SELECT count(*) FROM deliveries WHERE status != 'delivered'"
                             ).fetchone()[0]
    db.close()
    lost_alerts = len(set(committed_ids) - set(stored))
    duplicates = len(committed_ids) - len(set(committed_ids))
    files = {json.loads(p.read_text())["id"] for p in project.alerts()}
    received = {post.json()["id"] for post in project.site.posts("/hooks/monitor")}
    print(f"\n{kills} kills, {lost_versions} lost versions, {lost_alerts} lost alerts, "
          f"{duplicates} duplicates")
    assert kills >= KILLS // 2, "the runs finished before they could be killed"
    assert (lost_versions, lost_alerts, duplicates) == (0, 0, 0)
    assert set(stored) >= set(committed_ids)
    assert files == set(stored)
    assert received == set(stored)
    assert undelivered == 0
    assert len(committed_ids) >= KILLS  # every round made alerts

    # evidence: every commit names a capture that is there, and the signed log holds
    named = [line for line in git(project, "log", "--format=%(trailers:key=Capture,"
                                  "valueonly)").splitlines() if line.startswith("sha256:")]
    assert len(named) == int(git(project, "rev-list", "--count", "HEAD"))
    verified = subprocess.run([sys.executable, "-m", "monitor", "verify", "--config",
                               str(project.config_path)], capture_output=True, text=True,
                              env=child_env())
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "BROKEN" not in verified.stdout
    assert verified.stdout.splitlines()[-1].startswith("verified:")
