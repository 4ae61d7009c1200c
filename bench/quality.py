"""Detection quality on real pages: does noise stay silent, is every edit caught?

For every corpus page, variants of each class are served from a local HTTP
server on 127.0.0.1, and the real ``monitor check`` (a subprocess, as cron runs
it) checks all of them twice: once over the "before" pages (the baseline), once
over the "after" pages. Alerts are read back from ``alerts/``, the baseline
text from ``snapshots/``.

    python -m bench.quality [--limit N] [--classes a,b] [--keep DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import removals, scripts, variants
from bench.corpus import CorpusPage, corpus_path, load_corpus, normalise, token_scores, words
from bench.variants import Edit, Teaser
from monitor.core.document import Snapshot
from testing.site import LocalSite, Page

NOISE_CLASSES = [*variants.NOISE, "all-noise", *scripts.NOISE]
EDIT_CLASSES = [*variants.EDITS, *scripts.EDITS]
# Removals: (variant maker, whether the page is gone). Checked once more to confirm.
REMOVALS = {"soft-404": (removals.soft_404, True), "short-update": (removals.short_update, False)}
CONTROL = "reserialised"  # the raw page, then the same page through lxml: no change
HEADER_LINES = (("# ", "title"), ("Headline: ", "title"), ("Standfirst: ", "body"),
                ("Author: ", "author"),
                ("Byline: ", "author"), ("Date: ", "date"))
LIST_MARK = re.compile(r"^[-*•]\s+")
HTML = {"Content-Type": "text/html; charset=utf-8"}
SETTINGS = {"concurrency": 16, "per_host_concurrency": 16, "timeout": "60s", "retries": 0,
            "workers": 0}


@dataclass
class Case:
    source_id: str
    page_id: str
    klass: str
    before: bytes
    after: bytes
    edit: Edit | None = None
    noise: list[tuple[str, str]] = field(default_factory=list)  # (placement, text) inserted
    note: str = ""  # a removal's language and where its wording is

    @property
    def path(self) -> str:
        return f"/{self.klass}/{self.page_id}"


@dataclass
class Result:
    case: Case
    baseline: Snapshot | None  # None: the baseline check stored nothing
    alerts: list[dict[str, Any]]

    @property
    def changed(self) -> list[dict[str, Any]]:
        return [a for a in self.alerts if a["event"] == "changed"]


# --- making the variants --------------------------------------------------------


def seed_of(page: CorpusPage) -> int:
    return int(page.id[:8], 16)


def cases_for(page: CorpusPage, classes: list[str], teasers: list[Teaser]
              ) -> tuple[list[Case], list[tuple[str, str]]]:
    """Every variant of one page; also the (class, page) pairs skipped for lack of a spot."""
    cases: list[Case] = []
    skipped: list[tuple[str, str]] = []
    plain = variants.serialize(variants.parse(page.raw))
    for klass in classes:
        source_id = f"{klass}.{page.short}"
        if klass == CONTROL:
            cases.append(Case(source_id, page.id, klass, page.raw, plain))
        elif klass in scripts.CLASSES:
            script_made = scripts.CLASSES[klass](page.raw, page.body, seed_of(page))
            if script_made is None:
                skipped.append((klass, page.id))
            else:
                cases.append(Case(source_id, page.id, klass, *script_made))
        elif klass in REMOVALS:
            removed = REMOVALS[klass][0](page.raw, page.body, seed_of(page))
            if removed is None:
                skipped.append((klass, page.id))
            else:
                cases.append(Case(source_id, page.id, klass, plain, removed[0],
                                  note=removed[1]))
        elif klass in EDIT_CLASSES:
            made = variants.apply_edit(page.raw, page.body, klass, seed_of(page))
            if made is None:
                skipped.append((klass, page.id))
            else:
                cases.append(Case(source_id, page.id, klass, plain, made[0], made[1]))
        else:
            kinds = list(variants.NOISE) if klass == "all-noise" else [klass]
            before, after = (variants.apply_noise(page.raw, page.body, kinds, seed_of(page),
                                                  state, teasers) for state in (0, 1))
            if before is None or after is None:
                skipped.append((klass, page.id))
            else:
                cases.append(Case(source_id, page.id, klass, before[0], after[0],
                                  noise=before[1] + after[1]))
    return cases, skipped


def make_cases(pages: list[CorpusPage], classes: list[str]
               ) -> tuple[list[Case], list[tuple[str, str]]]:
    teasers = [t for p in pages if (t := variants.teasers_of(p.raw, p.body)) is not None]
    cases: list[Case] = []
    skipped: list[tuple[str, str]] = []
    with ProcessPoolExecutor(max_workers=2) as pool:
        jobs = pool.map(cases_for, pages, [classes] * len(pages), [teasers] * len(pages))
        for index, (made, missed) in enumerate(jobs, start=1):
            cases += made
            skipped += missed
            if index % 30 == 0 or index == len(pages):
                print(f"  variants: {index}/{len(pages)} pages", flush=True)
    return cases, skipped


# --- running monitor -------------------------------------------------------------


def write_config(folder: Path, site_url: str, cases: list[Case]) -> Path:
    lines = ["settings:", *(f"  {k}: {v}" for k, v in SETTINGS.items()), "sources:"]
    for case in cases:
        lines += [f"  - id: {case.source_id}", f"    url: {site_url}{case.path}"]
    path = folder / "sources.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def monitor_check(config: Path, label: str, total: int, source: Path | None,
                  only: Sequence[str] = ()) -> float:
    """One ``monitor check`` pass as a subprocess, with progress; return its wall time.

    ``source``: a folder holding ``monitor/`` to run instead of the installed package;
    ``only``: the sources to check (all when empty).
    """
    started = time.monotonic()
    command = [sys.executable, "-m", "monitor", "check", "--config", str(config),
               *(argument for source_id in only for argument in ("--source", source_id))]
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source.resolve())
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env,
                          cwd=config.parent) as process:
        assert process.stdout is not None
        done, step = 0, max(total // 10, 1)
        for line in process.stdout:
            if line.startswith("["):
                done += 1
                if done % step == 0:
                    print(f"  {label}: {done}/{total} checked "
                          f"({time.monotonic() - started:.0f}s)", flush=True)
            else:
                print(f"  {label}: {line.rstrip()}", flush=True)
    if process.returncode not in (0, 1):  # 1: some checks failed (a page without text)
        raise SystemExit(f"monitor check exited {process.returncode}")
    return time.monotonic() - started


def read_snapshots(folder: Path, cases: list[Case]) -> dict[str, Snapshot | None]:
    found: dict[str, Snapshot | None] = {}
    for case in cases:
        path = folder / "snapshots" / f"{case.source_id}.md"
        found[case.source_id] = (Snapshot.parse(path.read_text(encoding="utf-8"))
                                 if path.exists() else None)
    return found


def read_alerts(folder: Path) -> dict[str, list[dict[str, Any]]]:
    alerts: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((folder / "alerts").glob("*.json")):
        alert = json.loads(path.read_text(encoding="utf-8"))
        alerts.setdefault(alert["source_id"], []).append(alert)
    return alerts


def run_monitor(folder: Path, cases: list[Case], source: Path | None
                ) -> tuple[list[Result], dict[str, float]]:
    timings: dict[str, float] = {}
    with LocalSite() as site:
        for case in cases:
            site.put(case.path, Page(body=case.before, headers=dict(HTML)))
        config = write_config(folder, site.url, cases)
        timings["baseline pass"] = monitor_check(config, "baseline pass", len(cases), source)
        baselines = read_snapshots(folder, cases)
        for case in cases:
            site.put(case.path, Page(body=case.after, headers=dict(HTML)))
        timings["variant pass"] = monitor_check(config, "variant pass", len(cases), source)
        confirming = [case.source_id for case in cases if case.klass in REMOVALS]
        if confirming:  # a removal is confirmed on a second check (confirm_removal: 2)
            timings["removals confirmed"] = monitor_check(
                config, "removals confirmed", len(confirming), source, confirming)
    alerts = read_alerts(folder)
    return [Result(c, baselines[c.source_id], alerts.get(c.source_id, [])) for c in cases], \
        timings


# --- judging ----------------------------------------------------------------------


def diff_words(fragments: Iterable[str]) -> set[str]:
    """The words of alert fragments, lower-cased (a byline may be set in capitals)."""
    return {w.lower() for fragment in fragments for w in words(fragment)}


def lower(found: Iterable[str]) -> set[str]:
    return {w.lower() for w in found}


def names_edit(alert: dict[str, Any], edit: Edit) -> tuple[bool, float]:
    """Whether the diff names every edited word; and the share of them it names."""
    diff = alert.get("diff") or {}
    added, removed = diff_words(diff.get("added", [])), diff_words(diff.get("removed", []))
    want_added, want_removed = lower(edit.added), lower(edit.removed)
    want = len(want_added) + len(want_removed)
    got = len(want_added & added) + len(want_removed & removed)
    return got == want, got / want if want else 1.0


def baseline_had(snapshot: Snapshot, edit: Edit) -> bool:
    """Whether the baseline snapshot held the text the edit changed."""
    document = snapshot.document
    text = {"title": f"{document.title} {document.headline}",
            "author": f"{document.author} {document.byline}"}.get(
        edit.where, " ".join((document.standfirst, *document.paragraphs)))
    if len(words(edit.before)) <= 4:
        return lower(words(edit.before)) <= lower(words(text))
    return normalise(edit.before) in normalise(text)


def changed_fields(alert: dict[str, Any]) -> list[str]:
    """Which parts of the document an alert's unified diff touches."""
    fields = set()
    for line in ((alert.get("diff") or {}).get("unified") or "").splitlines():
        if line[:1] not in "+-" or line.startswith(("+++", "---")):
            continue
        body = line[1:]
        field_name = next((name for prefix, name in HEADER_LINES if body.startswith(prefix)),
                          None)
        if field_name or body:
            fields.add(field_name or "body")
    return sorted(fields)


