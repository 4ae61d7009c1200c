"""Instructions per unchanged check, before and after a change, counted by callgrind.

bench/captures compares two versions in CPU seconds, which this machine's
neighbours move by a quarter within the hour: a 5% aim cannot be judged that
way. Instructions executed do not depend on what else the machine does, so
here every pass runs under ``valgrind --tool=callgrind`` (whole process tree:
monitor, its fetch processes, git), with ``PYTHONHASHSEED=0``.

A pass over N sources costs what any pass costs (start-up, imports, config,
store, pools) plus N checks. Each version watches N and 2N pages of the same
nginx, each project baselined and warmed natively first, then

    per check = (I(2N) - I(N)) / N        fixed = I(N) - N * per check

and what bench/speed would see at 1,000 pages is fixed / 1,000 + per check.

    python -m bench.instructions --before-src /tmp/before [--after-src DIR] [--pages 100]

``--before-src`` and ``--after-src`` (default: this checkout) are source folders
holding a ``monitor/``, such as ``git worktree``s of the two commits. Passes are
about 50 times slower under valgrind: 100 pages, both cases, both versions take
about ten minutes. ``--hotspots K`` lists the K functions (C level: callgrind
sees CPython's interpreter, not Python functions) whose cost per check grew most.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import corpus_path, load_corpus
from bench.speed import (
    MONITOR_SETTINGS,
    Nginx,
    ensure_nginx,
    monitor_env,
    monitor_outcome,
    monitor_project,
    write_site,
)

REPO = Path(__file__).resolve().parents[1]
CASES = {"a": ("(a) unchanged, 304", True), "b": ("(b) unchanged, 200 same bytes", False)}
# A forked child inherits its parent's counts: zero them where only the child goes.
VALGRIND = ["valgrind", "--tool=callgrind", "--trace-children=yes",
            "--zero-before=PyOS_AfterFork_Child"]
GC = "cyclic gc"  # a group of its own, taken out of the process it ran in
ANNOTATED = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*?)(?:\s+\[[^\]]*\])?\s*$")


@dataclass(frozen=True)
class Tree:
    """One version: its name, its source folder and the environment that runs it."""

    name: str
    source: Path
    env: dict[str, str]


@dataclass
class Count:
    """One pass under callgrind: instructions by process group, and where its files are."""

    tree: str
    case: str
    pages: int
    groups: dict[str, int]
    folder: Path
    profiles: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.groups.values())


def group_of(cmd: str) -> str:
    """Which part of the tree a process is: monitor, its children (fetch, workers), git."""
    program = Path(cmd.split()[0]).name if cmd.split() else ""
    if program.startswith("git"):
        return "git"
    if "-m monitor" in cmd:
        return "monitor"
    return "children" if program.startswith("python") else "other"


def read_profiles(folder: Path) -> tuple[dict[str, int], dict[str, list[Path]]]:
    """Sum each group's ``totals:``; every process valgrind logged must have dumped."""
    groups: dict[str, int] = defaultdict(int)
    files: dict[str, list[Path]] = defaultdict(list)
    for log in sorted(folder.glob("valgrind.*.log")):
        pid = log.name.split(".")[1]
        profile = folder / f"callgrind.out.{pid}"
        text = profile.read_text(errors="replace") if profile.exists() else ""
        cmd = re.search(r"^cmd:\s*(.*)$", text, re.M)
        totals = re.search(r"^totals:\s*(\d+)", text, re.M)
        if cmd is None or totals is None:
            raise SystemExit(f"process {pid} left no callgrind totals (killed before its "
                             f"dump?): see {log}")
        group = group_of(cmd.group(1))
        collected = gc_cost(profile) if group in ("monitor", "children") else 0
        groups[group] += int(totals.group(1)) - collected
        groups[GC] += collected
        files[group].append(profile)
    return dict(groups), dict(files)


