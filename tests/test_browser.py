"""The web view in a real browser: Debian's chromium driven by Playwright, against
``monitor serve`` over 127.0.0.1 and a project with real git history.

Locally these skip without chromium (``apt-get install chromium``); with
``CI=true`` a missing browser is a failure, so CI never passes them by skipping.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.browser import CHROMIUM_FLAGS, browser_env, chromium_path, serving
from testing.review_project import PASSWORD, USER, Review, make_review_project
from testing.site import LocalSite

CHROMIUM = chromium_path()
if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true and no chromium: apt-get install chromium")
    pytest.skip("no chromium here (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Review, str]]:
    with LocalSite() as site:
        made = make_review_project(tmp_path_factory.mktemp("review"), site)
        with serving(made.config) as base:
            yield made, base


@pytest.fixture(scope="module")
def browser(review: tuple[Review, str]) -> Iterator[Browser]:
    """After the project is made: Playwright's driver holds an event loop of its own, and
    ``monitor check`` must run first, in a thread with none."""
    assert CHROMIUM is not None
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                          env=browser_env())
        yield launched
        launched.close()


def logged_in(browser: Browser, base: str, *, width: int = 1280,
              javascript: bool = True) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login?next=%2F")  # nothing is public
    page.fill("input[name=user]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    expect(page).to_have_url(f"{base}/")
    return page


def test_log_in_find_a_source_and_see_the_edited_words(browser: Browser,
                                                      review: tuple[Review, str]) -> None:
    made, base = review
    page = logged_in(browser, base)
    page.fill("input[name=q]", "5g-letter")
    page.click("form.filter button[type=submit]")
    rows = page.locator("table.sources tbody tr")
    expect(rows).to_have_count(1)
    rows.locator("a.id").click()
    expect(page).to_have_url(f"{base}/sources/{made.changed_id}")
    page.locator("a[href*='/diff/']").first.click()
    expect(page.locator("del", has_text="80,000").first).to_be_visible()
    expect(page.locator("ins", has_text="8,000").first).to_be_visible()
    assert page.locator("del", has_text="80,000").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine") == "line-through"
    page.locator("a[href*='view=side']").first.click()
    expect(page.locator("del", has_text="80,000").first).to_be_visible()
    expect(page.locator("ins", has_text="8,000").first).to_be_visible()
    page.context.close()


def test_add_a_source_from_a_preview(browser: Browser, review: tuple[Review, str]) -> None:
    made, base = review
    page = logged_in(browser, base)
    page.goto(f"{base}/preview")
    page.fill("form.preview input[name=url]", made.new_page)
    page.click("form.preview button[type=submit]")
    expect(page.locator("dd", has_text="gross").first).to_be_visible()  # the page's title
    page.click("form.add button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(base) + r"/sources/[\w.-]*uk-accuses-china$"))
    assert made.new_page in made.config.read_text(encoding="utf-8")
    assert made.config.read_text(encoding="utf-8").startswith("# What the team watches")
    page.context.close()


def test_retry_a_dead_letter(browser: Browser, review: tuple[Review, str]) -> None:
    _, base = review
    page = logged_in(browser, base)
    page.goto(f"{base}/alerts")
    dead = page.locator("form.retry button[type=submit]")
    expect(dead).to_have_count(1)
    dead.click()
    expect(page).to_have_url(f"{base}/alerts")
    expect(page.locator("form.retry")).to_have_count(0)
    expect(page.get_by_text("re-queued").first).to_be_visible()
    page.context.close()


def test_an_arabic_title_reads_right_to_left(browser: Browser,
                                             review: tuple[Review, str]) -> None:
    made, base = review
    page = logged_in(browser, base)
    title = page.locator("div.title", has_text="شينجيانغ")
    expect(title).to_have_count(1)
    assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
    english = page.locator("div.title", has_text="Huawei").first
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
    page.goto(f"{base}/sources/{made.arabic_id}")
    heading = page.locator("[dir=auto]", has_text="شينجيانغ").first
    assert heading.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.context.close()


@pytest.mark.parametrize("path", ["/", "/sources/huawei-5g-letter", "/alerts", "/preview",
                                  "/sources/huawei-5g-letter/diff/latest", "/login"])
def test_no_horizontal_scroll_at_375_px(browser: Browser, review: tuple[Review, str],
                                        path: str) -> None:
    made, base = review
    page = logged_in(browser, base, width=375)
    if path.endswith("/latest"):
        page.goto(f"{base}/sources/{made.changed_id}")
        page.locator("a[href*='/diff/']").first.click()
    else:
        page.goto(base + path)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 375, f"{path} is {wide} px wide at a 375 px viewport"
    page.context.close()


def test_the_pages_work_without_javascript(browser: Browser,
                                           review: tuple[Review, str]) -> None:
    made, base = review
    page = logged_in(browser, base, javascript=False)
    page.goto(f"{base}/sources/{made.changed_id}")
    page.locator("a[href*='/diff/']").first.click()
    expect(page.locator("ins", has_text="8,000").first).to_be_visible()
    page.context.close()


def test_screenshots_can_be_made(review: tuple[Review, str], tmp_path: Path,
                                 browser: Browser) -> None:
    """The README's picture comes from this page: it renders with the styles loaded."""
    _, base = review
    page = logged_in(browser, base)
    shot = tmp_path / "sources.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # style.css
    page.context.close()
