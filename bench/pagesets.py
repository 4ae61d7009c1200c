"""Held-out page sets for bench/quality, kept out of the tuning loop (see bench/README.md).

Writes a public set of real pages with their expected article text in the
shared corpus's format (``ground-truth.json`` + ``html/<id>.html.gz``, see
bench/corpus.py), in a folder outside the repository, for ``bench/quality
--corpus DIR``. The data is read in place: a bare git dir (the default, what
the ``fetch`` tool puts in ``/work/.mirror/<owner>+<name>/repo``), a clone, or
the data folder itself::

    python -m bench.pagesets fundus /work/pagesets/fundus [--source PATH]
    python -m bench.pagesets readability /work/pagesets/readability [--source PATH]
    python -m bench.pagesets wcxb-test /work/pagesets/wcxb-test [--source PATH]

The sets and which of their pages are kept: bench/pageset_kinds.py.
Writing is idempotent (gzip without timestamps; pages no longer in the set
are removed); ``PAGESET.json`` records source, revision, thresholds and each
skipped page and why; the set's licence (and NOTICE) is written beside it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.pageset_kinds import SETS, Page, Source, Spec

REPO = Path(__file__).resolve().parents[1]
# Where the `fetch` tool puts its snapshots: /work/.mirror/<owner>+<name>/repo (bare git dirs).
MIRROR = REPO.parent / ".mirror"
MARKER = "PAGESET.json"
MIN_CHARS = 500
MIN_VISIBLE = 0.95


# --- reading the data in place ----------------------------------------------------


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
