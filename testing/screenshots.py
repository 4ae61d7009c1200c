"""Screenshots of the main pages for docs/screenshots/: ``python -m testing.screenshots``.

Builds the review project (testing/review_project.py) in a temporary folder,
serves it, logs in with Debian's chromium and saves each page at a desktop
width and the sources and diff pages at 375 px. Look at them before a commit:
they are what the README shows a newcomer.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from testing.browser import CHROMIUM_FLAGS, browser_env, chromium_path, serving
from testing.review_project import PASSWORD, USER, make_review_project
from testing.site import LocalSite

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    executable = chromium_path()
    if executable is None:
        raise SystemExit("no chromium here: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder, LocalSite() as site:
        review = make_review_project(Path(folder), site)
        with serving(review.config) as base, sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS,
                                             env=browser_env())
            for name, width in (("desktop", 1280), ("phone", 375)):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(f"{base}/login")
                page.fill("input[name=user]", USER)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                shots = {"sources": "/", "diff": f"/sources/{review.changed_id}/diff/latest",
                         "timeline": f"/sources/{review.changed_id}",
                         "alerts": "/alerts", "preview": f"/preview?url={review.new_page}"}
                for shot, path in shots.items():
                    if name == "phone" and shot not in ("sources", "diff"):
                        continue
                    if shot == "diff":
                        page.goto(f"{base}/sources/{review.changed_id}")
                        page.click("a[href*='/diff/']")
                    else:
                        page.goto(base + path)
                    suffix = "" if name == "desktop" else "-375"
                    page.screenshot(path=str(args.out / f"{shot}{suffix}.png"), full_page=True)
                page.close()
            browser.close()
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