def changed_lines(alert: dict[str, Any]) -> list[str]:
    """The whole lines (paragraphs, or header fields) an alert's unified diff adds or removes."""
    unified = (alert.get("diff") or {}).get("unified") or ""
    return [normalise(line[1:]) for line in unified.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---")) and line[1:].strip()]


def leaked_from(result: Result) -> list[str]:
    """Where the furniture behind a false alert sat: its placement, or the header field."""
    places = set()
    for line in (line for alert in result.alerts for line in changed_lines(alert)):
        field_name = next((name for prefix, name in HEADER_LINES if line.startswith(prefix)), None)
        if field_name:
            places.add(f"{field_name} (metadata)")
            continue
        line = LIST_MARK.sub("", line)
        places |= {place for place, text in result.case.noise
                   if text and (text in line or line in text)}
    return sorted(places) or ["unattributed"]


def is_noise(result: Result) -> bool:
    return result.case.edit is None and result.case.klass not in REMOVALS


def leak_table(results: list[Result]) -> str:
    """False alerts on noise by where the leaking furniture was placed."""
    counts: dict[str, Counter[str]] = {}
    for result in results:
        if is_noise(result) and result.alerts and result.case.klass != CONTROL:
            for place in leaked_from(result):
                counts.setdefault(place, Counter())[result.case.klass] += 1
    if not counts:
        return "no noise leaked into an alert"
    rows = [[place, str(sum(c.values())),
             ", ".join(f"{k} {n}" for k, n in c.most_common())]
            for place, c in sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))]
    return table(["leaked from placement", "false alerts", "by class"], rows)


