"""The page sets bench/pagesets.py writes: where each lies, and which of its pages are kept.

**fundus** (https://github.com/flairNLP/fundus, MIT): the parser test data,
``tests/resources/parser/test_data/<country>/<Publisher>_<date>.html.gz``, URL
and crawl date in ``meta.info``; ``<Publisher>.json`` holds for each parser
version the body the site's hand-written parser extracts (summary, headlines,
paragraphs). Pages pair with versions in order, oldest with oldest; of two
kept pages with one URL (a re-crawl) the newest stays.

**readability** (https://github.com/mozilla/readability, Apache-2.0): the test
pages, ``test/test-pages/<name>/source.html`` with ``expected.html``, the
article as readability extracts it; the expected text is its text, each block
element and ``<br>`` a paragraph, whitespace collapsed. Left out first:
hand-made markup tests ("lorem ipsum" or a source.html under 5,000 bytes;
"001" and "002" are real posts), ``NOT_ARTICLES``, and repeats of an expected
text. URL from ``expected-metadata.json`` (none has one), else
``http://readability.invalid/<name>``; no crawl date.

**wcxb-test**, **wcxb-dev** (WCXB, https://github.com/Murrough-Foley/web-content-extraction-benchmark,
CC-BY-4.0): 2,008 pages crawled in 2025-2026, each with its main content as a
model drafted it and a person reviewed it, in a development and a held-out test
split (``<split>/html/<id>.html.gz``, ``<split>/ground-truth/<id>.json``). Only
pages typed ``article`` are kept: monitor watches articles, and a product grid
or a forum thread has no article text to edit.

Then a page is kept when its expected body has ``--min-chars`` (500) and
``--min-visible`` (95%) of its words in the page's visible text (no scripts,
styles, head): a body the HTML does not hold measures the data, not monitor.
Ids are the sha1 of ``fundus/<country>/<file stem>``, ``readability/<name>`` or
``wcxb/<split>/<id>``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from bench.corpus import normalise, words
from bench.variants import parse, text_slots, visible_text

HTML_NAME = re.compile(r"^(?P<publisher>[^_/]+)_(?P<date>\d{4}_\d{2}_\d{2})\.html\.gz$")
VERSION_NUMBERS = re.compile(r"\d+")
# Each starts a paragraph of readability's expected text, as <br> does.
BLOCK = re.compile(r"h[1-6r]|p|pre|div|[oud]l|li|d[dt]|t[dhr]|table|caption|blockquote|figure|"
                   r"figcaption|section|article|aside|header|footer|nav|main|form|address")
FIXTURE_BYTES = 5000  # the smallest saved page in readability's tests has 10,116
# Real pages in readability's tests that are no article (readability is tested on them too).
NOT_ARTICLES = {"mathjax": "a demo of MathJax formulas", "mozilla-1": "a product page",
                "mozilla-2": "a product page", "nytimes-5": "a front page",
                "yahoo-2": "a front page"}
WCXB_URL = "https://github.com/Murrough-Foley/web-content-extraction-benchmark"


@dataclass(frozen=True)
class Spec:
    """A page set's repository and where its data lies in it."""

    name: str
    url: str
    data: str  # the folder of pages
    looks_like: str  # a glob that matches in the data folder itself
    licences: dict[str, str]  # file in the repository -> file written beside the corpus
    licence: str  # as PAGESET.json states it


FUNDUS = Spec("fundus", "https://github.com/flairNLP/fundus", "tests/resources/parser/test_data",
              "*/meta.info", {"LICENSE": "LICENSE.fundus"},
              "MIT (fundus); pages belong to their publishers")
READABILITY = Spec("readability", "https://github.com/mozilla/readability", "test/test-pages",
                   "*/expected.html", {"LICENSE.md": "LICENSE.readability",
                                       "NOTICE": "NOTICE.readability"},
                   "Apache-2.0 (readability); pages belong to their publishers")
WCXB_TEST = Spec("wcxb-test", WCXB_URL, "test", "ground-truth/*.json", {"LICENSE": "LICENSE.wcxb"},
                 "CC-BY-4.0 (WCXB, Murrough Foley); pages belong to their publishers")
WCXB_DEV = Spec("wcxb-dev", WCXB_URL, "dev", "ground-truth/*.json", {"LICENSE": "LICENSE.wcxb"},
                WCXB_TEST.licence)


