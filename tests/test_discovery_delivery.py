"""``monitor check`` delivers the discovery and page-signal alerts as a reader wants them.

The alerts are put in the real outbox (SQLite) as a pass would, then the real
command delivers them: by email to an aiosmtpd mailbox and to a Slack receiver
on 127.0.0.1. ``monitor alerts`` lists them afterwards.
"""

from __future__ import annotations

from conftest import Project

from monitor.cli.demo_site import Article
from monitor.store.store import Store
from testing.discovery_alerts import ARTICLE_ID, LISTING_ID, OPENING, every_kind_typed
from testing.mailbox import body, mailbox
from testing.receivers import Receiver, Slack

SUBJECTS = [
    "[monitor] New article: Statement on Xinjiang",
    "[monitor] 7 new articles waiting: MFA press releases",
    "[monitor] Delisted: Statement on Xinjiang",
    "[monitor] Listed again: Statement on Xinjiang",
    "[monitor] Noindexed: Statement on Xinjiang",
    "[monitor] Indexable again: Statement on Xinjiang",
    "[monitor] Canonical changed: Statement on Xinjiang",
    "[monitor] Canonical restored: Statement on Xinjiang",
]


def queue_every_kind(project: Project, channels: list[str]) -> None:
    store = Store(project.root / "snapshots", project.root / ".monitor" / "state.db",
                  project.root / "alerts")
    store.open()
    try:
        with store.transaction() as db:
            for alert in every_kind_typed().values():
                store.add_alert(db, alert, channels)
    finally:
        store.close()


def test_check_delivers_each_new_kind_by_mail_and_to_slack(project: Project,
                                                           letter: Article) -> None:
    with mailbox() as box, Receiver(Slack()) as slack:
        project.site.put_article("/letter", letter)
        project.write({"letter": "/letter"}, channels=box.channel_yaml() + (
            f"desk-slack:\n  type: slack\n  url: {slack.url}/services/T/B/X\n"))
        assert project.run("check").code == 0  # the letter's baseline: no alert
        queue_every_kind(project, ["desk-mail", "desk-slack"])
        result = project.run("check")
        assert result.code == 0, result.err
        mails = sorted(box.messages, key=lambda m: SUBJECTS.index(m["Subject"]))
        posts = slack.service.messages  # type: ignore[attr-defined]
    assert [m["Subject"] for m in mails] == SUBJECTS
    new, held, delisted = (body(m, "plain") for m in mails[:3])
    assert f"Listing: {LISTING_ID}" in new and "Opening text:" in new and OPENING in new
    assert "Waiting: 7 articles" in held and f"Source: {LISTING_ID}\n" in held
    assert "Text as last checked:" in delisted and OPENING in delisted
    assert "Noindex from: the X-Robots-Tag header" in body(mails[4], "plain")
    assert "Canonical now: https://www.mfa.example.gov/en/archive/old-statement" in body(
        mails[6], "plain")
    assert {m["X-Monitor-Event"] for m in mails} == {"new", "delisted", "noindexed",
                                                     "canonical-changed"}
    headers = sorted(p["blocks"][0]["text"]["text"] for p in posts)
    assert headers == sorted(["🆕 New article: Statement on Xinjiang",
                              "⏳ 7 new articles waiting: MFA press releases",
                              "📤 Delisted: Statement on Xinjiang",
                              "📥 Listed again: Statement on Xinjiang",
                              "🙈 Noindexed: Statement on Xinjiang",
                              "🔍 Indexable again: Statement on Xinjiang",
                              "🔗 Canonical changed: Statement on Xinjiang",
                              "🔗 Canonical restored: Statement on Xinjiang"])
    listed = project.run("alerts")
    assert listed.code == 0
    assert listed.out.count(ARTICLE_ID) == 7 and listed.out.count("→ desk-mail") == 8
