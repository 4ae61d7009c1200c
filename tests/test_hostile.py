"""Hostile and broken pages are contained to their own source.

One `monitor check` runs over a good article and a page of every bad kind
served by the local site; each bad page ends as its own error (or is read
despite its faults), the good one is checked, and memory stays bounded while a
2 GB gzip bomb and a 2 GB brotli bomb are served.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import brotli
import httpx
import pytest
from conftest import Project, child_env

from monitor.cli.demo_site import Article, render_article
from monitor.fetch.client import describe_error
from monitor.store.store import Store
from testing.site import Page

ROOT = Path(__file__).parent.parent
HTML = {"Content-Type": "text/html; charset=utf-8"}
BOMB_SIZE = 2 * 1024**3


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = b"\0" * (4 << 20)
    parts = [compressor.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    return b"".join([*parts, compressor.flush()])


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    compressor = brotli.Compressor(quality=5)
    zeros = b"\0" * (4 << 20)
    parts = [compressor.process(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    return b"".join([*parts, compressor.finish()])


def endless() -> Iterator[bytes]:
    return itertools.repeat(b"<p>" + b"more " * 2000 + b"</p>")


# Runs its arguments as a command and prints its process tree's peak RSS (kB) last.
MEASURED = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
            "sys.exit(code)")


def test_every_hostile_page_fails_alone_and_memory_stays_bounded(
        project: Project, letter: Article, gzip_bomb: bytes, brotli_bomb: bytes) -> None:
    site = project.site
    article = render_article(letter)
    site.put_article("/good", letter)
    site.put("/huge", Page(body=b"x" * 3_000_000, headers=HTML))
    site.put("/endless", Page(stream=endless, headers=HTML))
    site.put("/gzip-bomb", Page(body=gzip_bomb, headers={**HTML, "Content-Encoding": "gzip"}))
    site.put("/br-bomb", Page(body=brotli_bomb, headers={**HTML, "Content-Encoding": "br"}))
    site.put("/trickle", Page(body=article.encode()[:2000], headers=HTML, trickle=0.05))
    site.redirect("/loop", "/loop")
    for i in range(15):
        site.redirect(f"/chain{i}", f"/chain{i + 1}")
    site.put_article("/chain15", letter)
    site.put("/pdf", Page(body=b"%PDF-1.7\n" + os.urandom(2000),
                          headers={"Content-Type": "application/pdf"}))
    site.put("/png", Page(body=b"\x89PNG\r\n\x1a\n" + os.urandom(2000),
                          headers={"Content-Type": "image/png"}))
    site.put("/empty", Page(body=b"", headers=HTML))
    site.put("/reset", Page(body=article.encode(), headers=HTML, reset=True))
    site.put("/broken-gzip", Page(body=b"\x1f\x8b\x08\x00garbage" * 50,
                                  headers={**HTML, "Content-Encoding": "gzip"}))
    site.put("/lying-charset", Page(body=article.replace("’", "é").encode("latin-1", "replace"),
                                    headers=HTML))
    site.put("/malformed", Page(body=("<html><body><div><p>" + "<b><i>".join(
        letter.paragraphs[:5]) + "<table><tr><td>unclosed").encode(), headers=HTML))
    tls_url = site.url.replace("http://", "https://") + "/tls"
    sources = {name: f"/{name}" for name in (
        "good", "huge", "endless", "gzip-bomb", "br-bomb", "trickle", "loop", "chain0",
        "pdf", "png", "empty", "reset", "broken-gzip", "lying-charset", "malformed")}
    sources["tls"] = tls_url
    # 10 s: the trickle (100 s to send) still times out, and a busy machine streams the
    # endless page past max_bytes well before its deadline.
    project.write(sources, settings={"max_bytes": "1MB", "timeout": "10s", "retries": 0,
                                     "workers": 2})
    # Measured from a small parent: a child's ru_maxrss counts the pages it had from
    # the process that forked it, before its exec (pytest's, which grow with the suite).
    run = subprocess.run([sys.executable, "-c", MEASURED, sys.executable, "-m", "monitor",
                          "check", "--config", str(project.config_path)],
                         capture_output=True, text=True, env=child_env())
    out = run.stdout
    peak_mb = int(run.stderr.strip().splitlines()[-1]) / 1024
    assert run.returncode == 1, out  # failures during the run
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"

    store = Store(project.root / "snapshots", project.root / ".monitor" / "state.db",
                  project.root / "alerts")
    assert store.open_readonly()
    records = store.records()
    store.close()
    outcome = {name: (r.last_outcome, r.last_error or "") for name, r in records.items()}
    assert outcome["good"] == ("baseline", "")
    assert outcome["chain0"][0] == "error" and "redirects" in outcome["chain0"][1]
    assert "redirects" in outcome["loop"][1]
    for name in ("huge", "endless", "gzip-bomb", "br-bomb"):
        assert outcome[name][0] == "error" and "max_bytes" in outcome[name][1], name
    assert "no complete answer within 10s" in outcome["trickle"][1]
    assert "the PDF cannot be read" in outcome["pdf"][1]  # random bytes after %PDF-
    assert "unsupported content type image/png" in outcome["png"][1]
    assert "no article text" in outcome["empty"][1]
    assert "connection broken" in outcome["reset"][1]
    assert "broken gzip body" in outcome["broken-gzip"][1]
    assert "TLS error" in outcome["tls"][1]
    # faulty but readable pages are read
    assert outcome["lying-charset"][0] == "baseline"
    assert "Huawei" in project.snapshot("lying-charset")
    assert outcome["malformed"][0] == "baseline"
    assert "16 checked: 3 baseline, 13 errors" in out
    print(f"\npeak RSS {peak_mb:.0f} MB with two 2 GB bombs and 14 other bad pages")


def test_dns_failure_is_named_and_transient() -> None:
    # Resolving a made-up name would ask the machine's DNS server, which tests must not
    # reach; the error httpx raises for it is built here instead.
    kind, message = describe_error(httpx.ConnectError("[Errno -2] Name or service not known"))
    assert kind == "dns" and "does not resolve" in message
    kind, _ = describe_error(httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version"))
    assert kind == "tls"
    kind, _ = describe_error(httpx.ConnectError("[Errno 111] Connection refused"))
    assert kind == "connect"
