"""The read-only queries behind the pages and the feed, and the secrets kept out of them."""

from __future__ import annotations

from conftest import Project
from test_pages import checked_twice

from monitor.cli.demo_site import Article
from monitor.core.schedule import Schedule
from monitor.web.pages_common import channel_secrets, masked
from monitor.web.queries import describe_schedule, reading


def test_changes_are_the_newest_alerts_of_a_source_or_a_tag(project: Project,
                                                            letter: Article) -> None:
    checked_twice(project, letter)
    with reading(project.config()) as reader:
        [change] = reader.changes()
        assert change["event"] == "changed" and change["source_id"] == "letter"
        assert change["diff"]["removed"] == ["80,000"]
        assert reader.changes(source_id="letter") == [change]
        assert reader.changes(source_id="other") == []
        assert reader.changes(tag="law") == []


def test_one_state_query_per_request_and_titles_from_one_git_read(project: Project,
                                                                  letter: Article) -> None:
    checked_twice(project, letter)
    with reading(project.config()) as reader:
        records = reader.records()
        assert reader.records() is records  # asked once, kept
        assert reader.titles(["letter", "never-checked"]) == {"letter": letter.title}
        [row] = reader.source_rows()
        assert (row.id, row.status, row.last_event) == ("letter", "ok", "changed")


def test_a_database_that_holds_only_tokens_reads_as_no_state(project: Project) -> None:
    project.write({"letter": "/letter"})
    assert project.run("token", "create", "t").code == 0  # makes .monitor/state.db
    with reading(project.config()) as reader:
        assert reader.store is None
        assert [(r.id, r.status) for r in reader.source_rows()] == [("letter", "new")]
        assert reader.alerts() == [] and reader.changes() == []


def test_channel_secrets_are_masked_in_errors(project: Project) -> None:
    url = f"{project.site.url}/hooks/T000/B000/XyZsecretPart"
    project.write({"letter": "/letter"}, channels=(
        f"hook:\n  type: webhook\n  url: {url}\n"
        "  headers: {Authorization: 'Bearer tok-123456'}\n"))
    secrets = channel_secrets(project.config())
    error = f"POST {url} failed: Cannot POST /hooks/T000/B000/XyZsecretPart (Bearer tok-123456)"
    shown = masked(error, secrets)
    assert "XyZsecretPart" not in shown and "tok-123456" not in shown
    assert "[secret]" in shown and masked(None, secrets) == ""


def test_schedules_in_words() -> None:
    assert describe_schedule(Schedule(every=6 * 3600)) == "every 6h"
    assert describe_schedule(Schedule(every=90)) == "every 90s"
    assert describe_schedule(Schedule(cron="0 * * * *")) == "cron 0 * * * *"
    assert describe_schedule(Schedule(adaptive=True)) == "adaptive, every 15m to 7d"