def short_list(fragments: list[str], limit: int = 3, width: int = 70) -> str:
    shown = [f if len(f) <= width else f[: width - 1] + "…" for f in fragments[:limit]]
    more = f" (+{len(fragments) - limit})" if len(fragments) > limit else ""
    return "; ".join(repr(s) for s in shown) + more


@dataclass
class Row:
    klass: str
    pages: int = 0
    skipped: int = 0
    no_baseline: int = 0
    alerted: int = 0
    expected: int = 0
    named: int = 0
    recall: list[float] = field(default_factory=list)
    diff_size: list[int] = field(default_factory=list)
    missed_unextracted: int = 0  # the edited text was not in the baseline snapshot
    kind_expected: int = 0  # alerts whose change class is judged
    kind_right: int = 0  # ... that report it (monitor.core.changes)
    silent_expected: int = 0
    silent_right: int = 0
    kind_wrong: list[str] = field(default_factory=list)  # what was reported instead

    @property
    def missed(self) -> int:
        return self.expected - self.alerted


def judge(results: list[Result], skipped: list[tuple[str, str]], classes: list[str]
          ) -> dict[str, Row]:
    rows = {klass: Row(klass) for klass in classes}
    for klass, _ in skipped:
        rows[klass].skipped += 1
    for result in results:
        if result.case.klass in REMOVALS:
            continue  # removal_table
        row = rows[result.case.klass]
        row.pages += 1
        row.no_baseline += result.baseline is None
        edit = result.case.edit
        if edit is None:
            row.alerted += bool(result.alerts)
            continue
        row.expected += 1
        if result.changed:
            row.alerted += 1
            named, share = names_edit(result.changed[0], edit)
            row.named += named
            row.recall.append(share)
            diff = result.changed[0].get("diff") or {}
            row.diff_size.append(len(diff_words(diff.get("added", []))
                                     | diff_words(diff.get("removed", []))))
            judge_classes(row, result.changed[0], edit)
        elif result.baseline is not None and not baseline_had(result.baseline, edit):
            row.missed_unextracted += 1
    return rows


