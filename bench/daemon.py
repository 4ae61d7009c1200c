"""The daemon's own cost: CPU and memory of `monitor run` over many sources.

    python -m bench.daemon --sources 10000 --idle 60 --busy 120

Serves one real corpus article under N paths from a local server (a child
process on 127.0.0.1), records a baseline of every source with `monitor check`,
then measures `monitor run` twice:

- idle: every source checked a moment ago and due in an hour, so nothing is
  due: what the scheduler itself costs;
- busy: the same sources on a 10 s interval, so the daemon checks them flat out
  (answered 304 through ETags) again and again.

Reported per phase: CPU % of one core (daemon plus its workers), peak and
final RSS, and checks per second from the daemon's status file. Read it to
size a deployment: CPU per check and RSS per source scale linearly.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "html"
TICK = os.sysconf("SC_CLK_TCK")

SERVER = """
import sys, time
from pathlib import Path
from testing.site import LocalSite, Page
site = LocalSite(port=int(sys.argv[1])).start()
page = Page(body=Path(sys.argv[2]).read_bytes())
for i in range(int(sys.argv[3])):
    site.pages[f"/a/{i}"] = page
print("ready", flush=True)
time.sleep(10 ** 6)
"""


def family(pid: int) -> list[int]:
    """A process and its descendants (the daemon, its forkserver and workers)."""
    out = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines()[1:]:
        child, parent = map(int, line.split())
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_and_rss(pids: list[int]) -> tuple[float, int]:
    """Seconds of CPU so far and resident kB, summed over the processes."""
    cpu, rss = 0.0, 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / TICK
            status = Path(f"/proc/{pid}/status").read_text()
            rss += int(next(line.split()[1] for line in status.splitlines()
                            if line.startswith("VmRSS:")))
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return cpu, rss


def write_config(folder: Path, port: int, sources: int, interval: str) -> Path:
    lines = ["settings:", "  per_host_concurrency: 16", "  concurrency: 16",
             "  lock_timeout: 10m", "sources:"]
    lines += [f"  - id: a{i}\n    url: http://127.0.0.1:{port}/a/{i}\n    interval: {interval}"
              for i in range(sources)]
    path = folder / "sources.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(config: Path, seconds: float, label: str) -> dict[str, float]:
    daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config),
                               "--log-level", "warning"], cwd=ROOT)
    status_file = config.parent / ".monitor" / "status.json"
    time.sleep(3)  # start-up: imports, scheduling every source
    start_cpu, _ = cpu_and_rss(family(daemon.pid))
    start_checks = _checks(status_file)
    started = time.monotonic()
    peak = 0
    while time.monotonic() - started < seconds:
        time.sleep(1)
        _, rss = cpu_and_rss(family(daemon.pid))
        peak = max(peak, rss)
    cpu, rss = cpu_and_rss(family(daemon.pid))
    elapsed = time.monotonic() - started
    checks = _checks(status_file) - start_checks
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(60)
    result = {"cpu_percent": 100 * (cpu - start_cpu) / elapsed, "peak_rss_mb": peak / 1024,
              "final_rss_mb": rss / 1024, "checks_per_s": checks / elapsed}
    print(f"{label:<6} CPU {result['cpu_percent']:5.1f}% of a core   "
          f"RSS peak {result['peak_rss_mb']:6.1f} MB, end {result['final_rss_mb']:6.1f} MB   "
          f"{result['checks_per_s']:7.1f} checks/s", flush=True)
    return result


def _checks(status_file: Path) -> int:
    try:
        return int(json.loads(status_file.read_text())["checks_done"])
    except (OSError, ValueError, KeyError):
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--idle", type=float, default=60, help="seconds measured idle")
    parser.add_argument("--busy", type=float, default=120, help="seconds measured busy")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="monitor-daemon-bench-"))
    page = folder / "page.html"
    page.write_bytes(gzip.decompress(sorted(CORPUS.glob("*.html.gz"))[0].read_bytes()))
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(page),
                               str(args.sources)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        config = write_config(folder, port, args.sources, "1h")
        print(f"{args.sources} sources on 127.0.0.1:{port}; baseline with monitor check …",
              flush=True)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "monitor", "check", "-q", "--config",
                        str(config)], cwd=ROOT, check=False)
        print(f"baseline: {time.monotonic() - started:.0f} s", flush=True)
        measure(config, args.idle, "idle")
        write_config(folder, port, args.sources, "10s")  # due again and again: flat out
        measure(config, args.busy, "busy")
    finally:
        server.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