def gc_cost(profile: Path) -> int:
    """Instructions in CPython's cyclic garbage collector, which come in steps.

    A full collection walks the whole heap (~90 M instructions in a fetch
    process, which inherits every module preloaded into the forkserver) and
    falls where the collector's thresholds say, not in proportion to pages,
    so that one more in the 2N pass than in the N pass moves a per-check
    figure by several percent. Counted apart, the rest is steady.
    """
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                           str(profile)], capture_output=True, text=True).stdout
    found = re.search(r"^\s*([\d,]+) \([^)]*\)\s+\S*gcmodule\.c:gc_collect_main \[", text,
                      re.M)
    return int(found.group(1).replace(",", "")) if found else 0


def run_pass(tree: Tree, command: list[str], cwd: Path, *, want: str,
             under: list[str] | None = None) -> str:
    """One ``monitor check`` pass, natively or under ``under``; its outcome line."""
    done = subprocess.run([*(under or []), *command], cwd=cwd, env=tree.env,
                          capture_output=True, text=True)
    outcome = monitor_outcome(done.stdout + done.stderr)
    if done.returncode not in (0, 1) or f" {want}, 0 errors" not in outcome:
        raise SystemExit(f"{tree.name} pass in {cwd}: {outcome}\n{done.stderr[-2000:]}")
    return outcome


def counted(tree: Tree, case: str, pages: int, command: list[str], cwd: Path,
            folder: Path) -> Count:
    folder.mkdir(parents=True)
    run_pass(tree, command, cwd, want="unchanged", under=[
        *VALGRIND, f"--callgrind-out-file={folder}/callgrind.out.%p",
        f"--log-file={folder}/valgrind.%p.log"])
    groups, files = read_profiles(folder)
    return Count(tree.name, case, pages, groups, folder, files)


def check_source(tree: Tree, cwd: Path) -> None:
    """The monitor that runs is the one in the tree's folder, not the installed one."""
    found = subprocess.run([sys.executable, "-c", "import monitor; print(monitor.__file__)"],
                           cwd=cwd, env=tree.env, capture_output=True, text=True).stdout
    if not Path(found.strip()).resolve().is_relative_to(tree.source.resolve()):
        raise SystemExit(f"{tree.name}: python imports monitor from {found.strip()!r}, "
                         f"not from {tree.source}")


def import_cost(tree: Tree, cwd: Path, module: str = "monitor.cli.main") -> int:
    """Instructions of ``python -c "import monitor.cli.main"``: the imports every pass pays."""
    folder = cwd / "import-profile"
    folder.mkdir(exist_ok=True)
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/out",
                    f"--log-file={folder}/log", sys.executable, "-c", f"import {module}"],
                   cwd=cwd, env=tree.env, check=True)
    found = re.search(r"^totals:\s*(\d+)", (folder / "out").read_text(), re.M)
    return int(found.group(1)) if found else 0


def tree_env(source: Path) -> dict[str, str]:
    """As bench/speed runs monitor, with hashing fixed and bytecode cached.

    Without a .pyc every pass compiles monitor's modules again (a third of a
    pass's fixed cost here), which an installed monitor never does: so
    PYTHONDONTWRITEBYTECODE, if set, is dropped, and the first pass writes them.
    """
    env = {**monitor_env(source), "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def per_check(counts: list[Count], tree: str, case: str, small: int, group: str | None = None,
              ) -> tuple[float, float, list[float]]:
    """(per check, fixed, each repeat's per check) from the N and 2N passes."""
    def figure(c: Count) -> int:
        return c.total if group is None else c.groups.get(group, 0)

    def of(pages: int) -> list[int]:
        return [figure(c) for c in counts if (c.tree, c.case, c.pages) == (tree, case, pages)]

    each = [(big - one) / small for one, big in zip(of(small), of(2 * small), strict=True)]
    marginal = statistics.median(each)
    return marginal, statistics.median(of(small)) - small * marginal, each


def ratio_row(label: str, values: list[float], width: int) -> str:
    first = values[0]
    cells = " ".join(f"{v:{width},.0f}" + (f" {v / first:6.3f}" if first else "       ")
                     for v in values[1:])
    return f"{label:<26} {first:{width},.0f} {cells}"


