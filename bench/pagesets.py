"""A second page set for bench/quality, held out of the tuning loop.

The shared corpus (``../shared/corpus``, 181 pages from 2019) is what monitor's
extraction and the bench's variants were tuned on, so its recall says little
about pages nobody has looked at. This module turns another set of real
article pages with their expected article text into the shared corpus's
format (``ground-truth.json`` + ``html/<id>.html.gz``, see bench/corpus.py) in
a folder outside the repository, so that ``bench/quality --corpus DIR`` can
measure extraction recall on it::

    python -m bench.pagesets fundus /work/pagesets/fundus [--source PATH]
    bench/quality --corpus /work/pagesets/fundus

The set is **fundus**'s parser test data (https://github.com/flairNLP/fundus,
``tests/resources/parser/test_data/<country>/``, MIT licence; at fundus 18da6e5,
258 news article pages from 181 publishers in 41 countries, crawled 2023 to
2026). Each page is saved as ``<Publisher>_<YYYY_MM_DD>.html.gz``, with its URL
and crawl date in ``meta.info``. ``<Publisher>.json`` holds, for each parser
version, the article as the publisher's hand-written fundus parser extracts
it, checked by the fundus maintainers: ``body`` = summary (lead), then sections
of headlines and paragraphs. That body is the expected text used here; it has
no captions, bylines, comments or related-article teasers. The pages belong to
their publishers, as with the shared corpus. (trafilatura's own evaluation
pages were the first idea, but its ``tests/evaldata.json`` holds only a few
"with"/"without" snippets a page, not the article's text.)

The data is read in place: from a bare git directory (what the project's
``fetch`` tool brings, ``/work/.mirror/flairNLP+fundus/repo``, the default), a
``git clone https://github.com/flairNLP/fundus`` work tree, or the
``test_data`` folder itself. Nothing is copied into the repository.

A publisher's pages pair with its parser versions in order (oldest crawl with
the oldest version, as fundus's own tests pair them by the versions' validity
dates). A page is kept when its expected body has at least ``--min-chars``
characters (500) and at least ``--min-visible`` (95%) of the body's words are
in the page's visible text (the bench's notion: no scripts, styles, head); a
body that the site only ships in JSON or that the HTML does not hold would
measure the data, not monitor. When two kept pages have the same URL (an
article crawled again after a redesign), the newest crawl is kept. fundus
stores pages as UTF-8 text (whatever the site sent, decoded at crawl time);
those bytes are kept as they are, and the bench serves every page as UTF-8.

Page ids are the sha1 of ``fundus/<country>/<file stem>``. Writing is
idempotent: unchanged files are left alone (gzip without timestamps), pages
no longer in the set are removed, and ``PAGESET.json`` records the source,
its revision, the thresholds and what was skipped and why.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import words
from bench.variants import parse, visible_text

REPO = Path(__file__).resolve().parents[1]
FUNDUS_URL = "https://github.com/flairNLP/fundus"
FUNDUS_DATA = "tests/resources/parser/test_data"
# Where the `fetch` tool puts its snapshot: /work/.mirror/<owner>+<name>/repo (a bare git dir).
FUNDUS_DEFAULT = REPO.parent / ".mirror" / "flairNLP+fundus" / "repo"
MARKER = "PAGESET.json"
MIN_CHARS = 500
MIN_VISIBLE = 0.95
HTML_NAME = re.compile(r"^(?P<publisher>[^_/]+)_(?P<date>\d{4}_\d{2}_\d{2})\.html\.gz$")
VERSION_NUMBERS = re.compile(r"\d+")


# --- reading the data in place ----------------------------------------------------


class Source:
    """The files of fundus's ``test_data`` folder, by path relative to it."""

    def __init__(self, files: dict[str, bytes | None], where: str, revision: str,
                 licence: bytes | None) -> None:
        self.files = files  # None: listed but absent (a snapshot lacks files of 4 MiB and more)
        self.where = where
        self.revision = revision
        self.licence = licence


