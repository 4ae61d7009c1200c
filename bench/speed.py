"""Throughput of whole ``monitor check`` passes against urlwatch, on a local nginx.

N pages made from the corpus (page i is corpus page i % 181 with a unique
marker) are served by nginx on 127.0.0.1. Both tools check all N, as
subprocesses measured with their whole process tree (``bench.measure``):

    baseline   the first pass (timed, reported separately)
    (a)        all unchanged, answered 304 (nginx etags and If-Modified-Since on)
    (b)        all unchanged, answered 200 with identical bytes (etags off)
    (c)        article unchanged, page bytes volatile (a script outside the article
               changes): every page needs extraction, nothing to alert
    (d)        every article edited: extraction, diff, commit and alert per page

After (d), the evidence folder's size (``evidence/captures``, ``evidence/log``)
per 1,000 versions, and the cost of a changed check with captures on against a
second project with ``captures: false`` (its baseline and (d) only).

(c) and (d) are judged against trafilatura's own ``extract()`` over the same
pages on all cores, measured in the same run (the issue's "two-core
trafilatura limit").

    python -m bench.speed [--pages 1000,10000] [--quick] [--tools monitor,urlwatch]
                          [--no-captures-off]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from bench import variants
from bench.corpus import CorpusPage, corpus_path, load_corpus
from monitor.extract.article import extract

REPO = Path(__file__).resolve().parents[1]
URLWATCH_VENV = REPO / "bench" / ".venv-urlwatch"
MEASURE = REPO / "bench" / "measure.py"
URLWATCH_VERSION = "2.29"
TOOLS = ("monitor", "urlwatch")
CAPTURES_OFF = "captures-off"  # monitor again, in a project of its own with captures: false
CAPTURES_OFF_CASES = ("baseline", "d")  # the passes that commit: what a capture costs
EDIT_ORDER = ("number", "sentence", "add-paragraph", "headline")
# All N sources are on one host, so the per-host limit is the concurrency; 10
# connections is where httpx's CPU per request is lowest (DESIGN.md).
MONITOR_SETTINGS = {"concurrency": 10, "per_host_concurrency": 10, "timeout": "60s",
                    "retries": 0, "workers": 0, "lock_timeout": "1m"}


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    state: str  # which page files nginx serves: base, volatile, edited
    etag: bool = True
    expect_changed: bool = False


CASES = (
    Case("baseline", "baseline (first pass)", "base"),
    Case("a", "(a) unchanged, 304", "base"),
    Case("b", "(b) unchanged, 200 same bytes", "base", etag=False),
    Case("c", "(c) volatile bytes, same article", "volatile"),
    Case("d", "(d) every article edited", "edited", expect_changed=True),
)


@dataclass(frozen=True)
class Evidence:
    """A monitor project's evidence folder: the captures and the signed log."""

    captures: int  # .warc.gz files: one per committed fetch, so one per version
    capture_bytes: int
    capture_disk: int  # allocated on disk (st_blocks), small files round up
    log_files: int
    log_bytes: int
    log_disk: int

    @property
    def total_bytes(self) -> int:
        return self.capture_bytes + self.log_bytes

    @property
    def total_disk(self) -> int:
        return self.capture_disk + self.log_disk

    def per_thousand(self, size: int) -> float:
        return 1000 * size / self.captures if self.captures else 0.0


def folder_size(folder: Path, pattern: str = "*") -> tuple[int, int, int]:
    """Files matching ``pattern`` under ``folder``: how many, their bytes, their disk blocks."""
    files = [f for f in folder.rglob(pattern) if f.is_file()] if folder.is_dir() else []
    stats = [f.stat() for f in files]
    return len(files), sum(s.st_size for s in stats), sum(512 * s.st_blocks for s in stats)


def evidence_of(project: Path) -> Evidence:
    evidence = project / "evidence"
    return Evidence(*folder_size(evidence / "captures", "*.warc.gz"),
                    *folder_size(evidence / "log"))


