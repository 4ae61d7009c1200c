"""The read-only queries behind the pages and the feed, and the secrets kept out of them."""

from __future__ import annotations

import pytest
from conftest import Project
from test_pages import checked_twice

from monitor.cli.demo_site import Article
from monitor.core.schedule import Schedule, describe_schedule
from monitor.web.pages_common import channel_secrets, masked
from monitor.web.queries import NotFound, reading


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


def test_versions_and_diffs_come_from_the_recorded_revisions_as_git_would_say(
        project: Project, letter: Article) -> None:
    """The state database's versions rows and one read of the commits give what
    ``git log -- <id>.md`` gives, without walking every source's history."""
    checked_twice(project, letter)
    project.site.put_article("/letter", letter.edited("80,000", "800"))
    assert project.run("check").code == 0
    with reading(project.config()) as reader:
        assert reader.history is not None and reader.store is not None
        from_git = reader.history.versions("letter")
        recorded = reader.recorded("letter")
        assert recorded == [v.revision for v in reversed(from_git)]
        fast = reader.versions("letter")
        assert [(v.revision, v.event, v.detected_at) for v in fast] == [
            (v.revision, v.event, v.when) for v in from_git]
        assert reader.latest("letter") == from_git[0].revision
        latest = reader.diff("letter")
        assert (latest.old.revision, latest.new.revision) == (recorded[1], recorded[2])
        assert latest.diff["removed"] == ["8,000"] and latest.diff["added"] == ["800"]
        short = reader.diff("letter", recorded[1][:10])  # a short id, as `history` shows
        assert (short.old.revision, short.new.revision) == (recorded[0], recorded[1])
        assert short.new.event == "changed" and short.old.event == "baseline"
        between = reader.diff("letter", recorded[0], recorded[2])
        assert between.diff["removed"] == ["80,000"] and between.diff["added"] == ["800"]
        with pytest.raises(NotFound, match="first version"):
            reader.diff("letter", recorded[0])
        with pytest.raises(NotFound):
            reader.diff("letter", "0" * 40)


def test_the_sources_table_builds_rows_only_for_the_slice_shown(project: Project) -> None:
    project.write({f"page-{n:03d}": f"/page/{n}" for n in range(250)})
    with reading(project.config()) as reader:
        table = reader.source_table(offset=100, limit=100)
        assert (table.total, table.matched, len(table.rows)) == (250, 250, 100)
        assert table.rows[0].id == "page-100" and table.statuses == ["new"]
        found = reader.source_table(query="PAGE-24", limit=5)
        assert found.matched == 10 and [r.id for r in found.rows] == [
            f"page-24{n}" for n in range(5)]  # any case; the id, name or URL
        assert reader.source_table(status="ok").matched == 0