def _git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(["git", "--git-dir", str(git_dir), *args], input=stdin,
                          capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} in {git_dir}: {done.stderr.decode().strip()}")
    return done.stdout


def _read_git(git_dir: Path, rev: str) -> Source:
    revision = _git(git_dir, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()
    listing = _git(git_dir, "ls-tree", "-r", "-z", "--full-tree", revision, "--",
                   FUNDUS_DATA, "LICENSE")
    entries: list[tuple[str, str]] = []  # (object id, path)
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, name = entry.split(b"\t", 1)
        _mode, kind, oid = meta.decode().split()
        if kind == "blob":
            entries.append((oid, name.decode("utf-8", "surrogateescape")))
    if not any(path.startswith(FUNDUS_DATA + "/") for _, path in entries):
        raise SystemExit(f"{git_dir} at {revision[:12]} has no {FUNDUS_DATA}/")
    out = _git(git_dir, "cat-file", "--batch",
               stdin="".join(f"{oid}\n" for oid, _ in entries).encode())
    files: dict[str, bytes | None] = {}
    licence = None
    at = 0
    for _oid, path in entries:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        content: bytes | None = None
        if header[-1] != b"missing":
            size = int(header[2])
            content = out[at:at + size]
            at += size + 1
        if path == "LICENSE":
            licence = content
        else:
            files[path[len(FUNDUS_DATA) + 1:]] = content
    return Source(files, f"{git_dir} ({FUNDUS_URL} at {revision})", revision, licence)


def _read_folder(folder: Path, checkout: Path | None) -> Source:
    files: dict[str, bytes | None] = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*")) if path.is_file()}
    revision = "unknown"
    licence = None
    if checkout is not None:
        done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=False)
        revision = done.stdout.strip() if done.returncode == 0 else "unknown"
        if (checkout / "LICENSE").is_file():
            licence = (checkout / "LICENSE").read_bytes()
    return Source(files, f"{folder} ({FUNDUS_URL} at {revision})", revision, licence)


def read_fundus(given: str | None, rev: str) -> Source:
    """A bare git dir, a work tree of the fundus repository, or its test_data folder."""
    path = Path(given or os.environ.get("FUNDUS_SOURCE") or FUNDUS_DEFAULT)
    if (path / FUNDUS_DATA).is_dir():
        return _read_folder(path / FUNDUS_DATA, path)
    if any(path.glob("*/meta.info")):
        return _read_folder(path, None)
    if (path / "objects").is_dir() and (path / "HEAD").is_file():
        return _read_git(path, rev)
    if (path / ".git").is_dir():
        return _read_git(path / ".git", rev)
    raise SystemExit(
        f"no fundus data at {path}: pass --source with a bare git dir or a clone of "
        f"{FUNDUS_URL}, or its {FUNDUS_DATA} folder (or set FUNDUS_SOURCE)")


# --- choosing the pages -------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str  # fundus/<country>/<file stem>
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


def body_text(body: dict[str, Any]) -> str:
    """fundus's ArticleBody as text: summary, then each section's headlines and paragraphs."""
    parts: list[str] = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts += [*(section.get("headline") or []), *(section.get("paragraphs") or [])]
    return "\n\n".join(p.strip() for p in parts if p.strip())


def visible_share(raw: bytes, body: str) -> float:
    """The share of the body's words (a bag, as bench/quality scores) in the page's visible text."""
    want = Counter(w.lower() for w in words(body))
    have = Counter(w.lower() for w in words(visible_text(parse(raw))))
    return sum((want & have).values()) / (sum(want.values()) or 1)


def _version_key(version: str) -> list[int]:
    return [int(n) for n in VERSION_NUMBERS.findall(version)]


