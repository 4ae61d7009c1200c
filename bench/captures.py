"""(a) and (b) of bench/speed, before and after a change, alternated pass by pass.

bench/speed runs every case once per run, so comparing two versions takes
whole runs one after the other, minutes apart, while this machine's speed
drifts by a quarter within the hour. Here both versions watch the same N
pages on the same nginx: each gets its baseline, then their (a) passes (304)
alternate, then their (b) passes (200, same bytes), ``--rounds`` times each,
and the medians are compared.

    python -m bench.captures --before-src /tmp/bench-before [--pages 1000] [--rounds 5]

``--before-src`` is a source folder holding the other version's ``monitor/``
(a ``git worktree`` of the older commit); "after" is this checkout.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench.corpus import corpus_path, load_corpus
from bench.speed import (
    CASES,
    MONITOR_SETTINGS,
    Nginx,
    Run,
    Tool,
    ensure_nginx,
    measure,
    monitor_env,
    monitor_project,
    print_run,
    write_site,
)

REPO = Path(__file__).resolve().parents[1]


def cached_env(source: Path) -> dict[str, str]:
    """monitor_env without PYTHONDONTWRITEBYTECODE: with it, every pass compiles all of
    monitor again (a larger share of a short pass for the version with more code),
    which an installed monitor never does."""
    env = monitor_env(source)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.captures", description=__doc__.split("\n")[0])
    parser.add_argument("--before-src", type=Path, required=True, metavar="DIR")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", help="corpus folder (default: ../shared/corpus)")
    parser.add_argument("--keep", type=Path, help="keep pages, projects and logs here")
    args = parser.parse_args(argv)
    count = args.pages
    pages = load_corpus(corpus_path(args.corpus))
    case = {c.key: c for c in CASES}
    with tempfile.TemporaryDirectory(prefix="monitor-captures-") as temp:
        work = args.keep or Path(temp)
        (work / "nginx").mkdir(parents=True, exist_ok=True)
        write_site(work / "site", count, [p.raw for p in pages])
        server = Nginx(ensure_nginx(), work / "site", work / "nginx")
        tools = [Tool(name, monitor_project(work / name, server.url, count, MONITOR_SETTINGS),
                      work / name, cached_env(src))
                 for name, src in (("before", args.before_src), ("after", REPO))]
        runs: list[Run] = []
        try:
            for key in ("baseline", "a", "b"):
                server.serve(case[key].etag)
                for _ in range(1 if key == "baseline" else args.rounds):
                    for tool in tools:
                        run = measure(tool, case[key], count, work)
                        print_run(run)
                        runs.append(run)
        finally:
            server.stop()
    print(f"\nN = {count:,} pages, {args.rounds} alternated passes each; medians "
          f"(monitor settings {MONITOR_SETTINGS})")
    print(f"{'case':<30} {'':<11} {'before':>8} {'after':>8} {'ratio':>6}   each pass")
    failed = [r for r in runs if r.outcome.startswith("UNEX")]
    for key in ("a", "b"):
        for label, figure in (("CPU ms/page", lambda r: 1000 * r.cpu / count),
                              ("wall s", lambda r: r.wall)):
            values = {t.name: [figure(r) for r in runs if r.tool == t.name and r.case.key == key]
                      for t in tools}
            before, after = (statistics.median(values[n]) for n in ("before", "after"))
            each = "  ".join(f"{n} " + " ".join(f"{v:.2f}" for v in values[n])
                             for n in ("before", "after"))
            print(f"{case[key].title:<30} {label:<11} {before:8.2f} {after:8.2f} "
                  f"{after / before:6.3f}   {each}")
    if failed:
        print(f"\n{len(failed)} pass(es) did not report what their case should")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