def report(counts: list[Count], names: list[str], small: int, cases: list[str],
           imports: dict[str, int]) -> list[str]:
    """Per check, fixed and per page at 1,000 pages, each later tree against the first."""
    width = 14
    repeats = len([c for c in counts if c.pages == small]) // (len(names) * len(cases))
    lines = [f"N = {small} and {2 * small} pages; instructions (callgrind Ir), median of "
             f"{repeats} repeat(s); ratios against {names[0]}",
             f"{'':<26} {names[0][:width]:>{width}} "
             + " ".join(f"{n[:width]:>{width}} {'ratio':>6}" for n in names[1:])]
    for case in cases:
        lines.append(CASES[case][0])
        figures = [per_check(counts, n, case, small) for n in names]
        lines += [ratio_row("per check", [f[0] for f in figures], width),
                  ratio_row("fixed, per pass", [f[1] for f in figures], width),
                  ratio_row("per page at 1,000 pages", [f[0] + f[1] / 1000 for f in figures],
                            width)]
        lines.append(ratio_row("per check without gc", [
            f[0] - per_check(counts, n, case, small, GC)[0]
            for n, f in zip(names, figures, strict=True)], width))
        for group in sorted({g for c in counts for g in c.groups}):
            lines.append(ratio_row(f"  per check: {group}",
                                   [per_check(counts, n, case, small, group)[0]
                                    for n in names], width))
        for name, figure in zip(names, figures, strict=True):
            lines.append(f"  each repeat, per check, {name}: "
                         + " ".join(f"{v:,.0f}" for v in figure[2]))
    if imports:
        lines.append(ratio_row("import monitor.cli.main", [imports[n] for n in names], width))
    return lines


def functions(profiles: list[Path], inclusive: bool) -> dict[str, int]:
    """callgrind_annotate's cost per function, summed over ``profiles``."""
    costs: dict[str, int] = defaultdict(int)
    for profile in profiles:
        text = subprocess.run(
            ["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}",
             "--threshold=100", str(profile)], capture_output=True, text=True).stdout
        for line in text.split("file:function", 1)[-1].splitlines():
            found = ANNOTATED.match(line)
            if found:
                costs[found.group(2)] += int(found.group(1).replace(",", ""))
    return costs


def hotspots(counts: list[Count], before: str, after: str, case: str, small: int, top: int,
             inclusive: bool) -> list[str]:
    """The functions of the monitor process whose cost per check grew most (first repeat).

    Only the monitor process: in a forked child, callgrind's zeroing leaves the
    frames that were live at the fork holding the child's costs as their own.
    With ``--fetch-processes 1`` the fetching is in the monitor process too.
    """
    def per_function(tree: str) -> dict[str, float]:
        def pass_of(pages: int) -> Count:
            return next(c for c in counts if (c.tree, c.case, c.pages) == (tree, case, pages))

        one, big = (functions(pass_of(p).profiles.get("monitor", []), inclusive)
                    for p in (small, 2 * small))
        return {f: (big.get(f, 0) - one.get(f, 0)) / small for f in set(one) | set(big)}

    was, now = per_function(before), per_function(after)
    grown = sorted(set(was) | set(now), key=lambda f: now.get(f, 0) - was.get(f, 0),
                   reverse=True)
    kind = "inclusive" if inclusive else "self"
    lines = [f"{CASES[case][0]}, monitor process: {kind} Ir per check, largest growth "
             f"from {before} to {after}",
             f"{before[:10]:>10} {after[:10]:>10} {'growth':>10}  function"]
    for name in grown[:top]:
        b, a = was.get(name, 0), now.get(name, 0)
        lines.append(f"{b:10,.0f} {a:10,.0f} {a - b:+10,.0f}  {name.split('/')[-1][:100]}")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.instructions",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--before-src", type=Path, required=True, metavar="DIR")
    parser.add_argument("--after-src", type=Path, action="append", metavar="DIR",
                        help="repeatable, each against --before-src (default: this checkout)")
    parser.add_argument("--pages", type=int, default=100, help="N: passes over N and 2N")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cases", default="a,b", help="a (304), b (200 same bytes)")
    parser.add_argument("--fetch-processes", type=int, default=2,
                        help="settings.fetch_processes (default 2: as bench/speed at 1,000 "
                             "pages on two cores; 1 fetches in the main process)")
    parser.add_argument("--hotspots", type=int, default=0, metavar="K")
    parser.add_argument("--corpus", help="corpus folder (default: ../shared/corpus)")
    parser.add_argument("--keep", type=Path, help="keep pages, projects and profiles here")
    parser.add_argument("--summarise", type=Path, metavar="DIR",
                        help="only report the profiles a --keep DIR run left (the trees "
                             "named in the order given, as for that run)")
    return parser.parse_args(argv)


