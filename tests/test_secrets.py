"""Secrets only where they are needed: an unset ${NAME} stops `validate`, nothing else.

Through the real CLI, against the local site, its webhook receiver and a real
SMTP server (aiosmtpd, STARTTLS with a throwaway CA): the source or channel
that needs the variable goes without it, everything else works.
"""

from __future__ import annotations

import sqlite3
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Project
from test_channels import SMTP_PASSWORD, SMTP_USER, SMTPServer, ca, smtp_server

from monitor.cli.demo_site import Article

__all__ = ["ca"]  # the CA fixture, used by the SMTP server below

HOOK_SECRET, SMTP_PW, PAGE_TOKEN = "MONITOR_TEST_HOOK_SECRET", "MONITOR_TEST_SMTP_PW", \
    "MONITOR_TEST_PAGE_TOKEN"


@pytest.fixture(autouse=True)
def unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (HOOK_SECRET, SMTP_PW, PAGE_TOKEN):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def smtp(ca: tuple[ssl.SSLContext, Path]) -> Iterator[SMTPServer]:
    yield from smtp_server("starttls", ca[0])


def deliveries(project: Project) -> list[sqlite3.Row]:
    db = sqlite3.connect(project.root / ".monitor" / "state.db")
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT d.*, a.source_id FROM deliveries d JOIN alerts a "
                          "ON a.id = d.alert_id ORDER BY d.channel").fetchall()
    finally:
        db.close()


def line_of(project: Project, needle: str) -> int:
    lines = project.config_path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def email_channel(server: SMTPServer, ca_file: Path, **extra: str) -> str:
    lines = ["desk:", "  type: email", "  host: 127.0.0.1", f"  port: {server.port}",
             f"  username: {SMTP_USER}", f"  password: ${{{SMTP_PW}}}",
             "  from: Monitor <monitor@example.org>", "  to: [desk@example.org]",
             f"  ca_file: {ca_file}", *(f"  {k}: {v}" for k, v in extra.items())]
    return "\n".join(lines) + "\n"


def test_validate_names_every_unset_variable_and_exits_2(project: Project) -> None:
    project.write({"a": "/a"}, channels=f"hook:\n  type: webhook\n  url: {project.site.url}"
                                        f"/hooks/monitor\n  secret: ${{{HOOK_SECRET}}}\n")
    with project.config_path.open("a") as config:
        config.write(f"  - id: b\n    url: {project.site.url}/b?token=${{{PAGE_TOKEN}}}\n")
    result = project.run("validate")
    assert result.code == 2
    lines = result.err.splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        f"environment variable {HOOK_SECRET} is not set: export it before running monitor "
        "(secrets live in the environment)",
        f"environment variable {PAGE_TOKEN} is not set: export it before running monitor "
        "(secrets live in the environment)"]
    assert all(line.startswith(f"{project.config_path}:") for line in lines)


def test_a_source_that_needs_an_unset_variable_fails_alone(project: Project,
                                                           letter: Article) -> None:
    project.site.put_article("/a", letter)
    project.site.put_article("/b", letter)
    project.write({"a": "/a"})
    with project.config_path.open("a") as config:
        config.write(f"  - id: b\n    url: {project.site.url}/b?token=${{{PAGE_TOKEN}}}\n")
    result = project.run("check")
    assert result.code == 1  # b's check is an error
    assert "baseline" in next(line for line in result.out.splitlines() if " a " in line)
    b_line = next(line for line in result.out.splitlines() if " b " in line)
    assert f"error       environment variable {PAGE_TOKEN} is not set" in b_line
    assert project.site.gets("/b") == []  # never requested without its token
    assert (f"monitor: warning: {project.config_path}:{line_of(project, PAGE_TOKEN)}: "
            f"environment variable {PAGE_TOKEN} is not set: source b is not checked until it "
            "is exported (its checks are errors; the other sources are checked)") in result.err
    assert (project.root / "snapshots" / "a.md").exists()