@dataclass
class Source:
    """The files of a set's data folder, by path relative to it."""

    files: dict[str, bytes | None]  # None: listed but absent (a snapshot lacks files >= 4 MiB)
    where: str
    revision: str
    licences: dict[str, bytes]  # by the name written beside the corpus


# --- choosing the pages -------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str  # fundus/<country>/<file stem>, readability/<name>
    url: str
    crawl_date: str
    body: str
    raw: bytes

    @property
    def id(self) -> str:
        return hashlib.sha1(self.name.encode()).hexdigest()


@dataclass(frozen=True)
class Skip:
    name: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


def visible_share(raw: bytes, body: str) -> float:
    """The share of the body's words (a bag, as bench/quality scores) in the page's visible text."""
    want = Counter(w.lower() for w in words(body))
    have = Counter(w.lower() for w in words(visible_text(parse(raw))))
    return sum((want & have).values()) / (sum(want.values()) or 1)


def check(name: str, raw: bytes, body: str, min_chars: int, min_visible: float) -> Skip | None:
    """Why a page and its expected body are left out, if they are (the checks all sets share)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return Skip(name, "HTML is not UTF-8")
    if len(body) < min_chars:
        return Skip(name, f"expected body under {min_chars} characters", f"{len(body)}")
    share = visible_share(raw, body)
    if share < min_visible:
        return Skip(name, f"under {min_visible:.0%} of the expected body's words in the "
                          "page's visible text", f"{share:.0%}")
    return None


def body_text(body: dict[str, Any]) -> str:
    """fundus's ArticleBody as text: summary, then each section's headlines and paragraphs."""
    parts: list[str] = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts += [*(section.get("headline") or []), *(section.get("paragraphs") or [])]
    return "\n\n".join(p.strip() for p in parts if p.strip())


def _version_key(version: str) -> list[int]:
    return [int(n) for n in VERSION_NUMBERS.findall(version)]


def choose_fundus(source: Source, min_chars: int, min_visible: float,
                  ) -> tuple[list[Page], list[Skip]]:
    """The pages kept, and every page left out with the reason."""
    meta: dict[str, dict[str, Any]] = {}
    htmls: dict[tuple[str, str], list[str]] = {}  # (country, publisher) -> html file names
    for path, content in sorted(source.files.items()):
        country, _, file = path.rpartition("/")
        if file == "meta.info" and content is not None:
            meta.update({f"{country}/{k}": v for k, v in json.loads(content).items()})
        elif match := HTML_NAME.match(file):
            htmls.setdefault((country, match["publisher"]), []).append(path)

    def crawl_date(path: str) -> str:
        if date := meta.get(path, {}).get("crawl_date"):
            return str(date)
        match = HTML_NAME.match(path.rpartition("/")[2])
        return match["date"].replace("_", "-") if match else ""

    kept: list[Page] = []
    skipped: list[Skip] = []
    for (country, publisher), paths in sorted(htmls.items()):
        paths.sort(key=crawl_date)
        names = [f"fundus/{p.removesuffix('.html.gz')}" for p in paths]
        expected = source.files.get(f"{country}/{publisher}.json")
        if expected is None:
            skipped += [Skip(n, "no expected text (publisher JSON absent)") for n in names]
            continue
        versions = json.loads(expected)
        if len(versions) != len(paths):
            skipped += [Skip(n, "as many pages as parser versions",
                             f"{len(paths)} pages, {len(versions)} versions") for n in names]
            continue
        for path, name, version in zip(paths, names, sorted(versions, key=_version_key),
                                       strict=True):
            content = source.files[path]
            if content is None:
                skipped.append(Skip(name, "HTML absent from the snapshot", "4 MiB or more"))
                continue
            raw = gzip.decompress(content)
            body = body_text(versions[version].get("body") or {})
            if skip := check(name, raw, body, min_chars, min_visible):
                skipped.append(skip)
                continue
            url = meta.get(path, {}).get("url") or f"http://pageset.invalid/{name}"
            kept.append(Page(name, url, crawl_date(path), body, raw))

    newest: dict[str, Page] = {}
    for page in kept:  # the same article crawled again: keep the newest crawl
        if page.url not in newest or page.crawl_date > newest[page.url].crawl_date:
            newest[page.url] = page
    for page in kept:
        if newest[page.url] is not page:
            skipped.append(Skip(page.name, "same URL as a newer crawl", newest[page.url].name))
    return sorted(newest.values(), key=lambda p: p.name), sorted(skipped, key=str)


def html_text(raw: bytes) -> str:
    """An HTML fragment's visible text: each block element and <br> starts a paragraph."""
    body = parse(raw).find("body") if raw.strip() else None
    paragraphs: list[list[str]] = []
    last = None
    for slot in text_slots(body) if body is not None else ():
        block = next(e for e in (slot.owner, *slot.owner.iterancestors())
                     if e is body or BLOCK.fullmatch(e.tag))
        if block is not last or (slot.attr == "tail" and slot.element.tag == "br"):
            paragraphs.append([])
            last = block
        paragraphs[-1].append(slot.get())
    return "\n\n".join(text for part in paragraphs if (text := normalise("".join(part))))


