"""The web view's speed: the sources page and a diff page at 10,000 sources, 100,000 versions.

    python -m bench.web                      # 10,000 sources x 10 versions, ~3 min to build
    python -m bench.web --sources 1000 --versions 5 --requests 20   # a quick look

Builds a project whose history is what a year of checks leaves: every source
with ``--versions`` commits in one snapshot repository (one word edited each
time, made through the store's own fast-import path), its state rows and its
versions rows, and an alert with a delivery per change. Then it runs the real
``monitor serve`` (a child process, uvicorn, over 127.0.0.1) and times, after
a warm-up, ``--requests`` GETs of each page, logged in as a user would be:

- ``/`` and ``/?page=50``: the sources page (100 rows of 10,000);
- ``/?q=source-09``: a search;
- ``/sources/<id>/diff/<rev>``: one change's word diff (a source in the middle);
- ``/api/sources?limit=100`` with a token.

Reported: median and 90th percentile milliseconds per page. The aim
(issue "Review in a browser") is under 200 ms for the sources page and a diff
page. Wall-clock figures: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from monitor.core.document import Document, Snapshot
from monitor.store.access import access_db, create_token, save_user
from monitor.store.records import Change, RecordUpdate
from monitor.store.store import Store
from monitor.web.auth import hash_password
from testing.browser import serving

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("eighty", "seventy", "sixty", "fifty", "forty", "thirty", "twenty", "ten")
PASSWORD = "bench password"


def build(root: Path, sources: int, versions: int) -> list[tuple[str, str]]:
    """The project; returns (source id, its latest revision) for each source."""
    lines = ["settings:", "  workers: 1", "sources:"]
    for n in range(sources):
        lines += [f"  - id: source-{n:05d}", f"    url: https://news.example/{n}/story",
                  f"    tags: [{'xinjiang' if n % 3 == 0 else 'hong-kong'}]"]
    (root / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store(root / "snapshots", root / ".monitor" / "state.db", root / "alerts")
    store.open()
    latest: dict[str, str] = {}
    started = time.monotonic()
    for version in range(versions):
        for first in range(0, sources, 2000):
            batch = range(first, min(sources, first + 2000))
            changes = [_change(n, version) for n in batch]
            revisions = store.commit(changes)
            with store.transaction() as db:
                for n, revision in zip(batch, revisions, strict=True):
                    source_id = f"source-{n:05d}"
                    store.add_version(db, source_id, f"{n}-{version}", revision)
                    store.save(db, source_id, RecordUpdate(
                        status="ok", revision=revision, last_checked="2026-11-25T10:00:00Z",
                        last_outcome="changed" if version else "baseline",
                        last_changed_at="2026-11-25T10:00:00Z",
                        last_event="changed" if version else None,
                        last_event_at="2026-11-25T10:00:00Z" if version else None))
                    latest[source_id] = revision
        print(f"  {(version + 1) * sources:,} versions ({time.monotonic() - started:.0f} s)",
              file=sys.stderr)
    with access_db(store.state_path, write=True) as db:
        assert db is not None
        save_user(db, "bench", hash_password(PASSWORD), "2026-11-25T10:00:00Z")
        token = create_token(db, "bench", True, "2026-11-25T10:00:00Z")
    (root / "token").write_text(token)
    print("  packing and writing the commit-graph, as a pass does", file=sys.stderr)
    store.pack()
    store.close()
    return sorted(latest.items())


def _change(n: int, version: int) -> Change:
    word = WORDS[version % len(WORDS)]
    document = Document(title=f"Story {n} on the situation", author="A. Reporter",
                        date="2026-11-25", paragraphs=(
                            f"The ministry said {word} thousand people were moved.",
                            "A second paragraph that never changes, as most do not.",
                            f"Paragraph three of story {n}."))
    return Change(f"source-{n:05d}", "changed" if version else "baseline",
                  Snapshot(document, url=f"https://news.example/{n}/story"),
                  trailers={"URL": f"https://news.example/{n}/story",
                            "Fetched-At": "2026-11-25T10:00:00Z"})


def timed(client: httpx.Client, path: str, requests: int, **kwargs: object) -> list[float]:
    for _ in range(3):
        client.get(path, **kwargs).raise_for_status()  # type: ignore[arg-type]
    took = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path, **kwargs)  # type: ignore[arg-type]
        took.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the project here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="monitor-bench-web-"))
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "token").exists():
        print(f"building {args.sources:,} sources x {args.versions} versions in {root}",
              file=sys.stderr)
        latest = build(root, args.sources, args.versions)
    else:
        store = Store(root / "snapshots", root / ".monitor" / "state.db", root / "alerts")
        store.open_readonly()
        latest = sorted((i, r.revision or "") for i, r in store.records().items())
        store.close()
    try:
        with serving(root / "sources.yaml") as base:
            client = httpx.Client(base_url=base, timeout=60)
            client.post("/login", data={"user": "bench", "password": PASSWORD, "next": "/"})
            middle, revision = latest[len(latest) // 2]
            token = (root / "token").read_text()
            pages = {"/": {}, "/?page=50": {}, "/?q=source-09": {},
                     f"/sources/{middle}/diff/{revision}": {},
                     "/api/sources?limit=100": {
                         "headers": {"Authorization": f"Bearer {token}"}}}
            print(f"\n{args.sources:,} sources, {args.sources * args.versions:,} versions; "
                  f"{args.requests} requests each (ms)")
            print(f"{'page':<48} {'median':>8} {'p90':>8}")
            for path, extra in pages.items():
                took = sorted(timed(client, path, args.requests, **extra))
                p90 = took[int(len(took) * 0.9) - 1]
                shown = path if len(path) < 48 else path[:45] + "..."
                print(f"{shown:<48} {statistics.median(took):>8.1f} {p90:>8.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