def test_a_channel_without_its_secret_holds_its_alerts_and_the_rest_goes_on(
        project: Project, letter: Article, smtp: SMTPServer,
        ca: tuple[ssl.SSLContext, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site = project.site
    site.put_article("/a", letter)
    hook = f"hook:\n  type: webhook\n  url: {site.url}/hooks/monitor\n"
    project.write({"a": "/a"}, channels=hook + email_channel(smtp, ca[1], give_up_after="1s"))

    # Read-only commands need no channel's secret.
    assert project.run("check").code == 0
    first = letter.paragraphs[0]
    site.put_article("/a", letter.edited(first, f"{first} Edited since."))
    result = project.run("check")
    assert result.code == 0, result.err
    assert "changed" in result.out and "1 delivery(ies) held" in result.out
    assert (f"monitor: warning: 1 alert(s) for channel 'desk' kept pending, not sent: "
            f"environment variable {SMTP_PW} is not set") in result.err
    assert [post.json()["event"] for post in site.posts("/hooks/monitor")] == ["changed"]
    assert smtp.inbox.messages == [] and smtp.inbox.logins == []
    [held] = [row for row in deliveries(project) if row["channel"] == "desk"]
    assert (held["status"], held["attempts"], held["first_failed_at"]) == ("pending", 0, None)

    time.sleep(1.5)  # past the channel's give_up_after: an untried delivery is not given up
    for command in (["list"], ["history", "a"], ["diff", "a"]):
        shown = project.run(*command)
        assert shown.code == 0, (command, shown.err)
        assert f"environment variable {SMTP_PW} is not set" in shown.err  # a warning only
    assert "Edited since." in project.run("diff", "a").out
    status = project.run("status")
    assert status.code == 1 and "no daemon status" in status.out  # not a config error
    assert project.run("check").code == 0
    [held] = [row for row in deliveries(project) if row["channel"] == "desk"]
    assert (held["status"], held["attempts"]) == ("pending", 0)

    monkeypatch.setenv(SMTP_PW, SMTP_PASSWORD)
    result = project.run("check")
    assert result.code == 0, result.err
    assert "alerts delivered 1" in result.out and "not set" not in result.err
    [message] = smtp.inbox.messages
    assert "Changed" in message["Subject"]
    assert [login for _, login in smtp.inbox.logins] == [SMTP_USER]
    assert {row["status"] for row in deliveries(project)} == {"delivered"}


def test_a_webhook_without_its_signing_secret_is_never_sent_unsigned(
        project: Project, letter: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    site = project.site
    site.put_article("/a", letter)
    project.write({"a": "/a"}, channels=f"hook:\n  type: webhook\n  url: {site.url}"
                                        f"/hooks/monitor\n  secret: ${{{HOOK_SECRET}}}\n")
    assert project.run("check").code == 0
    site.put_article("/a", letter.edited(letter.paragraphs[0], "A new first paragraph."))
    result = project.run("check")
    assert "changed" in result.out and result.code == 0
    assert "channel 'hook' keeps its alerts pending until it is exported" in result.err
    assert site.posts("/hooks/monitor") == []
    monkeypatch.setenv(HOOK_SECRET, "a-signing-secret")
    assert project.run("check").code == 0
    [post] = site.posts("/hooks/monitor")
    assert post.json()["event"] == "changed"
    assert "x-monitor-signature-256" in {name.lower() for name in post.headers}


def test_an_archive_without_its_keys_is_off_and_says_so(project: Project,
                                                        letter: Article) -> None:
    project.site.put_article("/a", letter)
    project.write({"a": "/a"})
    with project.config_path.open("a") as config:
        config.write(f"archives:\n  perma: {{api_key: '${{{PAGE_TOKEN}}}'}}\n")
    result = project.run("check")
    assert result.code == 0, result.err
    assert (f"environment variable {PAGE_TOKEN} is not set: web archive 'perma' is off "
            "until it is exported") in result.err
    assert project.run("validate").code == 2


def test_test_alert_refuses_a_channel_whose_secret_is_unset(project: Project) -> None:
    project.write({"a": "/a"}, channels=f"hook:\n  type: webhook\n  url: {project.site.url}"
                                        f"/hooks/monitor\n  secret: ${{{HOOK_SECRET}}}\n")
    result = project.run("test-alert", "hook")
    assert result.code == 2
    assert f"hook: NOT SENT: it needs {HOOK_SECRET}: export it" in result.err
    assert project.site.posts("/hooks/monitor") == []  # nothing went out unsigned
