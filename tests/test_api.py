"""The JSON API (monitor/web/api.py) over a real project: a local site, real git, real
SQLite, two `monitor check` runs with an edit between them."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from conftest import Project
from starlette.testclient import TestClient

from monitor.cli.demo_site import Article
from monitor.config import loader
from monitor.evidence import packet as packet_module
from monitor.store.store import Store
from monitor.web.api_json import Redactor
from monitor.web.app import create_app

ARTICLE = "/news/huawei-letter"
OTHER = "/news/other"
HOOK_SECRET = "T0k3nB9x8y7zQ"  # a part of the channel's URL: the secret
COMMENT = "# the desk's watch list: keep this line"


@dataclass
class Served:
    project: Project
    client: TestClient
    token: str
    read_only: str

    def get(self, path: str, token: str | None = None) -> httpx.Response:
        return self.client.get(path, headers=auth(token or self.token))

    def post(self, body: object, token: str | None = None) -> httpx.Response:
        return self.client.post("/api/sources", json=body, headers=auth(token or self.token))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token(project: Project, name: str, *options: str) -> str:
    made = project.run("token", "create", name, *options)
    assert made.code == 0, made.err
    return made.out.splitlines()[0].strip()


def git_log(project: Project, source_id: str) -> list[str]:
    return subprocess.run(["git", "-C", str(project.root / "snapshots"), "log",
                           "--format=%H", "--", f"{source_id}.md"],
                          capture_output=True, text=True, check=True).stdout.split()


@pytest.fixture
def served(project: Project, letter: Article) -> Iterator[Served]:
    project.site.put_article(ARTICLE, letter)
    project.site.put_article(OTHER, Article.load("uk-accuses-china-article"))
    project.write({"letter": ARTICLE, "other": OTHER},
                  channels=f"hook:\n  type: webhook\n  url: {project.site.url}/hooks/"
                           f"{HOOK_SECRET}\n")
    text = project.config_path.read_text()
    project.config_path.write_text(text.replace("sources:\n", f"sources:\n  {COMMENT}\n", 1))
    assert project.run("check").code == 0
    project.site.put_article(ARTICLE, letter.edited("80,000", "8,000"))
    checked = project.run("check")
    assert checked.code == 0 and "changed" in checked.out, checked
    read_write, read_only = token(project, "t"), token(project, "r", "--read-only")
    with TestClient(create_app(project.config())) as client:
        yield Served(project, client, read_write, read_only)


# --- reading -------------------------------------------------------------------------


def test_sources_are_listed_filtered_and_paged(served: Served) -> None:
    answer = served.get("/api/sources")
    assert answer.status_code == 200
    rows = answer.json()
    assert [row["id"] for row in rows] == ["letter", "other"]
    assert rows[0]["status"] == "ok" and rows[0]["url"].endswith(ARTICLE)
    assert rows[0]["last_event"] == "changed"
    assert answer.headers["X-Total-Count"] == "2"
    assert [r["id"] for r in served.get("/api/sources?q=LETT").json()] == ["letter"]
    assert served.get("/api/sources?tag=nothing").json() == []
    assert served.get("/api/sources?status=paused").json() == []
    paged = served.get("/api/sources?limit=1&offset=1")
    assert [r["id"] for r in paged.json()] == ["other"]
    assert paged.headers["X-Total-Count"] == "2"
    bad = served.get("/api/sources?limit=many")
    assert bad.status_code == 400 and "limit" in bad.json()["error"]


def test_one_source_with_its_schedule_and_channels(served: Served) -> None:
    answer = served.get("/api/sources/letter")
    assert answer.status_code == 200
    source = answer.json()
    assert source["id"] == "letter" and source["channels"] == ["hook"]
    assert source["schedule"]["kind"] == "interval" and source["schedule"]["interval"] == "6h"
    assert source["selector"] is None and source["ignore"] == [] and source["notes"] is None
    missing = served.get("/api/sources/nosuch")
    assert missing.status_code == 404 and "nosuch" in missing.json()["error"]
    assert served.get("/api/sources/..%2F..%2Fetc").status_code == 404


def test_versions_come_newest_first(served: Served) -> None:
    answer = served.get("/api/sources/letter/versions")
    assert answer.status_code == 200
    versions = answer.json()
    assert [v["revision"] for v in versions] == git_log(served.project, "letter")
    assert [v["event"] for v in versions] == ["changed", "baseline"]
    for version in versions:
        assert set(version) >= {"revision", "event", "reason", "detected_at", "title",
                                "summary"}
        assert version["title"]
    assert "8,000" in versions[0]["summary"]
    assert served.get("/api/sources/nosuch/versions").status_code == 404


def test_the_diff_of_the_latest_change_names_the_figure(served: Served) -> None:
    changed, baseline = git_log(served.project, "letter")
    answer = served.get("/api/sources/letter/diff")
    assert answer.status_code == 200
    diff = answer.json()
    assert (diff["source_id"], diff["from"], diff["to"]) == ("letter", baseline, changed)
    assert any("8,000" in text for text in diff["diff"]["added"])
    assert any("80,000" in text for text in diff["diff"]["removed"])
    assert "unified" in diff["diff"]
    figures = [c for c in diff["changes"] if c["kind"] == "figure"]
    assert figures and "80,000" in figures[0]["before"] and "8,000" in figures[0]["after"]
    # to defaults to the latest, from to the one before to
    assert served.get(f"/api/sources/letter/diff?to={changed}").json() == diff
    assert served.get(f"/api/sources/letter/diff?from={baseline[:7]}").json() == diff
    both = served.get(f"/api/sources/letter/diff?from={baseline}&to={changed[:10]}")
    assert both.json() == diff
    backwards = served.get(f"/api/sources/letter/diff?from={changed}&to={baseline}").json()
    assert any("80,000" in text for text in backwards["diff"]["added"])


def test_unknown_revisions_and_other_sources_revisions_are_404(served: Served) -> None:
    [others] = git_log(served.project, "other")
    for path in ("/api/sources/letter/diff?to=0123456789abcdef",
                 f"/api/sources/letter/diff?from={others}",
                 f"/api/sources/letter/diff?to={others}",
                 "/api/sources/letter/diff?to=--output=x",
                 "/api/sources/nosuch/diff",
                 "/api/sources/other/diff",  # a baseline alone: nothing to compare yet
                 f"/api/sources/letter/export/{others}",
                 "/api/sources/letter/export/deadbeef",
                 "/api/sources/nosuch/export/HEAD"):
        answer = served.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["error"], path


def test_alerts_carry_their_deliveries_without_secrets(served: Served) -> None:
    answer = served.get("/api/alerts")
    assert answer.status_code == 200
    alerts = answer.json()
    assert (alerts[0]["event"], alerts[0]["source_id"]) == ("changed", "letter")
    assert "8,000" in str(alerts[0]["diff"]["added"])
    for alert in alerts:
        [delivery] = alert["deliveries"]
        assert delivery["channel"] == "hook"
        assert {"status", "attempts", "last_error"} <= set(delivery)
    assert len(served.get("/api/alerts?limit=1").json()) == 1
    assert served.get("/api/alerts?limit=0").status_code == 400
    assert served.get("/api/alerts?limit=1001").status_code == 400
    for path in ("/api/alerts", "/api/sources", "/api/sources/letter",
                 "/api/sources/letter/versions", "/api/sources/letter/diff"):
        assert HOOK_SECRET not in served.get(path).text, path


def test_redaction_takes_a_channel_url_out_of_any_text(served: Served) -> None:
    config = served.project.config()
    url = f"{served.project.site.url}/hooks/{HOOK_SECRET}"
    redactor = Redactor(config)
    assert HOOK_SECRET not in redactor.text(f"POST {url} failed: 404 /hooks/{HOOK_SECRET}")
    shown = redactor.value({"deliveries": [{"last_error": f"refused {HOOK_SECRET}"}]})
    assert HOOK_SECRET not in json.dumps(shown)


# --- access --------------------------------------------------------------------------


def test_a_token_is_needed_and_a_read_only_one_cannot_write(served: Served) -> None:
    for path in ("/api/sources", "/api/sources/letter", "/api/alerts",
                 "/api/sources/letter/diff", "/api/openapi.json"):
        answer = served.client.get(path)
        assert answer.status_code == 401, path
        assert "token" in answer.json()["error"]
    assert served.client.get("/api/sources", headers=auth("mon_wrong")).status_code == 401
    assert served.get("/api/sources", token=served.read_only).status_code == 200
    refused = served.post({"url": f"{served.project.site.url}/news/new"},
                          token=served.read_only)
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]
    assert "/news/new" not in served.project.config_path.read_text()


def test_other_paths_and_methods_answer_in_json(served: Served) -> None:
    missing = served.get("/api/nothing/here")
    assert missing.status_code == 404 and missing.json()["error"]
    wrong = served.client.delete("/api/sources/letter", headers=auth(served.token))
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert wrong.json()["error"]


def test_a_get_answers_while_a_pass_holds_the_writer_lock(served: Served) -> None:
    settings = served.project.config().settings
    with Store.of(settings).lock(1.0):
        assert served.get("/api/sources").status_code == 200
        assert served.get("/api/sources/letter/versions").status_code == 200
        assert served.get("/api/sources/letter/diff").status_code == 200
        assert served.get("/api/alerts").status_code == 200


# --- adding --------------------------------------------------------------------------


def test_a_post_adds_the_source_keeping_the_files_comments(served: Served) -> None:
    url = f"{served.project.site.url}/news/third"
    answer = served.post({"url": url, "id": "third", "interval": "2h", "tags": ["gov", "uk"],
                          "selector": "article .body", "ignore": ["aside", ".related"],
                          "channels": ["hook"], "name": "The third", "notes": "from the web"})
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"] == "/api/sources/third"
    source = answer.json()
    assert source["id"] == "third" and source["url"] == url and source["tags"] == ["gov", "uk"]
    assert source["schedule"]["interval"] == "2h" and source["selector"] == "article .body"
    assert source["ignore"] == ["aside", ".related"] and source["notes"] == "from the web"
    assert source["name"] == "The third" and source["status"] == "new"
    text = served.project.config_path.read_text()
    assert COMMENT in text and "id: third" in text
    loaded = loader.load(served.project.config_path).source("third")
    assert loaded.tags == ("gov", "uk") and loaded.channels == ("hook",)
    assert served.get("/api/sources/third").json()["id"] == "third"
    # without an id: one is made from the URL
    made = served.post({"url": f"{served.project.site.url}/news/fourth"})
    assert made.status_code == 201
    assert made.json()["id"] in served.project.config_path.read_text()


def test_a_duplicate_url_or_id_is_a_conflict(served: Served) -> None:
    before = served.project.config_path.read_bytes()
    same_url = served.post({"url": f"{served.project.site.url}{ARTICLE}?utm_source=x"})
    assert same_url.status_code == 409 and "letter" in same_url.json()["error"]
    same_id = served.post({"url": f"{served.project.site.url}/news/fifth", "id": "letter"})
    assert same_id.status_code == 409 and "letter" in same_id.json()["error"]
    assert served.project.config_path.read_bytes() == before


@pytest.mark.parametrize(("body", "words"), [
    ({"selector": "div[["}, "selector"),
    ({"interval": "soon"}, "interval"),
    ({"channels": ["nosuch"]}, "nosuch"),
])
def test_what_the_config_would_refuse_is_a_422_naming_the_line(
        served: Served, body: dict[str, object], words: str) -> None:
    before = served.project.config_path.read_bytes()
    answer = served.post({"url": f"{served.project.site.url}/news/sixth", **body})
    assert answer.status_code == 422, answer.text
    problem = answer.json()["error"]
    assert words in problem and f"{served.project.config_path}:" in problem
    line = int(problem.split(f"{served.project.config_path}:", 1)[1].split(":", 1)[0])
    assert line > 0
    assert served.project.config_path.read_bytes() == before


@pytest.mark.parametrize(("body", "status"), [
    ([1, 2], 400),
    ({}, 422),
    ({"url": "ftp://example.org/x"}, 422),
    ({"url": "https://example.org/x", "id": "no spaces"}, 422),
    ({"url": "https://example.org/x", "tags": "ok", "colour": "red"}, 422),
    ({"url": "https://example.org/x", "tags": [1]}, 422),
])
def test_a_body_that_is_no_source_is_refused(served: Served, body: object,
                                             status: int) -> None:
    answer = served.post(body)
    assert answer.status_code == status
    assert answer.json()["error"]
    not_json = served.client.post("/api/sources", content=b"{url:", headers=auth(served.token))
    assert not_json.status_code == 400 and not_json.json()["error"]


# --- the evidence packet -------------------------------------------------------------


class Frozen(datetime):
    """The packet's one clock reading, fixed: the same request gives the same bytes."""

    @classmethod
    def now(cls, tz: object = None) -> Frozen:
        return cls(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_the_export_is_the_packet_monitor_export_writes(
        served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packet_module, "datetime", Frozen)
    changed, _ = git_log(served.project, "letter")
    answer = served.get(f"/api/sources/letter/export/{changed[:7]}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] in {"application/zip", "application/wacz+zip"}
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="letter-{changed[:7]}.wacz"')
    out = tmp_path / "cli.wacz"
    exported = served.project.run("export", "letter", changed[:7], "-o", str(out))
    assert exported.code == 0, exported
    assert answer.content == out.read_bytes()
    with zipfile.ZipFile(io.BytesIO(answer.content)) as packed:
        names = packed.namelist()
        assert "datapackage.json" in names and "monitor/facts.json" in names
        facts = json.loads(packed.read("monitor/facts.json"))
    assert facts["after"]["revision"] == changed


def test_openapi_json_answers_with_a_token(served: Served) -> None:
    answer = served.get("/api/openapi.json")
    assert answer.status_code == 200
    assert answer.json()["openapi"].startswith("3.1")
