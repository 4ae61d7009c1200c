"""A project with something to review: the browser tests' and the screenshots' ground.

Four sources on the local site, checked twice: the law firm's letter with a
figure edited between the checks (80,000 → 8,000), a report taken down, an
Arabic statement, and a blog post; the letter's `changed` alert is a dead
letter (its receiver answered 410 Gone). A user ``ann`` can log in.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from monitor.cli.demo_site import Article
from monitor.cli.main import main
from monitor.store.access import access_db, save_user
from monitor.web.auth import hash_password
from testing.site import LocalSite

USER, PASSWORD = "ann", "a long password"
ARABIC = Article(slug="arabic-statement", title="بيان حول الوضع في شينجيانغ",
                 author="مكتب الصحافة", date="2026-11-20", paragraphs=(
                     "أصدرت الوزارة اليوم بيانا حول الوضع في المنطقة، وقالت إن ثمانين ألف "
                     "شخص نقلوا إلى المعسكرات خلال العام الماضي.",
                     "وطالبت المنظمات الحقوقية بفتح تحقيق مستقل في هذه الادعاءات."))


@dataclass(frozen=True)
class Review:
    root: Path
    config: Path
    changed_id: str  # the source whose last check changed 80,000 to 8,000
    arabic_id: str
    new_page: str  # a URL on the site that no source watches yet (to preview and add)


def run(config: Path, *args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main([*args, "--config", str(config)])
    return out.getvalue()


def make_review_project(root: Path, site: LocalSite) -> Review:
    letter = Article.load("huawei-5g-letter")
    site.put_article("/news/letter", letter)
    site.put_article("/reports/forced-labour", Article.load("un-forced-labor-statement"))
    site.put_article("/ar/statement", ARABIC)
    site.put_article("/blog/internment", Article.load("huawei-internment-blog"))
    site.put_article("/news/uk-accuses-china", Article.load("uk-accuses-china-article"))
    config = root / "sources.yaml"
    config.write_text(f"""\
# What the team watches
settings:
  timeout: 20s
  retries: 0
  workers: 1
  web: {{preview_private: true}}
channels:
  newsroom:
    type: webhook
    url: {site.url}/hooks/newsroom
sources:
  - id: huawei-5g-letter
    url: {site.url}/news/letter
    tags: [uk, huawei]
  - id: forced-labour-report
    url: {site.url}/reports/forced-labour
    tags: [un]
  - id: arabic-statement
    url: {site.url}/ar/statement
    tags: [xinjiang]
  - id: internment-blog
    url: {site.url}/blog/internment
    tags: [huawei]
""", encoding="utf-8")
    run(config, "check")
    site.put_article("/news/letter", letter.edited("80,000", "8,000"))
    site.put_status("/reports/forced-labour", 404, "Not found")
    site.hook_statuses = [410]  # the edit's alert: refused for good, a dead letter
    run(config, "check")
    run(config, "check")  # the removal confirmed
    with access_db(root / ".monitor" / "state.db", write=True) as db:
        assert db is not None
        save_user(db, USER, hash_password(PASSWORD), "2026-11-25T10:00:00Z")
    return Review(root, config, "huawei-5g-letter", "arabic-statement",
                  f"{site.url}/news/uk-accuses-china")
