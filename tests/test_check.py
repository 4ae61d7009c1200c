"""The pipeline end to end: `monitor check` against a real local site."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from conftest import Project, child_env

from monitor.cli.demo_site import Article, Furniture, render_article, teasers
from monitor.core.classify import redirect_home
from monitor.store.store import Store
from testing.mailbox import body, mailbox
from testing.site import Page

ARTICLE = "/news/huawei-letter"


def store_of(project: Project) -> Store:
    store = Store(project.root / "snapshots", project.root / ".monitor" / "state.db",
                  project.root / "alerts")
    store.open()
    return store


def git_log(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), "log", *args],
                          capture_output=True, text=True, check=True).stdout


def test_first_check_stores_a_baseline_and_alerts_nothing(project: Project,
                                                          letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    result = project.run("check")
    assert result.code == 0
    assert "baseline" in result.out
    assert "1 checked: 1 baseline, 0 errors" in result.out
    snapshot = project.snapshot("letter")
    assert snapshot.startswith(f"# {letter.title}\n\nURL: {project.site.url}{ARTICLE}\n")
    assert "that 80,000 have been enslaved" in snapshot
    assert "Read More" not in snapshot and "Comments" not in snapshot
    assert git_log(project, "--format=%s") == "baseline: letter\n"
    assert project.site.posts() == []
    assert project.alerts() == []


def test_a_mistyped_url_is_a_check_error_and_alerts_failing(project: Project,
                                                          letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE + "-typo"}, settings={"failing_after": 2})
    first = project.run("check")
    assert first.code == 1
    assert "never fetched: HTTP 404 — check the URL" in first.out
    assert "never fetched: HTTP 404 — check the URL" in project.run("list").out
    assert project.site.posts() == []
    assert project.run("check").code == 1
    [post] = project.site.posts()
    assert (post.json()["event"], post.json()["reason"]) == (
        "failing", "never fetched: HTTP 404 — check the URL")
    project.write({"letter": ARTICLE}, settings={"failing_after": 2})  # the URL fixed
    fixed = project.run("check")
    assert fixed.code == 0 and "baseline" in fixed.out
    assert [p.json()["event"] for p in project.site.posts()] == ["failing", "recovered"]


def test_changed_figure_posts_one_alert_with_the_edited_words(project: Project,
                                                              letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    result = project.run("check")
    assert result.code == 0
    assert "changed" in result.out and "“80,000”" in result.out

    [post] = project.site.posts("/hooks/monitor")
    alert = post.json()
    assert alert["event"] == "changed"
    assert alert["diff"]["removed"] == ["80,000"]
    assert alert["diff"]["added"] == ["8,000"]
    assert alert["source_id"] == "letter"
    assert alert["url"] == f"{project.site.url}{ARTICLE}"
    assert alert["title"] == letter.title
    assert post.headers["Idempotency-Key"] == alert["id"]
    revisions = git_log(project, "--format=%H").split()
    assert alert["revision"] == revisions[0]
    assert alert["previous_revision"] == revisions[1]
    # kept under alerts/ exactly as sent
    [path] = project.alerts()
    assert json.loads(path.read_text()) == alert
    # the commit names event and source and carries the fetch facts
    message = git_log(project, "-1", "--format=%B")
    assert message.startswith("changed: letter\n")
    for trailer in ("Source: letter", "Event: changed", f"Alert: changed {alert['id']}",
                    "HTTP-Status: 200", "Content-SHA256: ", "Fetched-At: "):
        assert trailer in message
    # a third check of the same page alerts nothing more
    project.run("check")
    assert len(project.site.posts()) == 1


def test_a_pass_with_fetch_processes_checks_and_alerts_the_same(project: Project,
                                                                letter: Article,
                                                                report: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.site.put_article("/news/report", report)
    project.write({"letter": ARTICLE, "report": "/news/report"},
                  settings={"fetch_processes": 2})
    assert "2 checked: 2 baseline, 0 errors" in project.run("check").out
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    result = project.run("check")
    assert "2 checked: 1 unchanged, 1 changed, 0 errors" in result.out
    [post] = project.site.posts("/hooks/monitor")
    assert post.json()["diff"]["added"] == ["8,000"]
    # after the pass, snapshots/ is a clean checkout of its branch
    status = subprocess.run(["git", "-C", str(project.root / "snapshots"), "status",
                             "--porcelain"], capture_output=True, text=True, check=True)
    assert status.stdout == ""
    assert "8,000" in project.snapshot("letter")


def test_a_sources_css_rules_decide_what_counts(project: Project, letter: Article) -> None:
    """ignore: a ticker inside the article stays quiet; selector: a redesign is an error."""
    def page(ticker: int) -> bytes:
        return render_article(letter).replace(
            "</h1>", f"</h1><p class='ticker'>Live: {ticker} readers are following "
                     f"this story right now across {ticker % 7 + 2} countries.</p>", 1).encode()

    project.site.put(ARTICLE, Page(body=page(1501)))
    project.write({"letter": ARTICLE})
    project.run("check")
    assert "1501 readers are following" in project.snapshot("letter")

    # New rules: the snapshot is cut again and committed, with no alert.
    project.write({"letter": ARTICLE}, extra_source_lines="ignore: p.ticker")
    assert "1 checked: 1 rescoped, 0 errors" in project.run("check").out
    assert "readers are following" not in project.snapshot("letter")
    assert git_log(project, "--format=%s").splitlines()[0] == "rescoped: letter"
    project.site.put(ARTICLE, Page(body=page(2873)))
    assert "1 checked: 1 unchanged, 0 errors" in project.run("check").out
    assert project.site.posts() == []

    project.write({"letter": ARTICLE}, extra_source_lines="selector: main.story-body")
    result = project.run("check")
    assert "nothing found at the source's selector 'main.story-body'" in result.out
    assert "removed" not in result.out and project.site.posts() == []


def test_furniture_churn_raises_no_alert(project: Project, report: Article) -> None:
    project.site.put_article("/news/report", report)
    project.write({"report": "/news/report"})
    project.run("check")
    churn = Furniture(teasers=tuple(teasers()[1:6]), views=88_000, build="b77",
                      comments=(("Visitor", "New comment"),) * 7, updated="Updated now",
                      banner="New cookie policy")
    project.site.put_article("/news/report", report, churn)
    result = project.run("check")
    assert result.code == 0
    assert "unchanged" in result.out
    assert project.site.posts() == []
    assert git_log(project, "--format=%s") == "baseline: report\n"


def test_unchanged_page_is_answered_with_304(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    result = project.run("check")
    assert "unchanged" in result.out
    first, second = project.site.gets(ARTICLE)
    assert "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"].startswith('"')


def test_removal_is_confirmed_on_the_second_404(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    project.site.put_status(ARTICLE, 404)
    first = project.run("check")
    assert "gone" in first.out and "gone-404" in first.out
    assert project.site.posts() == []
    second = project.run("check")
    assert second.code == 0
    [post] = project.site.posts()
    assert post.json()["event"] == "removed"
    assert post.json()["reason"] == "gone-404"
    assert "Status: removed (gone-404)" in project.snapshot("letter")
    assert "that 80,000 have been enslaved" in project.snapshot("letter")  # evidence kept
    project.run("check")
    assert len(project.site.posts()) == 1  # alerts on the transition only


def test_503_is_never_a_removal_but_becomes_failing(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings={"failing_after": 3})
    project.run("check")
    project.site.put_status(ARTICLE, 503)
    codes = [project.run("check").code for _ in range(4)]
    assert codes == [1, 1, 1, 1]  # failures during the run
    events = [p.json()["event"] for p in project.site.posts()]
    assert events == ["failing"]
    assert "Status:" not in project.snapshot("letter")
    project.site.put_article(ARTICLE, letter)
    project.run("check")
    events = [p.json()["event"] for p in project.site.posts()]
    assert events == ["failing", "recovered"]


def test_restored_page_alerts_with_its_diff(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings={"confirm_removal": 1})
    project.run("check")
    project.site.put_status(ARTICLE, 410)
    project.run("check")
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    project.run("check")
    removed, restored = (p.json() for p in project.site.posts())
    assert removed["event"] == "removed" and removed["reason"] == "gone-410"
    assert restored["event"] == "restored"
    assert restored["diff"]["removed"] == ["80,000"]
    assert restored["diff"]["added"] == ["8,000"]
    assert "Status:" not in project.snapshot("letter")
    assert git_log(project, "--format=%s").split("\n")[:2] == ["restored: letter",
                                                                "removed: letter"]


def test_redirect_to_the_home_page_is_a_removal(project: Project, letter: Article) -> None:
    project.site.put_article("/news/2020/huawei-letter", letter)
    project.site.put_article("/", Article.load("huawei-internment-blog"))
    project.write({"letter": "/news/2020/huawei-letter"})
    project.run("check")
    project.site.redirect("/news/2020/huawei-letter", "/")
    project.run("check")
    project.run("check")
    [post] = project.site.posts()
    assert (post.json()["event"], post.json()["reason"]) == ("removed", "redirect-home")


def test_redirect_that_keeps_the_article_is_recorded_not_alerted(project: Project,
                                                                 letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    project.site.put_article(ARTICLE + "/", letter)
    project.site.redirect(ARTICLE, ARTICLE + "/")
    result = project.run("check")
    assert "unchanged" in result.out
    assert project.site.posts() == []
    store = store_of(project)
    assert store.record("letter").final_url == f"{project.site.url}{ARTICLE}/"
    store.close()


def test_redirect_home_recognises_section_indexes() -> None:
    article = "https://example.org/news/world/asia-123"
    assert redirect_home(article, "https://example.org/")
    assert redirect_home(article, "https://example.org/news/")
    assert redirect_home(article, "https://example.org/news/world")
    assert not redirect_home(article, "https://example.org/news/world/asia-123/")
    assert not redirect_home(article, "https://example.org/news/world/asia-124")


def test_reverted_edit_names_the_revision_it_returns_to(project: Project,
                                                        letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    baseline = git_log(project, "--format=%H").strip()
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    project.run("check")
    project.site.put_article(ARTICLE, letter)
    project.run("check")
    edit, revert = (p.json() for p in project.site.posts())
    assert "reverts_to" not in edit
    assert revert["event"] == "changed"
    assert revert["reverts_to"] == baseline
    assert revert["diff"]["added"] == ["80,000"]


def test_failed_delivery_is_retried_on_the_next_run_and_sent_once(project: Project,
                                                                   letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    project.site.hook_statuses = [500]
    failed = project.run("check")
    assert failed.code == 1
    assert "delivery failed" in failed.err and "HTTP 500" in failed.err
    assert project.site.url not in failed.err  # a channel URL may hold a token
    assert len(project.alerts()) == 1  # kept before delivery
    listing = project.run("list")
    assert "1 alert delivery pending" in listing.out
    retried = project.run("check")
    assert retried.code == 0
    assert "alerts delivered 1, failed 0" in retried.out
    first, second = project.site.posts()
    assert first.body == second.body
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert project.run("check").code == 0
    assert len(project.site.posts()) == 2


def test_webhook_body_is_signed_and_secret_stays_out_of_files(
        project: Project, letter: Article, monkeypatch) -> None:
    monkeypatch.setenv("MONITOR_HOOK_SECRET", "s3cret-value")
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, channels=(
        f"hook:\n  type: webhook\n  url: {project.site.url}/hooks/monitor\n"
        "  secret: ${MONITOR_HOOK_SECRET}\n"))
    project.run("check")
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    result = project.run("check")
    [post] = project.site.posts()
    expected = hmac.new(b"s3cret-value", post.body, hashlib.sha256).hexdigest()
    assert post.headers["X-Monitor-Signature-256"] == f"sha256={expected}"
    everything = [result.out, result.err, *(p.read_text() for p in project.root.rglob("*")
                                            if p.is_file() and ".git" not in p.parts
                                            and p.suffix in (".json", ".md"))]
    everything.append(git_log(project, "--format=%B"))
    assert not any("s3cret-value" in text for text in everything)


def test_one_broken_source_does_not_stop_the_others(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.site.put(ARTICLE + "-pdf", Page(
        body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}))
    project.site.put(ARTICLE + "-zip", Page(
        body=b"PK\x03\x04", headers={"Content-Type": "application/zip"}))
    project.write({"dead": "http://127.0.0.1:9/nothing", "pdf": ARTICLE + "-pdf",
                   "zip": ARTICLE + "-zip", "letter": ARTICLE})
    result = project.run("check")
    assert result.code == 1
    assert "1 baseline" in result.out and "3 errors" in result.out
    assert "cannot connect" in result.out
    assert "the PDF cannot be read" in result.out  # a broken PDF, not a crash
    assert "unsupported content type application/zip" in result.out
    assert (project.root / "snapshots" / "letter.md").exists()


def test_source_option_checks_only_that_source(project: Project, letter: Article,
                                               report: Article) -> None:
    project.site.put_article("/a", letter)
    project.site.put_article("/b", report)
    project.write({"a": "/a", "b": "/b"})
    result = project.run("check", "--source", "b")
    assert "1 checked" in result.out
    assert project.site.gets("/a") == []
    assert project.run("check", "--source", "nope").code == 2


def test_due_skips_sources_checked_within_their_interval(project: Project,
                                                         letter: Article) -> None:
    project.site.put_article("/a", letter)
    project.site.put_article("/b", letter)
    project.write({"a": "/a"}, extra_source_lines="interval: 1h")
    project.run("check")
    project.write({"a": "/a", "b": "/b"}, extra_source_lines="interval: 1h")
    result = project.run("check", "--due")
    assert "1 checked" in result.out and "b " in result.out
    assert len(project.site.gets("/a")) == 1


def test_hourly_cron_runs_check_an_hourly_source_every_time(project: Project,
                                                           letter: Article) -> None:
    """Runs 55 to 65 minutes apart (cron's own clock drift) against `interval: 1h`."""
    project.site.put_article("/a", letter)
    project.write({"a": "/a"}, extra_source_lines="interval: 1h")
    assert "1 checked" in project.run("check", "--due").out
    for gap in (55, 65, 57, 63, 60, 55, 58):
        # The clock moves on by `gap` minutes: the last check is set back by as much.
        with sqlite3.connect(project.root / ".monitor" / "state.db") as db:
            earlier = datetime.now(UTC) - timedelta(minutes=gap)
            db.execute("UPDATE sources SET last_checked = ?",
                       (earlier.strftime("%Y-%m-%dT%H:%M:%SZ"),))
        db.close()
        assert "1 checked" in project.run("check", "--due").out, gap
    with sqlite3.connect(project.root / ".monitor" / "state.db") as db:
        earlier = datetime.now(UTC) - timedelta(minutes=50)
        db.execute("UPDATE sources SET last_checked = ?",
                   (earlier.strftime("%Y-%m-%dT%H:%M:%SZ"),))
    db.close()
    assert "0 checked" in project.run("check", "--due").out  # 10 minutes left: not yet


def test_two_concurrent_checks_leave_a_consistent_store(project: Project,
                                                        letter: Article,
                                                        report: Article) -> None:
    for i in range(4):
        project.site.put_article(f"/a{i}", letter if i % 2 else report)
    project.write({f"s{i}": f"/a{i}" for i in range(4)}, settings={"lock_timeout": "60s"})
    command = [sys.executable, "-m", "monitor", "check", "--config", str(project.config_path)]
    env = child_env()
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env) for _ in range(2)]
    outputs = [run.communicate(timeout=90) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    subjects = git_log(project, "--format=%s").split("\n")
    assert sorted(s for s in subjects if s) == [f"baseline: s{i}" for i in range(4)]
    fsck = subprocess.run(["git", "-C", str(project.root / "snapshots"), "fsck", "--strict"],
                          capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    store = store_of(project)
    assert {r.state.status for r in store.records().values()} == {"ok"}
    assert store.ingested_head() == git_log(project, "-1", "--format=%H").strip()
    store.close()
    status = subprocess.run(["git", "-C", str(project.root / "snapshots"), "status",
                             "--porcelain"], capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_redirect_to_another_article_alerts_moved_and_tracks_it(project: Project,
                                                                letter: Article) -> None:
    project.site.put_article("/news/old-letter", letter)
    project.write({"letter": "/news/old-letter"})
    project.run("check")
    project.site.put_article("/archive/2020/letter-to-government", letter)
    project.site.redirect("/news/old-letter", "/archive/2020/letter-to-government")
    result = project.run("check")
    assert "moved" in result.out
    [post] = project.site.posts()
    alert = post.json()
    new_url = f"{project.site.url}/archive/2020/letter-to-government"
    assert alert["event"] == "moved"
    assert alert["from_url"] == f"{project.site.url}/news/old-letter"
    assert alert["to_url"] == new_url
    assert f"URL: {new_url}" in project.snapshot("letter")
    assert git_log(project, "-1", "--format=%s").strip() == "moved: letter"
    # tracking follows the article: the old address is not asked again
    gets_before = len(project.site.gets("/news/old-letter"))
    project.site.put_article("/archive/2020/letter-to-government",
                             letter.edited("80,000", "8,000"))
    project.run("check")
    assert len(project.site.gets("/news/old-letter")) == gets_before
    assert [p.json()["event"] for p in project.site.posts()] == ["moved", "changed"]


def test_redirect_adding_a_slug_keeps_the_article(project: Project, letter: Article) -> None:
    project.site.put_article("/news/12345", letter)
    project.write({"letter": "/news/12345"})
    project.run("check")
    project.site.put_article("/news/12345-huawei-letter", letter)
    project.site.redirect("/news/12345", "/news/12345-huawei-letter")
    assert "unchanged" in project.run("check").out
    assert project.site.posts() == []


def test_soft_404_page_is_a_removal_once_confirmed(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    gone = Article(slug="x", title="Page not found", author="", date="",
                   paragraphs=("Sorry, the page you were looking for could not be found.",))
    project.site.put_article(ARTICLE, gone)
    first = project.run("check")
    assert "soft-404" in first.out and project.site.posts() == []
    project.run("check")
    [post] = project.site.posts()
    assert (post.json()["event"], post.json()["reason"]) == ("removed", "soft-404")
    assert "that 80,000 have been enslaved" in project.snapshot("letter")


def test_a_not_found_page_in_russian_among_the_sites_menus_is_a_removal(
        project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings={"confirm_removal": 1})
    project.run("check")
    gone = Article(slug="x", title="Страница не найдена", author="", date="", paragraphs=(
        "Возможно, она была удалена или перемещена.",
        "Новости · Политика · Экономика · Общество · Спорт · Культура · Наука · Мнения "
        "· Подписка · Реклама · Контакты · О компании · Вакансии · Правила",))
    project.site.put_article(ARTICLE, gone, Furniture(teasers=tuple(teasers()[1:6])))
    project.run("check")
    [post] = project.site.posts()
    assert (post.json()["event"], post.json()["reason"]) == ("removed", "soft-404")


def test_a_short_update_saying_not_found_is_a_change_not_a_removal(
        project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings={"confirm_removal": 1})
    project.run("check")
    update = Article(slug="x", title=letter.title, author=letter.author, date=letter.date,
                     paragraphs=("Update: the letter was not found in the ministry's archive.",))
    project.site.put_article(ARTICLE, update)
    project.run("check")
    [post] = project.site.posts()
    assert (post.json()["event"], post.json()["reason"]) == ("changed", "collapsed")


def test_empty_page_titled_not_found_is_a_soft_404(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings={"confirm_removal": 1})
    project.run("check")
    project.site.put(ARTICLE, Page(body=b"<html><head><title>404 Not Found</title></head>"
                                        b"<body><div id='app'></div></body></html>"))
    project.run("check")
    [post] = project.site.posts()
    assert (post.json()["event"], post.json()["reason"]) == ("removed", "soft-404")


def test_collapsed_text_is_confirmed_before_it_replaces_the_snapshot(
        project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    stub = Article(slug="x", title=letter.title, author=letter.author, date=letter.date,
                   paragraphs=("This statement is being updated.",))
    project.site.put_article(ARTICLE, stub)
    first = project.run("check")
    assert "collapsed" in first.out
    assert project.site.posts() == []
    assert "that 80,000 have been enslaved" in project.snapshot("letter")  # evidence kept
    project.run("check")
    [post] = project.site.posts()
    alert = post.json()
    assert (alert["event"], alert["reason"]) == ("changed", "collapsed")
    assert "being updated" in " ".join(alert["diff"]["added"])
    assert "being updated" in project.snapshot("letter")


def test_a_collapse_that_recovers_is_never_committed(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE})
    project.run("check")
    stub = Article(slug="x", title=letter.title, author=letter.author, date=letter.date,
                   paragraphs=("Loading…",))
    project.site.put_article(ARTICLE, stub)
    project.run("check")
    project.site.put_article(ARTICLE, letter)
    assert "unchanged" in project.run("check").out
    assert project.site.posts() == []
    assert git_log(project, "--format=%s") == "baseline: letter\n"


def test_deleted_paragraph_still_alerts_at_once(project: Project, report: Article) -> None:
    project.site.put_article("/r", report)
    project.write({"r": "/r"})
    project.run("check")
    index = next(i for i, p in enumerate(report.paragraphs) if "100,000 signatures" in p)
    project.site.put_article("/r", report.without_paragraph(index))
    project.run("check")
    [post] = project.site.posts()
    assert post.json()["event"] == "changed" and post.json()["reason"] is None
    assert post.json()["diff"]["removed"] == [report.paragraphs[index]]


def test_consent_wall_is_blocked_not_removed(project: Project, letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings={"failing_after": 2})
    project.run("check")
    wall = Article(slug="x", title="Before you continue", author="", date="",
                   paragraphs=("We use cookies and data to deliver our services. "
                               "Accept all cookies or manage your consent.",))
    project.site.put_article(ARTICLE, wall)
    results = [project.run("check") for _ in range(3)]
    assert all("blocked" in r.out for r in results)
    assert [p.json()["event"] for p in project.site.posts()] == ["failing"]
    assert "Status:" not in project.snapshot("letter")


def test_a_ten_year_retry_after_defers_one_interval_and_counts_toward_failing(
        project: Project) -> None:
    project.site.put("/busy", Page(status=503, body=b"busy", etag=False, headers={
        "Content-Type": "text/html", "Retry-After": "315360000"}))
    project.write({"busy": "/busy"}, settings={"failing_after": 2},
                  extra_source_lines="interval: 1h")
    assert "HTTP 503" in project.run("check").out
    store = store_of(project)
    deferred_until = store.record("busy").deferred_until
    store.close()
    assert deferred_until is not None
    latest = (datetime.now(UTC) + timedelta(hours=1, minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert deferred_until <= latest  # the source's interval, not 2036
    second = project.run("check")
    assert "deferred" in second.out and "asked to wait until" in second.out
    [post] = project.site.posts()
    assert post.json()["event"] == "failing"
    assert "asked to wait" in project.run("list").out


def test_an_internal_error_is_recorded_and_counts_toward_failing(
        project: Project, letter: Article, monkeypatch) -> None:
    """A bug in one check (mocked: no real page can be made to trip one on purpose)."""
    import monitor.pipeline.check

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE}, settings={"failing_after": 2})
    monkeypatch.setattr(monitor.pipeline.check, "judge", broken)
    first = project.run("check")
    assert first.code == 1 and "internal error: RuntimeError: a bug" in first.out
    assert "internal error: RuntimeError: a bug" in project.run("list").out
    project.run("check")
    assert [p.json()["event"] for p in project.site.posts()] == ["failing"]


def test_a_304_to_a_first_check_is_an_error_not_an_empty_baseline(project: Project,
                                                                 letter: Article) -> None:
    project.site.put("/odd", Page(status=304, etag=False, headers={}))
    project.write({"odd": "/odd"})
    result = project.run("check")
    assert result.code == 1 and "HTTP 304 Not Modified to a request" in result.out
    assert not (project.root / "snapshots" / "odd.md").exists()
    project.site.put_article("/odd", letter)
    assert "baseline" in project.run("check").out
    assert project.site.posts() == []  # the article was never 'changed' from nothing


def test_a_secret_in_a_source_url_is_kept_and_shown_as_its_name(
        project: Project, letter: Article, monkeypatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_PAGE_KEY", "s3cr3t-page-key")
    monkeypatch.setenv("MONITOR_TEST_PAGE_PW", "s3cr3t-password")
    project.site.put_article("/a?api_key=s3cr3t-page-key", letter)
    project.site.put_article("/b", letter)
    host = project.site.url.removeprefix("http://")
    project.write({"keyed": "/a?api_key=${MONITOR_TEST_PAGE_KEY}",
                   "basic": f"http://reader:${{MONITOR_TEST_PAGE_PW}}@{host}/b"})
    shown = [project.run("list"), project.run("check")]
    edited = letter.edited("80,000", "8,000")
    project.site.put_article("/a?api_key=s3cr3t-page-key", edited)
    project.site.put_article("/b", edited)
    shown += [project.run("check"), project.run("list"), project.run("alerts")]
    assert [p.json()["event"] for p in project.site.posts()] == ["changed", "changed"]
    assert "api_key=${MONITOR_TEST_PAGE_KEY}" in project.snapshot("keyed")
    assert "reader:${MONITOR_TEST_PAGE_PW}@" in project.snapshot("basic")
    kept = [git_log(project, "--format=%B%n%(trailers)", "-p"),
            *(p.read_text() for p in project.alerts()),
            *(post.body.decode() for post in project.site.posts()),
            *(r.out + r.err for r in shown)]
    for text in kept:
        assert "s3cr3t" not in text, text
    assert project.run("check").code == 0  # the request itself still carries the values


def test_validate_names_a_bad_url_by_its_template(project: Project, monkeypatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_PAGE_KEY", "s3cr3t-page-key")
    project.write({"bad": "ftp://example.org/${MONITOR_TEST_PAGE_KEY}"})
    result = project.run("validate")
    assert result.code == 2 and "ftp://example.org/${MONITOR_TEST_PAGE_KEY}" in result.err
    assert "s3cr3t" not in result.err


def test_control_characters_from_a_server_are_kept_and_shown_nowhere(
        project: Project) -> None:
    # C1 CSI (0x9b) starts a terminal escape sequence: "2J" erases the screen.
    project.site.put("/odd", Page(body=b"%PDF-1.4", etag=False,
                                  headers={"Content-Type": "application/x\x9b2Jevil"}))
    project.write({"odd": "/odd"}, settings={"failing_after": 1})
    shown = [project.run("check"), project.run("list"), project.run("alerts")]
    assert "unsupported content type application/x2Jevil" in shown[0].out
    [post] = project.site.posts()
    kept = [post.body.decode(), *(p.read_text() for p in project.alerts()),
            *(r.out + r.err for r in shown)]
    for text in kept:
        assert "\x9b" not in text and "\\u009b" not in text, text


def test_terminal_output_shows_bidi_controls_as_escapes() -> None:
    from monitor.core.safe_text import for_terminal, strip_controls

    assert for_terminal("evil\u202etxt.exe\x1b[2J") == "evil\\u202etxt.exe[2J"
    assert strip_controls("tab\tand\nnewline\x00\x9b") == "tab\tand\nnewline"


def test_a_page_too_large_to_be_an_article_is_that_sources_error(project: Project,
                                                                 letter: Article) -> None:
    from monitor.extract.article import MAX_ELEMENTS

    project.site.put("/huge", Page(body=("<html><body>" + "<p>x</p>" * (MAX_ELEMENTS + 1)
                                         + "</body></html>").encode(), etag=False))
    project.site.put_article("/letter", letter)
    project.write({"huge": "/huge", "letter": "/letter"})
    result = project.run("check")
    assert result.code == 1 and "1 baseline" in result.out
    assert f"more than {MAX_ELEMENTS:,} HTML elements" in result.out


def article_page(figure: str, modified: str, note: str = "") -> Page:
    """A page with a standfirst and a structured modified date."""
    extra = f"<p>{note}</p>" if note else ""
    body = f"""<!doctype html><html><head><title>Camps counted</title>
<meta property="article:modified_time" content="{modified}"></head><body>
<nav><a href="/">Home</a></nav><article><h1>Camps counted</h1>
<p class="standfirst">Researchers counted the camps from satellite images taken this year.</p>
<p>The survey found that {figure} people were held in the camps in the region last year,
according to the report published by the researchers on Monday.</p>
<p>Officials did not answer questions about the camps or the people held there, the
researchers said in a statement that accompanied the report.</p>{extra}
</article></body></html>""".encode()
    return Page(body=body)


def test_a_silent_edit_and_an_announced_one(project: Project) -> None:
    project.site.put("/camps", article_page("80,000", "2026-03-01T09:00:00Z"))
    project.write({"camps": "/camps"})
    project.run("check")
    snapshot = project.snapshot("camps")
    assert "Standfirst: Researchers counted the camps" in snapshot
    assert "2026-03-01T09:00:00Z" not in snapshot  # the page's clock is not its wording
    assert "Modified: 2026-03-01T09:00:00Z" in git_log(project, "-1", "--format=%B")
    # The page's modified date alone moving is no change.
    project.site.put("/camps", article_page("80,000", "2026-03-01T10:00:00Z"))
    project.run("check")
    assert project.site.posts() == []
    # A figure edited without a note or a moved date: silent.
    project.site.put("/camps", article_page("8,000", "2026-03-01T10:00:00Z"))
    project.run("check")
    project.site.put("/camps", article_page(
        "18,000", "2026-03-02T12:00:00Z",
        note="Correction: an earlier version of this article gave a wrong figure."))
    project.run("check")
    silent, announced = (p.json() for p in project.site.posts("/hooks/monitor"))
    assert silent["silent"] is True and silent["modified_moved"] is False
    assert silent["changes"] == [{"field": "body", "kind": "figure", "before": "80,000",
                                  "after": "8,000", "paragraph": 0}]
    assert announced["silent"] is False and announced["modified_moved"] is True
    assert [(c["field"], c["kind"]) for c in announced["changes"]] == [
        ("body", "figure"), ("correction", "added-paragraph"), ("modified", "figure")]
    assert announced["previous_detected_at"] == silent["detected_at"]


# --- alerts a person can forward ----------------------------------------------------


def people_time(stamp: str) -> str:
    """``2026-11-25T10:00:00Z`` as a reader sees it: ``2026-11-25 10:00 UTC``."""
    return f"{stamp[:10]} {stamp[11:16]} UTC"


def test_a_removal_quotes_the_last_text_and_says_why_in_words(project: Project,
                                                              letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    with mailbox() as mail:
        project.write({"letter": ARTICLE}, settings={"confirm_removal": 1},
                      channels=f"hook:\n  type: webhook\n  url: {project.site.url}/hooks/monitor"
                               f"\n{mail.channel_yaml()}")
        project.run("check")
        seen_at = store_of(project).record("letter").last_checked
        project.site.put_status(ARTICLE, 404)
        assert project.run("check").code == 0
        [post] = project.site.posts("/hooks/monitor")
        [message] = mail.messages
    alert = post.json()
    assert (alert["event"], alert["reason"]) == ("removed", "gone-404")
    assert alert["reason_text"] == "the page now answers 404 Not Found"
    assert alert["last_seen_at"] == seen_at and seen_at <= alert["detected_at"]
    title, first, second, third = alert["excerpt"].split("\n\n")
    assert (title, first, second) == (letter.title, *letter.paragraphs[:2])
    assert letter.paragraphs[2].startswith(third[:-1]) and third.endswith("…")
    assert len(alert["excerpt"]) <= 1200
    text = body(message, "plain")
    assert "Reason: the page now answers 404 Not Found" in text
    assert f"Last seen online: {people_time(seen_at)}" in text
    assert f"Last text seen:\n\n> {letter.title}\n>\n> {letter.paragraphs[0]}" in text
    assert "Last text seen</h2>" in body(message, "html")


def test_a_confirmed_removal_says_when_the_page_was_last_seen(project: Project,
                                                              letter: Article) -> None:
    """With the default confirm_removal: 2 the check before the alert was a "gone" one:
    the last time the page was seen is the check before that."""
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE},
                  channels=f"hook:\n  type: webhook\n  url: {project.site.url}/hooks/monitor\n")
    project.run("check")
    seen_at = store_of(project).record("letter").last_checked
    project.site.put_status(ARTICLE, 404)
    project.run("check")
    assert project.site.posts("/hooks/monitor") == []  # not confirmed yet
    assert store_of(project).record("letter").last_seen_at == seen_at
    project.run("check")
    [post] = project.site.posts("/hooks/monitor")
    alert = post.json()
    assert alert["event"] == "removed"
    assert alert["last_seen_at"] == seen_at <= alert["detected_at"]


def test_a_soft_404_and_a_closed_site_are_said_in_words(project: Project,
                                                        letter: Article) -> None:
    project.site.put_article(ARTICLE, letter)
    project.write({"letter": ARTICLE, "closed": "http://127.0.0.1:9/a"},
                  settings={"confirm_removal": 1, "failing_after": 1})
    project.run("check")
    gone = Article(slug="x", title="Page not found", author="", date="",
                   paragraphs=("Sorry, the page you were looking for could not be found.",))
    project.site.put_article(ARTICLE, gone)
    project.run("check")
    texts = {(p.json()["source_id"], p.json()["event"]): p.json()["reason_text"]
             for p in project.site.posts("/hooks/monitor")}
    assert texts[("letter", "removed")] == "the page now says it was not found (soft 404)"
    assert texts[("closed", "failing")] == "the site does not accept connections"


def test_a_moved_alert_names_the_watched_article(project: Project, letter: Article) -> None:
    project.site.put_article("/news/old-letter", letter)
    project.write({"letter": "/news/old-letter"})
    project.run("check")
    renamed = Article(slug=letter.slug, title="Letter to the Government", author=letter.author,
                      date=letter.date, paragraphs=letter.paragraphs)
    project.site.put_article("/archive/2020/letter", renamed)
    project.site.redirect("/news/old-letter", "/archive/2020/letter")
    project.run("check")
    alerts = {p.json()["event"]: p.json() for p in project.site.posts("/hooks/monitor")}
    assert alerts["moved"]["title"] == letter.title  # the article that was watched
    assert alerts["moved"]["reason_text"] == (f"the article moved to {project.site.url}"
                                              "/archive/2020/letter")
    assert alerts["changed"]["title"] == "Letter to the Government"


def test_a_changed_alert_says_when_the_previous_version_was_captured(project: Project) -> None:
    with mailbox() as mail:
        project.site.put("/camps", article_page("80,000", "2026-03-01T09:00:00Z"))
        project.write({"camps": "/camps"}, channels=mail.channel_yaml(),
                      extra_source_lines="name: Camps report (Reuters)")
        project.run("check")
        baseline_at = store_of(project).record("camps").last_changed_at
        assert baseline_at is not None
        project.site.put("/camps", article_page("8,000", "2026-03-01T09:00:00Z"))
        project.run("check")
        [message] = mail.messages
    revision = git_log(project, "-1", "--format=%H").strip()
    # the source's name heads the message; the page's own title is still in it
    assert message["Subject"] == "[monitor] Changed: Camps report (Reuters)"
    text, footer = body(message, "plain").split("\n-- \n")
    assert text.startswith("✏️ Changed: Camps report (Reuters)\nCamps counted\n")
    assert f"Previous version: {people_time(baseline_at)}" in text
    assert "Silent edit: no correction or update note, and the page's own last-modified " \
           "date did not move" in text
    assert revision[:7] not in text and "monitor diff" not in text
    assert f"Revision: {revision}" in footer and "Full diff: monitor diff camps" in footer
    assert re.search(r"Detected: \d{4}-\d\d-\d\d \d\d:\d\d UTC\n", text)