def choose_readability(source: Source, min_chars: int, min_visible: float,
                       ) -> tuple[list[Page], list[Skip]]:
    """The pages kept, and every test page left out with the reason."""
    kept: list[Page] = []
    skipped: list[Skip] = []
    seen: dict[str, str] = {}  # expected text -> the page kept with it
    for folder in sorted({path.split("/")[0] for path in source.files if "/" in path}):
        name = f"readability/{folder}"
        raw, expected, meta = (source.files.get(f"{folder}/{file}") for file in
                               ("source.html", "expected.html", "expected-metadata.json"))
        if raw is None or expected is None:
            skipped.append(Skip(name, "source.html or expected.html absent"))
            continue
        body = html_text(expected)
        if folder in NOT_ARTICLES:
            skipped.append(Skip(name, "a real page but no article", NOT_ARTICLES[folder]))
            continue
        if "lorem ipsum" in body.lower() or len(raw) < FIXTURE_BYTES:
            skipped.append(Skip(name, "a hand-made markup test", f"{len(raw):,} bytes"
                                if len(raw) < FIXTURE_BYTES else "lorem ipsum"))
            continue
        if skip := check(name, raw, body, min_chars, min_visible):
            skipped.append(skip)
            continue
        if body in seen:
            skipped.append(Skip(name, "same expected text as another page", seen[body]))
            continue
        seen[body] = name
        url = json.loads(meta or b"{}").get("url") or f"http://readability.invalid/{folder}"
        kept.append(Page(name, url, "", body, raw))
    return kept, sorted(skipped, key=str)

def choose_wcxb(split: str, source: Source, min_chars: int, min_visible: float,
                ) -> tuple[list[Page], list[Skip]]:
    """The article pages of one WCXB split kept, and every page left out with the reason."""
    kept: list[Page] = []
    skipped: list[Skip] = []
    for path, content in sorted(source.files.items()):
        folder, _, file = path.rpartition("/")
        if folder != "ground-truth" or not file.endswith(".json") or content is None:
            continue
        file_id = file.removesuffix(".json")
        name = f"wcxb/{split}/{file_id}"
        record = json.loads(content)
        kind = (record.get("_internal", {}).get("page_type", {}).get("primary")
                or record.get("page_type") or "")
        if kind != "article":
            skipped.append(Skip(name, "not an article", kind or "no page type"))
            continue
        html = source.files.get(f"html/{file_id}.html.gz")
        if html is None:
            skipped.append(Skip(name, "HTML absent from the snapshot"))
            continue
        raw = gzip.decompress(html)
        body = str(record.get("ground_truth", {}).get("main_content") or "").strip()
        if skip := check(name, raw, body, min_chars, min_visible):
            skipped.append(skip)
            continue
        kept.append(Page(name, record.get("url") or f"http://pageset.invalid/{name}", "",
                         body, raw))
    return kept, sorted(skipped, key=str)


Choose = Callable[[Source, int, float], tuple[list[Page], list[Skip]]]
SETS: dict[str, tuple[Spec, Choose]] = {
    "fundus": (FUNDUS, choose_fundus), "readability": (READABILITY, choose_readability),
    "wcxb-test": (WCXB_TEST, partial(choose_wcxb, "test")),
    "wcxb-dev": (WCXB_DEV, partial(choose_wcxb, "dev"))}
