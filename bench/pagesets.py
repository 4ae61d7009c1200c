"""Held-out page sets for bench/quality, kept out of the tuning loop (see bench/README.md).

Writes a public set of real pages with their expected article text in the
shared corpus's format (``ground-truth.json`` + ``html/<id>.html.gz``, see
bench/corpus.py), in a folder outside the repository, for ``bench/quality
--corpus DIR``. The data is read in place: a bare git dir (the default, what
the ``fetch`` tool puts in ``/work/.mirror/<owner>+<name>/repo``), a clone, or
the data folder itself::

    python -m bench.pagesets fundus /work/pagesets/fundus [--source PATH]
    python -m bench.pagesets readability /work/pagesets/readability [--source PATH]

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

Then a page is kept when its expected body has ``--min-chars`` (500) and
``--min-visible`` (95%) of its words in the page's visible text (no scripts,
styles, head): a body the HTML does not hold measures the data, not monitor.
Ids are the sha1 of ``fundus/<country>/<file stem>`` or ``readability/<name>``.
Writing is idempotent (gzip without timestamps; pages no longer in the set
are removed); ``PAGESET.json`` records source, revision, thresholds and each
skipped page and why; the set's licence (and NOTICE) is written beside it.
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import normalise, words
from bench.variants import parse, text_slots, visible_text

REPO = Path(__file__).resolve().parents[1]
# Where the `fetch` tool puts its snapshots: /work/.mirror/<owner>+<name>/repo (bare git dirs).
MIRROR = REPO.parent / ".mirror"
MARKER = "PAGESET.json"
MIN_CHARS = 500
MIN_VISIBLE = 0.95
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


# --- reading the data in place ----------------------------------------------------


@dataclass
class Source:
    """The files of a set's data folder, by path relative to it."""

    files: dict[str, bytes | None]  # None: listed but absent (a snapshot lacks files >= 4 MiB)
    where: str
    revision: str
    licences: dict[str, bytes]  # by the name written beside the corpus


def _git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(["git", "--git-dir", str(git_dir), *args], input=stdin,
                          capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} in {git_dir}: {done.stderr.decode().strip()}")
    return done.stdout


def _read_git(spec: Spec, git_dir: Path, rev: str) -> Source:
    revision = _git(git_dir, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()
    listing = _git(git_dir, "ls-tree", "-r", "-z", "--full-tree", revision, "--",
                   spec.data, *spec.licences)
    entries: list[tuple[str, str]] = []  # (object id, path)
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, name = entry.split(b"\t", 1)
        _mode, kind, oid = meta.decode().split()
        if kind == "blob":
            entries.append((oid, name.decode("utf-8", "surrogateescape")))
    if not any(path.startswith(spec.data + "/") for _, path in entries):
        raise SystemExit(f"{git_dir} at {revision[:12]} has no {spec.data}/")
    out = _git(git_dir, "cat-file", "--batch",
               stdin="".join(f"{oid}\n" for oid, _ in entries).encode())
    files: dict[str, bytes | None] = {}
    licences: dict[str, bytes] = {}
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
        if path in spec.licences:
            if content is not None:
                licences[spec.licences[path]] = content
        else:
            files[path[len(spec.data) + 1:]] = content
    return Source(files, f"{git_dir} ({spec.url} at {revision})", revision, licences)


def _read_folder(spec: Spec, folder: Path, checkout: Path | None) -> Source:
    files: dict[str, bytes | None] = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*")) if path.is_file()}
    revision = "unknown"
    licences: dict[str, bytes] = {}
    if checkout is not None:
        done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=False)
        revision = done.stdout.strip() if done.returncode == 0 else "unknown"
        licences = {out: (checkout / name).read_bytes() for name, out in spec.licences.items()
                    if (checkout / name).is_file()}
    return Source(files, f"{folder} ({spec.url} at {revision})", revision, licences)


def read_source(spec: Spec, given: str | None, rev: str) -> Source:
    """A bare git dir, a work tree of the set's repository, or its data folder."""
    env = f"{spec.name.upper()}_SOURCE"
    default = MIRROR / "+".join(spec.url.split("/")[-2:]) / "repo"
    path = Path(given or os.environ.get(env) or default)
    if (path / spec.data).is_dir():
        return _read_folder(spec, path / spec.data, path)
    if any(path.glob(spec.looks_like)):
        return _read_folder(spec, path, None)
    if (path / "objects").is_dir() and (path / "HEAD").is_file():
        return _read_git(spec, path, rev)
    if (path / ".git").is_dir():
        return _read_git(spec, path / ".git", rev)
    raise SystemExit(
        f"no {spec.name} data at {path}: pass --source with a bare git dir or a clone of "
        f"{spec.url}, or its {spec.data} folder (or set {env})")


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


SETS: dict[str, tuple[Spec, Callable[[Source, int, float], tuple[list[Page], list[Skip]]]]] = {
    "fundus": (FUNDUS, choose_fundus), "readability": (READABILITY, choose_readability)}


# --- writing the corpus ---------------------------------------------------------------


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    temp.replace(path)
    return True


def write_corpus(out: Path, pages: Iterable[Page], record: dict[str, Any],
                 licences: dict[str, bytes]) -> tuple[int, int, int]:
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
    for file, content in licences.items():
        _write_if_changed(out / file, content)
    _write_if_changed(out / MARKER, json.dumps(
        record, ensure_ascii=False, indent=1).encode() + b"\n")
    return changed, unchanged, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pagesets",
        description="Write a held-out page set in the shared corpus's format, for "
                    "bench/quality --corpus DIR.")
    parser.add_argument("set", choices=sorted(SETS), help="which page set")
    parser.add_argument("out", type=Path, help="the corpus folder to write (outside the repo)")
    parser.add_argument("--source", help="bare git dir, clone or data folder of the set's "
                        f"repo (default: ${{SET}}_SOURCE, else {MIRROR}/<owner>+<name>/repo)")
    parser.add_argument("--rev", default="HEAD", help="revision, for a git source (HEAD)")
    parser.add_argument("--min-chars", type=int, default=MIN_CHARS,
                        help=f"shortest expected body kept, in characters ({MIN_CHARS})")
    parser.add_argument("--min-visible", type=float, default=MIN_VISIBLE,
                        help="share of the body's words the page's visible text must hold "
                             f"({MIN_VISIBLE})")
    args = parser.parse_args(argv)

    spec, choose = SETS[args.set]
    source = read_source(spec, args.source, args.rev)
    print(f"reading {source.where}", flush=True)
    pages, skipped = choose(source, args.min_chars, args.min_visible)
    reasons = Counter(skip.reason for skip in skipped)
    record = {
        "set": args.set, "source": spec.url, "data": spec.data,
        "revision": source.revision, "licence": spec.licence,
        "min_chars": args.min_chars, "min_visible": args.min_visible,
        "pages": len(pages), "skipped": [str(skip) for skip in skipped],
    }
    changed, unchanged, removed = write_corpus(args.out, pages, record, source.licences)
    print(f"wrote {len(pages)} pages to {args.out.resolve()} ({changed} new or changed, "
          f"{unchanged} unchanged, {removed} removed); skipped {len(skipped)}:")
    for reason, count in reasons.most_common():
        print(f"  {count:3d}  {reason}")
    for skip in skipped:
        print(f"       {skip}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