def reports_class(alert: dict[str, Any], expect: tuple[str, str]) -> bool:
    """Whether one of the alert's ``changes`` is of the expected field and kind.

    A body edit that lands in the standfirst (the page's summary paragraph) is
    still the right kind of change.
    """
    field_name, kind = expect
    fields = {field_name, "standfirst"} if field_name == "body" else {field_name}
    return any(c.get("field") in fields and kind in ("*", c.get("kind"))
               for c in alert.get("changes") or [])


def judge_classes(row: Row, alert: dict[str, Any], edit: Edit) -> None:
    if edit.expect is not None:
        row.kind_expected += 1
        if reports_class(alert, edit.expect):
            row.kind_right += 1
        else:
            row.kind_wrong.append(", ".join(f"{c.get('field')}/{c.get('kind')}"
                                            for c in alert.get("changes") or []) or "none")
    if edit.silent is not None and alert.get("silent") is not None:
        row.silent_expected += 1
        row.silent_right += alert["silent"] == edit.silent


# --- reporting ----------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(c.rjust(w) if i else c.ljust(w)
                      for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows]
    return "\n".join(out)


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def noise_table(rows: dict[str, Row], classes: list[str]) -> str:
    body = []
    total = Row("total (noise)")
    for klass in classes:
        r = rows[klass]
        body.append([klass, str(r.pages), str(r.skipped), str(r.no_baseline),
                     f"{r.alerted}/0", pct(r.alerted, r.pages - r.no_baseline)])
        if klass != CONTROL:
            for name in ("pages", "skipped", "no_baseline", "alerted"):
                setattr(total, name, getattr(total, name) + getattr(r, name))
    body.append([total.klass, str(total.pages), str(total.skipped), str(total.no_baseline),
                 f"{total.alerted}/0", pct(total.alerted, total.pages - total.no_baseline)])
    return table(["noise class", "pages", "skipped", "no baseline", "alerts/expected",
                  "false-alert rate"], body)