@dataclass
class Run:
    tool: str
    case: Case
    pages: int
    wall: float
    user: float
    sys: float
    maxrss_kb: int
    tree_pss_kb: int
    others_cpu: float  # CPU used meanwhile by other processes (nginx, anything else)
    outcome: str

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    @property
    def rate(self) -> float:
        return self.pages / self.wall if self.wall else 0.0


# --- what the bench needs installed -------------------------------------------------


def run_quietly(command: list[str], **kwargs: object) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def ensure_nginx() -> str:
    """nginx from Debian's packages; installed with apt-get when missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if sudo and not shutil.which("sudo"):
        raise SystemExit("nginx is missing and this user cannot install it: "
                         "run `apt-get install -y nginx` as root")
    print("installing nginx (apt-get update && apt-get install -y nginx)…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run_quietly([*sudo, "apt-get", "update"], env=env)
    run_quietly([*sudo, "apt-get", "install", "-y", "--no-install-recommends", "nginx"],
                env=env)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def ensure_urlwatch(venv: Path) -> Path:
    """urlwatch from PyPI in its own venv (bench/.venv-urlwatch)."""
    binary = venv / "bin" / "urlwatch"
    if binary.exists():
        return binary
    print(f"installing urlwatch {URLWATCH_VERSION} into {venv}…", flush=True)
    run_quietly([sys.executable, "-m", "venv", str(venv)])
    run_quietly([str(venv / "bin" / "pip"), "install", "--quiet",
                 f"urlwatch=={URLWATCH_VERSION}"])
    return binary


# --- the server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


NGINX_CONF = """\
{user}worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 300s;
    keepalive_requests 10000000;
    types {{ text/html html; }}
    default_type text/html;
    charset utf-8;
    etag {etag};
    if_modified_since {ims};
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