def summarise(folder: Path, names: list[str]) -> tuple[list[Count], int, list[str]]:
    """The counts of a kept run's profiles/<case>-tree<i>-<pages>-<repeat> folders,
    for each (case, tree, repeat) whose N and 2N passes both finished."""
    found: dict[tuple[str, str, str], list[Count]] = defaultdict(list)
    for run in sorted((folder / "profiles").iterdir()):
        case, tree, pages, repeat = run.name.split("-")
        groups, files = read_profiles(run)
        name = names[int(tree.removeprefix("tree"))]
        found[case, name, repeat].append(Count(name, case, int(pages), groups, run, files))
    pairs = [sorted(c, key=lambda c: c.pages) for c in found.values() if len(c) == 2]
    counts = [c for pair in pairs for c in pair]
    return counts, min(c.pages for c in counts), sorted({c.case for c in counts})


def tree_names(before: Path, afters: list[Path]) -> list[tuple[str, Path]]:
    if len(afters) == 1:
        return [("before", before), ("after", afters[0])]
    return [("before", before), *((f"after:{a.resolve().name}", a) for a in afters)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    small, cases = args.pages, args.cases.split(",")
    settings = {**MONITOR_SETTINGS, "fetch_processes": args.fetch_processes}
    trees = [Tree(name, src, tree_env(src))
             for name, src in tree_names(args.before_src, args.after_src or [REPO])]
    names = [t.name for t in trees]
    if args.summarise:
        counts, small, cases = summarise(args.summarise, names)
        names = [n for n in names if any(c.tree == n for c in counts)]
        print("\n".join(report(counts, names, small, cases, {})))
        return 0
    pages = load_corpus(corpus_path(args.corpus))
    with tempfile.TemporaryDirectory(prefix="monitor-instructions-") as temp:
        work = args.keep or Path(temp)
        (work / "nginx").mkdir(parents=True, exist_ok=True)
        write_site(work / "site", 2 * small, [p.raw for p in pages])
        server = Nginx(ensure_nginx(), work / "site", work / "nginx")
        projects = {}
        for index, tree in enumerate(trees):
            for n in (small, 2 * small):
                cwd = work / f"tree{index}-{n}"
                projects[tree.name, n] = (tree, monitor_project(cwd, server.url, n, settings),
                                          cwd)
        counts: list[Count] = []
        try:
            server.serve(etag=True)
            for tree, command, cwd in projects.values():
                check_source(tree, cwd)
                run_pass(tree, command, cwd, want="baseline")
            imports = {t.name: import_cost(t, projects[t.name, small][2]) for t in trees}
            for case in cases:
                server.serve(etag=CASES[case][1])
                for tree, command, cwd in projects.values():  # warm: the steady state
                    run_pass(tree, command, cwd, want="unchanged")
                for repeat in range(args.repeat):
                    for (name, n), (tree, command, cwd) in projects.items():
                        count = counted(tree, case, n, command, cwd,
                                        work / "profiles" / f"{case}-{cwd.name}-{repeat}")
                        print(f"{CASES[case][0]:<31} {name:<20} {n:>5} pages: "
                              f"{count.total:15,} Ir  {count.groups}", flush=True)
                        counts.append(count)
        finally:
            server.stop()
        print()
        print("\n".join(report(counts, names, small, cases, imports)))
        for case in cases if args.hotspots else []:
            for inclusive in (False, True):
                print()
                print("\n".join(hotspots(counts, names[0], names[-1], case, small,
                                         args.hotspots, inclusive)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