def choose(source: Source, min_chars: int, min_visible: float,
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
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                skipped.append(Skip(name, "HTML is not UTF-8"))
                continue
            body = body_text(versions[version].get("body") or {})
            if len(body) < min_chars:
                skipped.append(Skip(name, f"expected body under {min_chars} characters",
                                    f"{len(body)}"))
                continue
            share = visible_share(raw, body)
            if share < min_visible:
                skipped.append(Skip(name, f"under {min_visible:.0%} of the expected body's "
                                          "words in the page's visible text", f"{share:.0%}"))
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


# --- writing the corpus ---------------------------------------------------------------


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    temp.replace(path)
    return True


def write_corpus(out: Path, pages: Iterable[Page], record: dict[str, Any],
                 licence: bytes | None) -> tuple[int, int, int]:
    """Writes the corpus folder; returns (pages written or rewritten, unchanged, removed)."""
    out = out.resolve()
    if out == REPO or REPO in out.parents:
        raise SystemExit(f"{out} is inside the repository; the page set stays outside it")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SystemExit(f"{out} is not empty and holds no {MARKER}; give a new folder")
    (out / "html").mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict[str, str]] = {}
    changed = unchanged = 0
    for page in pages:
        truth[page.id] = {"url": page.url, "articleBody": page.body, "name": page.name,
                          "crawl_date": page.crawl_date}
        data = gzip.compress(page.raw, mtime=0)
        if _write_if_changed(out / "html" / f"{page.id}.html.gz", data):
            changed += 1
        else:
            unchanged += 1
    removed = 0
    for stale in sorted((out / "html").glob("*.html.gz")):
        if stale.name.removesuffix(".html.gz") not in truth:
            stale.unlink()
            removed += 1
    _write_if_changed(out / "ground-truth.json", json.dumps(
        truth, ensure_ascii=False, indent=1, sort_keys=True).encode() + b"\n")
    if licence is not None:
        _write_if_changed(out / "LICENSE.fundus", licence)
    _write_if_changed(out / MARKER, json.dumps(
        record, ensure_ascii=False, indent=1).encode() + b"\n")
    return changed, unchanged, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pagesets",
        description="Write a held-out page set in the shared corpus's format, for "
                    "bench/quality --corpus DIR.")
    parser.add_argument("set", choices=["fundus"], help="which page set")
    parser.add_argument("out", type=Path, help="the corpus folder to write (outside the repo)")
    parser.add_argument("--source", help=f"bare git dir, clone or test_data folder of "
                                         f"{FUNDUS_URL} (default: $FUNDUS_SOURCE, else "
                                         f"{FUNDUS_DEFAULT})")
    parser.add_argument("--rev", default="HEAD", help="revision, for a git source (HEAD)")
    parser.add_argument("--min-chars", type=int, default=MIN_CHARS,
                        help=f"shortest expected body kept, in characters ({MIN_CHARS})")
    parser.add_argument("--min-visible", type=float, default=MIN_VISIBLE,
                        help="share of the body's words the page's visible text must hold "
                             f"({MIN_VISIBLE})")
    args = parser.parse_args(argv)

    source = read_fundus(args.source, args.rev)
    print(f"reading {source.where}", flush=True)
    pages, skipped = choose(source, args.min_chars, args.min_visible)
    reasons = Counter(skip.reason for skip in skipped)
    record = {
        "set": args.set, "source": FUNDUS_URL, "data": FUNDUS_DATA,
        "revision": source.revision, "licence": "MIT (fundus); pages belong to their publishers",
        "min_chars": args.min_chars, "min_visible": args.min_visible,
        "pages": len(pages), "skipped": [str(skip) for skip in skipped],
    }
    changed, unchanged, removed = write_corpus(args.out, pages, record, source.licence)
    print(f"wrote {len(pages)} pages to {args.out.resolve()} ({changed} new or changed, "
          f"{unchanged} unchanged, {removed} removed); skipped {len(skipped)}:")
    for reason, count in reasons.most_common():
        print(f"  {count:3d}  {reason}")
    for skip in skipped:
        print(f"       {skip}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