class Nginx:
    """nginx as a non-daemon child with its own config, on a free port of 127.0.0.1."""

    def __init__(self, binary: str, root: Path, work: Path):
        self.binary, self.root, self.work = binary, root, work
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.etag: bool | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, etag: bool) -> None:
        """(Re)start with etags and If-Modified-Since on or off."""
        if self.process is not None and self.etag == etag:
            return
        self.stop()
        conf = self.work / "nginx.conf"
        # Under root, workers would run as "nobody" and could not read a private temp dir.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        conf.write_text(NGINX_CONF.format(user=user, work=self.work, root=self.root,
                                          port=self.port,
                                          etag="on" if etag else "off",
                                          ims="exact" if etag else "off"))
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.work), "-c", str(conf), "-e",
             str(self.work / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.etag = etag
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"nginx exited: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            if self._answers():
                return
            time.sleep(0.05)
        raise SystemExit("nginx did not start listening within 10s")

    def _answers(self) -> bool:
        """Whether our nginx (not another server that took the port) answers."""
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("HEAD", "/")
            server = connection.getresponse().getheader("Server", "")
            connection.close()
        except OSError:
            return False
        if not server.startswith("nginx"):
            raise SystemExit(f"port {self.port} is answered by {server!r}, not our nginx")
        return True

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: finish open requests
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


# --- the pages ----------------------------------------------------------------------


def edited(page: CorpusPage) -> bytes:
    """The page with one edit that changes what monitor extracts (checked here)."""
    before = extract(page.raw, page.url)
    for kind in EDIT_ORDER:
        made = variants.apply_edit(page.raw, page.body, kind, 1)
        if made is not None and extract(made[0], page.url) != before:
            return made[0]
    raise SystemExit(f"no edit of corpus page {page.id} changes its extracted text")


def page_states(pages: list[CorpusPage]) -> dict[str, list[bytes]]:
    """Each corpus page as served in each state (markers come later)."""
    return {
        "base": [p.raw for p in pages],
        "volatile": [p.raw + b'\n<script>window.__churn = "volatile-2";</script>\n'
                     for p in pages],
        "edited": [edited(p) for p in pages],
    }


def write_site(root: Path, count: int, bodies: list[bytes]) -> None:
    """Page i is ``bodies[i % len]`` with a marker of its own, so every body differs."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        marker = f"\n<!-- bench page {i} -->\n".encode()
        (root / f"p{i:05d}.html").write_bytes(bodies[i % len(bodies)] + marker)


# --- the tools ----------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str]
    cases: tuple[str, ...] | None = None  # the keys of the cases it runs; None: all


def monitor_env(source: Path | None) -> dict[str, str]:
    """The environment for ``python -m monitor``: the installed package, or ``source``."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source.resolve())
    return env


def monitor_project(folder: Path, site_url: str, count: int,
                    settings: dict[str, object] = MONITOR_SETTINGS) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["settings:", *(f"  {k}: {v}" for k, v in settings.items()), "sources:"]
    for i in range(count):
        lines += [f"  - id: p{i:05d}", f"    url: {site_url}/p{i:05d}.html"]
    config = folder / "sources.yaml"
    config.write_text("\n".join(lines) + "\n")
    return [sys.executable, "-m", "monitor", "check", "-q", "--config", str(config)]


def urlwatch_project(folder: Path, site_url: str, count: int, binary: Path) -> list[str]:
    """urls.yaml with the html2text filter, as urlwatch's users write it; its own cache."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [f"name: p{i:05d}\nurl: {site_url}/p{i:05d}.html\nfilter:\n  - html2text\n"
            for i in range(count)]
    (folder / "urls.yaml").write_text("---\n".join(jobs))
    (folder / "urlwatch.yaml").write_text("report:\n  stdout:\n    enabled: true\n"
                                          "    color: false\n")
    return [str(binary), "--urls", str(folder / "urls.yaml"),
            "--config", str(folder / "urlwatch.yaml"), "--cache", str(folder / "cache.db"),
            "--hooks", str(folder / "hooks.py")]


def monitor_outcome(output: str) -> str:
    lines = [line for line in output.splitlines() if " checked: " in line]
    return lines[-1].strip() if lines else output.strip().splitlines()[-1:][0] \
        if output.strip() else "no output"


def urlwatch_outcome(output: str) -> str:
    counts: dict[str, int] = {}
    for status in re.findall(r"^\d+\. (NEW|CHANGED|ERROR|UNCHANGED):", output, re.M):
        counts[status.lower()] = counts.get(status.lower(), 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no change reported"


def as_expected(run: Run) -> bool:
    """Whether a pass reported what its case should produce (for monitor; urlwatch: any)."""
    if run.tool == "urlwatch":
        return True
    want = {"baseline": "baseline", "d": "changed"}.get(run.case.key, "unchanged")
    return run.outcome.startswith(f"{run.pages} checked: {run.pages} {want}, 0 errors")


def measure(tool: Tool, case: Case, count: int, work: Path) -> Run:
    """Run one pass of ``tool`` under bench/measure.py; its log is kept beside the JSON."""
    out = work / f"{tool.name}-{case.key}-{count}.json"
    log = work / f"{tool.name}-{case.key}-{count}.log"
    with log.open("w") as handle:
        subprocess.run([sys.executable, str(MEASURE), str(out), "--", *tool.command],
                       cwd=tool.cwd, env=tool.env, stdout=handle, stderr=subprocess.STDOUT,
                       check=True)
    facts = json.loads(out.read_text())
    output = log.read_text(errors="replace")
    outcome = urlwatch_outcome(output) if tool.name == "urlwatch" else monitor_outcome(output)
    if facts["returncode"] not in (0, 1):
        outcome = f"exit {facts['returncode']}: {output.strip().splitlines()[-1:]}"
    run = Run(tool.name, case, count, facts["wall"], facts["user"], facts["sys"],
              facts["maxrss_kb"], facts["tree_pss_kb"], facts["others_cpu"], outcome)
    if not as_expected(run):
        run.outcome = f"UNEXPECTED: {run.outcome}"
    if facts.get("leftover_processes"):
        run.outcome += f" ({facts['leftover_processes']} processes outlived it; killed)"
    return run


# --- the yardstick for (c) and (d) --------------------------------------------------


def trafilatura_rate(bodies: list[bytes], *, fast: bool = False, rounds: int = 4) -> float:
    """Pages per second of trafilatura's own ``extract()``, one process per core.

    The issue's yardstick for (c) and (d), "the two-core trafilatura limit"
    (~130/s where it was written; ``extract()`` as it comes), measured over the
    same pages in the same run: this machine's speed drifts by a quarter from
    hour to hour, and a fixed figure would judge the machine rather than
    monitor. ``fast`` is the stricter yardstick of the call monitor makes
    (no fallback extractors), without monitor's own work around it.
    """
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_extract_page, bodies[:workers], [fast] * workers))  # warm-up, not timed
        started = time.monotonic()
        done = sum(pool.map(_extract_page, bodies * rounds, [fast] * len(bodies) * rounds,
                            chunksize=8))
        return done / (time.monotonic() - started)


def _extract_page(body: bytes, fast: bool) -> int:
    trafilatura.extract(body, fast=fast)
    return 1


# --- one size ---------------------------------------------------------------------


def bench_size(count: int, states: dict[str, list[bytes]], tools: list[str], nginx_bin: str,
               urlwatch: Path | None, monitor_src: Path | None, work: Path,
               report: Callable[[Run], None], captures_off: bool = True,
               ) -> tuple[list[Run], tuple[float, float], Evidence | None]:
    root = work / "site"
    server_dir = work / "nginx"
    server_dir.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    server = Nginx(nginx_bin, root, server_dir)
    runners = []
    if "monitor" in tools:
        command = monitor_project(work / "monitor", server.url, count)
        runners.append(Tool("monitor", command, work / "monitor", monitor_env(monitor_src)))
        if captures_off:
            command = monitor_project(work / CAPTURES_OFF, server.url, count,
                                      {**MONITOR_SETTINGS, "captures": "false"})
            runners.append(Tool(CAPTURES_OFF, command, work / CAPTURES_OFF,
                                monitor_env(monitor_src), cases=CAPTURES_OFF_CASES))
    if "urlwatch" in tools and urlwatch is not None:
        command = urlwatch_project(work / "urlwatch", server.url, count, urlwatch)
        runners.append(Tool("urlwatch", command, work / "urlwatch", dict(os.environ)))
    runs = []
    state = None
    limits = (0.0, 0.0)  # trafilatura's own extract(): as it comes, and fast=True
    evidence = None
    try:
        for case in CASES:
            if case.state != state:
                started = time.monotonic()
                write_site(root, count, states[case.state])
                print(f"  wrote {count} pages ({case.state}) in "
                      f"{time.monotonic() - started:.1f}s", flush=True)
                state = case.state
                if state == "volatile":
                    limits = (trafilatura_rate(states["volatile"]),
                              trafilatura_rate(states["volatile"], fast=True))
                    print(f"  {describe_limits(limits)}", flush=True)
            server.serve(case.etag)
            for tool in runners:
                if tool.cases is not None and case.key not in tool.cases:
                    continue
                run = measure(tool, case, count, work)
                report(run)
                runs.append(run)
            if case.key == "d" and "monitor" in tools:
                evidence = evidence_of(work / "monitor")
                print(f"  {describe_evidence(evidence)}", flush=True)
    finally:
        server.stop()
    return runs, limits, evidence


# --- reporting ----------------------------------------------------------------------


def mb(kb: int) -> str:
    return f"{kb / 1024:,.0f}"


def print_run(run: Run) -> None:
    print(f"  {run.case.title:<34} {run.tool:<9} {run.wall:7.1f}s {run.rate:8.0f}/s "
          f"cpu {run.cpu:7.1f}s  maxrss {mb(run.maxrss_kb):>6} MB  tree {mb(run.tree_pss_kb):>6}"
          f" MB  others {run.others_cpu:5.1f}s  {run.outcome}", flush=True)


def table(runs: list[Run], count: int) -> str:
    shown = ("monitor", CAPTURES_OFF, "urlwatch")
    header = ["case", "tool", "wall s", "pages/s", "CPU s", "CPU ms/page", "max RSS MB",
              "tree PSS MB", "others CPU s", "result"]
    rows = []
    for case in CASES:
        mine = {r.tool: r for r in runs if r.case is case}
        first = True
        for tool in shown:
            if tool in mine:
                r = mine[tool]
                rows.append([case.title if first else "", tool,
                             f"{r.wall:.1f}", f"{r.rate:,.0f}", f"{r.cpu:.1f}",
                             f"{1000 * r.cpu / count:.2f}", mb(r.maxrss_kb),
                             mb(r.tree_pss_kb), f"{r.others_cpu:.1f}", r.outcome])
                first = False
        if "monitor" in mine and "urlwatch" in mine:
            m, u = mine["monitor"], mine["urlwatch"]
            rows.append(["", "ratio m/u", f"{m.wall / u.wall:.2f}", f"{m.rate / u.rate:.2f}x",
                         f"{m.cpu / u.cpu:.2f}", "", f"{m.maxrss_kb / u.maxrss_kb:.2f}",
                         f"{m.tree_pss_kb / max(u.tree_pss_kb, 1):.2f}", "", ""])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    for row in rows:
        lines.append("  ".join(c.ljust(w) if i in (0, 1, 9) else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(lines)


def describe_limits(limits: tuple[float, float]) -> str:
    return (f"trafilatura extract() alone, {os.cpu_count()} processes: {limits[0]:.0f} pages/s"
            f" (with fast=True: {limits[1]:.0f} pages/s)")


def describe_evidence(evidence: Evidence) -> str:
    """The evidence folder after (d): its size, and per 1,000 versions (committed captures)."""
    def size(n: int) -> str:
        return f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.1f} kB"

    return (f"evidence after (d): {evidence.captures:,} captures {size(evidence.capture_bytes)}"
            f" ({size(evidence.capture_disk)} on disk), log {evidence.log_files:,} files "
            f"{size(evidence.log_bytes)} ({size(evidence.log_disk)} on disk); per 1,000 "
            f"versions {size(round(evidence.per_thousand(evidence.total_bytes)))} "
            f"({size(round(evidence.per_thousand(evidence.total_disk)))} on disk)")


def capture_costs(runs: list[Run], count: int) -> list[str]:
    """A changed check with captures against ``captures: false``: CPU ms and wall per page."""
    by = {(r.tool, r.case.key): r for r in runs}
    found = []
    for key in ("d", "baseline"):
        on, off = by.get(("monitor", key)), by.get((CAPTURES_OFF, key))
        if on and off and off.cpu:
            found.append(f"{'changed check (d)' if key == 'd' else 'first pass':<17}: "
                         f"{1000 * on.cpu / count:.2f} CPU ms/page with captures, "
                         f"{1000 * off.cpu / count:.2f} with captures: false "
                         f"({on.cpu / off.cpu - 1:+.1%}); wall {1000 * on.wall / count:.2f} vs "
                         f"{1000 * off.wall / count:.2f} ms/page ({on.wall / off.wall - 1:+.1%})")
    return found


def aims(runs: list[Run], count: int, limits: tuple[float, float]) -> list[str]:
    """The issue's aims, checked where this run has the figures.

    ``limits`` are trafilatura's own two-core rates measured in this run (0: not
    measured): ``extract()`` as it comes, the issue's yardstick, and with ``fast``.
    """
    limit, fast_limit = limits
    by = {(r.tool, r.case.key): r for r in runs}
    found = []

    def verdict(met: bool) -> str:  # the urlwatch aims are set at 10,000 sources
        return ("met" if met else "NOT met") if count >= 10_000 else "(judged at 10,000)"

    for key in ("a", "b"):
        m, u = by.get(("monitor", key)), by.get(("urlwatch", key))
        if m and u:
            ratio = m.rate / u.rate
            found.append(f"({key}) pages/s {ratio:.1f}x urlwatch (aim >= 10x at 10,000): "
                         f"{verdict(ratio >= 10)}")
    for key in ("c", "d"):
        m = by.get(("monitor", key))
        if m and limit:
            share = m.rate / limit
            found.append(f"({key}) {m.rate:.0f} pages/s = {share:.0%} of trafilatura's "
                         f"{limit:.0f}/s on this run's two cores (aim >= 80%): "
                         f"{'met' if share >= 0.8 else 'NOT met'}; "
                         f"{m.rate / fast_limit:.0%} of its {fast_limit:.0f}/s with fast=True")
    m_peak = max((r.tree_pss_kb for r in runs if r.tool == "monitor"), default=0)
    u_peak = max((r.tree_pss_kb for r in runs if r.tool == "urlwatch"), default=0)
    if m_peak and u_peak:
        found.append(f"peak memory (tree PSS) {mb(m_peak)} MB vs urlwatch {mb(u_peak)} MB = "
                     f"{m_peak / u_peak:.2f} (aim <= 0.10 at 10,000): "
                     f"{verdict(m_peak <= 0.1 * u_peak)}")
    return found


# --- main ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/speed", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default="1000,10000",
                        help="comma-separated page counts (default 1000,10000)")
    parser.add_argument("--quick", action="store_true", help="one small size (300 pages)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="monitor,urlwatch")
    parser.add_argument("--corpus", help="corpus folder (default: ../shared/corpus)")
    parser.add_argument("--keep", type=Path, help="keep pages, projects and logs here")
    parser.add_argument("--monitor-src", type=Path, metavar="DIR",
                        help="run monitor from this source folder (one holding monitor/, "
                             "e.g. `git archive HEAD monitor | tar -x -C DIR`) instead of "
                             "the installed package")
    parser.add_argument("--no-captures-off", action="store_true",
                        help="skip the second monitor project with captures: false (its "
                             "baseline and (d)); needed for a monitor without the setting")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [300] if args.quick else [int(n) for n in args.pages.split(",")]
    tools = [t for t in args.tools.split(",") if t]
    if set(tools) - set(TOOLS):
        raise SystemExit(f"unknown tools {tools}; known: {', '.join(TOOLS)}")
    nginx_bin = ensure_nginx()
    urlwatch = ensure_urlwatch(URLWATCH_VENV) if "urlwatch" in tools else None
    pages = load_corpus(corpus_path(args.corpus))
    states = page_states(pages)
    print(f"{len(pages)} corpus pages; sizes {sizes}; tools {tools}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    results: dict[int, tuple[list[Run], tuple[float, float], Evidence | None]] = {}
    with tempfile.TemporaryDirectory(prefix="monitor-speed-") as temp:
        base = args.keep or Path(temp)
        for count in sizes:
            print(f"\nN = {count:,}", flush=True)
            work = base / f"n{count}"
            if work.exists():
                shutil.rmtree(work)
            results[count] = bench_size(count, states, tools, nginx_bin, urlwatch,
                                        args.monitor_src, work, print_run,
                                        captures_off=not args.no_captures_off)
    for count, (runs, limits, evidence) in results.items():
        print(f"\nN = {count:,} pages (nginx on 127.0.0.1; monitor settings "
              f"{MONITOR_SETTINGS})")
        print(table(runs, count))
        if limits[0]:
            print(f"  {describe_limits(limits)}")
        for line in aims(runs, count, limits):
            print(f"  {line}")
        if evidence is not None:
            print(f"  {describe_evidence(evidence)}")
        for line in capture_costs(runs, count):
            print(f"  {line}")
    unexpected = [r for runs, _, _ in results.values() for r in runs
                  if r.outcome.startswith("UNEX")]
    if unexpected:
        print(f"\n{len(unexpected)} pass(es) did not report what their case should: "
              "their figures do not measure that case (rerun with --keep DIR to keep the "
              "logs and the monitor project; `monitor list` there names each error)")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