def edit_table(rows: dict[str, Row], classes: list[str]) -> str:
    body = []
    total = Row("total (edits)")
    for klass in classes:
        r = rows[klass]
        body.append(_edit_cells(r))
        for name in ("pages", "skipped", "no_baseline", "alerted", "expected", "named",
                     "missed_unextracted"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        total.recall += r.recall
        total.diff_size += r.diff_size
    body.append(_edit_cells(total))
    return table(["edit class", "pages", "skipped", "no baseline", "alerts/expected",
                  "missed", "(not in baseline)", "diff names words", "word recall",
                  "diff words (median)"], body)


def class_table(rows: dict[str, Row], classes: list[str]) -> str:
    """Whether each caught edit was reported as the right kind, and as silent or not."""
    body = []
    for klass in classes:
        r = rows[klass]
        if not r.kind_expected and not r.silent_expected:
            continue
        wrong = Counter(r.kind_wrong).most_common(2)
        body.append([klass, f"{r.kind_right}/{r.kind_expected}",
                     pct(r.kind_right, r.kind_expected),
                     f"{r.silent_right}/{r.silent_expected}",
                     pct(r.silent_right, r.silent_expected),
                     "; ".join(f"{text} ×{n}" for text, n in wrong)])
    return table(["edit class", "kind right", "share", "silent right", "share",
                  "reported instead (most often)"], body)


def _edit_cells(r: Row) -> list[str]:
    return [r.klass, str(r.pages), str(r.skipped), str(r.no_baseline),
            f"{r.alerted}/{r.expected}", str(r.missed), str(r.missed_unextracted),
            f"{r.named}/{r.alerted} ({pct(r.named, r.alerted)})",
            f"{statistics.mean(r.recall):.3f}" if r.recall else "-",
            f"{statistics.median(r.diff_size):g}" if r.diff_size else "-"]


def extraction_report(results: list[Result], pages: dict[str, CorpusPage]) -> str:
    """Baseline snapshots of the unmodified pages against the true bodies."""
    scores: dict[str, tuple[float, float]] = {}
    failures = []
    for result in results:
        if result.case.klass != CONTROL:
            continue
        if result.baseline is None:
            failures.append(result.case.page_id)
            continue
        text = " ".join(result.baseline.document.paragraphs)
        scores[result.case.page_id] = token_scores(text, pages[result.case.page_id].body)
    if not scores:
        return "extraction quality: no control pages were checked"
    precision = [p for p, _ in scores.values()]
    recall = [r for _, r in scores.values()]
    f1 = [2 * p * r / (p + r) if p + r else 0.0 for p, r in scores.values()]
    poor = sorted((page for page, (p, r) in scores.items() if min(p, r) < 0.5),
                  key=lambda page: min(scores[page]))
    lines = [
        f"extraction vs ground truth (bag of words, {len(scores)} pages with a baseline):",
        f"  precision mean {statistics.mean(precision):.3f} median "
        f"{statistics.median(precision):.3f}; recall mean {statistics.mean(recall):.3f} "
        f"median {statistics.median(recall):.3f}; F1 mean {statistics.mean(f1):.3f}",
        f"  pages with recall < 0.5: {sum(r < 0.5 for r in recall)}; "
        f"precision < 0.5: {sum(p < 0.5 for p in precision)}"
        + "".join(f"\n    {page[:12]} precision {scores[page][0]:.2f} recall "
                  f"{scores[page][1]:.2f}  {pages[page].url[:70]}" for page in poor),
        f"  baseline failures (nothing extracted): {len(failures)}"
        + (f": {', '.join(f[:12] for f in failures)}" if failures else ""),
    ]
    return "\n".join(lines)


def examples(results: list[Result], limit: int) -> str:
    lines = ["false alerts on noise (page, class, fields, removed → added):"]
    false = [r for r in results if is_noise(r) and r.alerts]
    for r in false[:limit]:
        alert = r.alerts[0]
        diff = alert.get("diff") or {}
        lines.append(f"  {r.case.page_id[:12]} {r.case.klass}: {alert['event']} "
                     f"[{', '.join(changed_fields(alert))}] from {'+'.join(leaked_from(r))} "
                     f"-{short_list(diff.get('removed', []))} "
                     f"+{short_list(diff.get('added', []))}")
    if len(false) > limit:
        lines.append(f"  … and {len(false) - limit} more (--json for all)")
    lines.append("missed edits (page, class, edited text, in baseline?):")
    missed = [r for r in results if r.case.edit is not None and not r.changed]
    for r in missed[:limit]:
        edit = r.case.edit
        assert edit is not None
        had = "no baseline" if r.baseline is None else (
            "in baseline" if baseline_had(r.baseline, edit) else "NOT in baseline")
        lines.append(f"  {r.case.page_id[:12]} {r.case.klass}: "
                     f"{short_list([edit.before], 1)} ({had})")
    if len(missed) > limit:
        lines.append(f"  … and {len(missed) - limit} more (--json for all)")
    unnamed = [r for r in results if r.case.edit is not None and r.changed
               and not names_edit(r.changed[0], r.case.edit)[0]]
    lines.append("alerts whose diff does not name every edited word:")
    for r in unnamed[:limit]:
        edit = r.case.edit
        assert edit is not None
        diff = r.changed[0].get("diff") or {}
        missing_removed = sorted(lower(edit.removed) - diff_words(diff.get("removed", [])))
        missing_added = sorted(lower(edit.added) - diff_words(diff.get("added", [])))
        lines.append(f"  {r.case.page_id[:12]} {r.case.klass}: not named -{missing_removed[:4]} "
                     f"+{missing_added[:4]}; got -{short_list(diff.get('removed', []))} "
                     f"+{short_list(diff.get('added', []))}")
    if len(unnamed) > limit:
        lines.append(f"  … and {len(unnamed) - limit} more (--json for all)")
    return "\n".join(lines)


def dump(path: Path, results: list[Result], skipped: list[tuple[str, str]]) -> None:
    records = []
    for r in results:
        edit = r.case.edit
        records.append({
            "source_id": r.case.source_id, "page_id": r.case.page_id, "class": r.case.klass,
            "baseline": r.baseline is not None,
            "expected": None if edit is None else {
                "added": sorted(edit.added), "removed": sorted(edit.removed),
                "before": edit.before, "where": edit.where},
            "noise": r.case.noise,
            "alerts": [{"event": a["event"], "diff": a.get("diff"), "changes": a.get("changes"),
                        "silent": a.get("silent")} for a in r.alerts],
        })
    path.write_text(json.dumps({"results": records, "skipped": skipped}, indent=1,
                               ensure_ascii=False), encoding="utf-8")


# --- main ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/quality", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", help="corpus folder (default: ../shared/corpus)")
    parser.add_argument("--limit", type=int, help="only the first N pages (a quick run)")
    parser.add_argument("--classes", help="comma-separated classes (default: all)")
    parser.add_argument("--keep", type=Path, help="keep the project folder here")
    parser.add_argument("--json", type=Path, help="write every case and alert here")
    parser.add_argument("--monitor-src", type=Path, metavar="DIR",
                        help="run monitor from this source folder (one holding monitor/, "
                             "e.g. `git archive HEAD monitor | tar -x -C DIR`) instead of "
                             "the installed package")
    parser.add_argument("--examples", type=int, default=15,
                        help="examples of each failure kind to print (default 15)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    everything = [CONTROL, *NOISE_CLASSES, *EDIT_CLASSES, *REMOVALS]
    classes = args.classes.split(",") if args.classes else everything
    unknown = set(classes) - set(everything)
    if unknown:
        raise SystemExit(f"unknown classes {sorted(unknown)}; known: {', '.join(everything)}")
    started = time.monotonic()
    pages = load_corpus(corpus_path(args.corpus), args.limit)
    print(f"corpus: {len(pages)} pages; classes: {', '.join(classes)}", flush=True)
    cases, skipped = make_cases(pages, classes)
    print(f"{len(cases)} sources ({len(skipped)} page/class pairs skipped: no spot for the "
          f"edit or no article located) in {time.monotonic() - started:.0f}s", flush=True)
    with tempfile.TemporaryDirectory(prefix="monitor-quality-") as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        results, timings = run_monitor(folder, cases, args.monitor_src)
    rows = judge(results, skipped, classes)
    noise = [c for c in classes if c == CONTROL or c in NOISE_CLASSES]
    edits = [c for c in classes if c in EDIT_CLASSES]
    print()
    if noise:
        print(noise_table(rows, noise), end="\n\n")
        print(leak_table(results), end="\n\n")
    if edits:
        print(edit_table(rows, edits), end="\n\n")
        print(class_table(rows, edits), end="\n\n")
    gone = [c for c in classes if c in REMOVALS]
    if gone:
        print(removals.report(
            [(r.case.klass, r.case.page_id, r.case.note, [a["event"] for a in r.alerts],
              r.baseline is not None) for r in results if r.case.klass in REMOVALS],
            [(klass, page) for klass, page in skipped if klass in REMOVALS],
            {klass: gone_ for klass, (_, gone_) in REMOVALS.items()}, args.examples),
            end="\n\n")
    print(extraction_report(results, {p.id: p for p in pages}), end="\n\n")
    print(examples(results, args.examples), end="\n\n")
    passes = ", ".join(f"{k} {v:.0f}s ({len(cases) / v:.0f} checks/s)"
                       for k, v in timings.items())
    print(f"monitor check: {passes}; total {time.monotonic() - started:.0f}s")
    if args.json:
        dump(args.json, results, skipped)
        print(f"every case: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
