"""``monitor demo``: the whole pipeline on a local site, offline, in seconds.

It serves the bundled sample articles inside a busy site template, checks them,
churns the page furniture (nothing to report), edits a figure in one article and
takes another down, and shows the alerts a webhook received and the history git
kept. Everything it writes stays in one folder to explore afterwards.
"""

from __future__ import annotations

import asyncio
import tempfile
import textwrap
from pathlib import Path

from monitor.cli.demo_site import Article, DemoSite, Furniture, teasers
from monitor.config import loader as config_module
from monitor.core.model import Config
from monitor.pipeline.session import run_pass
from monitor.store.store import Store

EDITED = "huawei-5g-letter"
REMOVED = "uk-accuses-china-article"
FIGURE_BEFORE, FIGURE_AFTER = "80,000", "8,000"


def run_demo(folder: Path | None = None) -> int:
    folder = (folder or Path(tempfile.mkdtemp(prefix="monitor-demo-"))).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    with DemoSite() as site:
        articles = {slug: Article.load(slug) for slug in
                    ("huawei-5g-letter", "huawei-internment-blog", "uk-accuses-china-article",
                     "un-forced-labor-statement")}
        for slug, article in articles.items():
            site.put_article(f"/news/{slug}", article)
        config_path = write_config(folder, site.url, list(articles))
        config = config_module.load(config_path)

        step(1, "First check: a baseline of every article is stored in git; no alerts.")
        check(config)

        step(2, "The site churns its furniture (teasers, view counts, comments, scripts, "
                "cookie banner): nothing to report.")
        churn = Furniture(teasers=tuple(teasers()[2:6]), views=5310, build="f9e8d7",
                          comments=(("Visitor", "First!"),), updated="Updated just now",
                          banner="Your privacy matters to us. Manage cookies.")
        for slug, article in articles.items():
            site.put_article(f"/news/{slug}", article, churn)
        check(config)

        step(3, f"An editor changes a figure in '{EDITED}' ({FIGURE_BEFORE} → {FIGURE_AFTER}), "
                f"and '{REMOVED}' starts answering 404.")
        site.put_article(f"/news/{EDITED}",
                         articles[EDITED].edited(FIGURE_BEFORE, FIGURE_AFTER), churn)
        site.put_status(f"/news/{REMOVED}", 404, "<h1>Page not found</h1>")
        check(config)

        step(4, "Check again: the second 404 in a row confirms the removal.")
        check(config)

        step(5, "What the webhook received (one POST per alert):")
        for post in site.posts("/hooks/demo"):
            alert = post.json()
            print(f"  {alert['event']:<8} {alert['source_id']}  "
                  f"reason={alert['reason']}  id={alert['id']}")
            if alert["diff"]:
                print(f"           removed {alert['diff']['removed']}  "
                      f"added {alert['diff']['added']}")

    store = Store.of(config.settings)
    step(6, f"The history, in git: git -C {config.settings.snapshots} log --oneline")
    print(textwrap.indent(store.git("log", "--format=%h %s"), "  "))
    print(f"  and the edit, word by word (monitor diff {EDITED}):")
    changed = store.log(EDITED)
    diff = store.git("diff", "--word-diff=plain", "-U0", changed[1].revision,
                     changed[0].revision, "--", f"{EDITED}.md")
    for line in diff.splitlines():
        if "[-" in line or "{+" in line:
            print(textwrap.indent(textwrap.fill(_around_change(line), 96), "    "))

    print(f"\nEverything is in {folder}: sources.yaml, snapshots/ (git), alerts/ (JSON).")
    print(f"Explore it: monitor list --config {config_path}")
    print(f"            monitor history {EDITED} --config {config_path}")
    print(f"In a browser: monitor user add you --config {config_path}, then")
    print(f"            monitor serve --config {config_path}")
    return 0


def _around_change(line: str, context: int = 60) -> str:
    start = max(line.find("[-") - context, 0)
    end = line.find("+}") + 2 + context
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")


def step(number: int, text: str) -> None:
    print(f"\n{number}. {text}")


def check(config: Config) -> None:
    from monitor.cli.main import print_check
    from monitor.pipeline.reports import summary

    report = asyncio.run(run_pass(config, config.sources, on_check=print_check))
    print(summary(report))


def write_config(folder: Path, base_url: str, slugs: list[str]) -> Path:
    sources = "\n".join(f"  - id: {slug}\n    url: {base_url}/news/{slug}\n    tags: [demo]"
                        for slug in slugs)
    path = folder / "sources.yaml"
    path.write_text(f"""\
# Written by `monitor demo`: a local site on {base_url}, gone when the demo ends.
settings:
  retry_backoff: 50ms
  confirm_removal: 2
channels:
  demo-hook:
    type: webhook
    url: {base_url}/hooks/demo
sources:
{sources}
""", encoding="utf-8")
    return path
