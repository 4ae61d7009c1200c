"""A small local news site on 127.0.0.1, for ``monitor demo``.

Articles from ``demo_pages/`` are wrapped in the furniture of a real site —
navigation, cookie banner, share buttons, "Read More" teasers, view and comment
counters, comments, a donation ask and scripts — that changes from request to
request on real sites and must never raise an alert. The same server receives
webhook POSTs and keeps them, so the demo can show what was sent. The tests'
hostile server (stalls, endless bodies, failing receivers) builds on this one
in ``testing/site.py``, which is not shipped.
"""

from __future__ import annotations

import hashlib
import html
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Self

PAGES = resources.files("monitor.cli") / "demo_pages"


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    author: str
    date: str
    paragraphs: tuple[str, ...]

    @classmethod
    def load(cls, slug: str) -> Article:
        """One of the bundled sample articles, by file name without ``.txt``."""
        text = (PAGES / f"{slug}.txt").read_text(encoding="utf-8")
        head, *body = text.strip().split("\n\n")
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        return cls(slug=slug, title=meta["title"], author=meta["author"], date=meta["date"],
                   paragraphs=tuple(body))

    def edited(self, old: str, new: str) -> Article:
        """The article with one phrase replaced (it must be there)."""
        if not any(old in p for p in self.paragraphs) and old not in self.title:
            raise ValueError(f"{old!r} is not in {self.slug}")
        return replace(self, title=self.title.replace(old, new),
                       paragraphs=tuple(p.replace(old, new) for p in self.paragraphs))

    def without_paragraph(self, index: int) -> Article:
        return replace(self, paragraphs=self.paragraphs[:index] + self.paragraphs[index + 1:])


def sample_slugs() -> list[str]:
    return sorted(p.name[:-4] for p in PAGES.iterdir()
                  if p.name.endswith(".txt") and p.name != "teasers.txt")


def teasers() -> list[tuple[str, str]]:
    lines = (PAGES / "teasers.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line]  # type: ignore[misc]


@dataclass(frozen=True)
class Furniture:
    """The parts of a page around the article that churn on real sites."""

    teasers: tuple[tuple[str, str], ...] = ()
    comments: tuple[tuple[str, str], ...] = (
        ("Aysha", "Thank you for publishing this. The world needs to know."),
        ("R. Hamid", "Sharing with my representatives today."),
    )
    views: int = 1204
    build: str = "a1b2c3"
    updated: str = "Updated 2 minutes ago"
    banner: str = "We use cookies to improve your experience. Accept?"


def render_article(article: Article, furniture: Furniture | None = None) -> str:
    f = furniture or Furniture(teasers=tuple(teasers()[:4]))
    e = html.escape
    body = "\n".join(f"      <p>{e(p)}</p>" for p in article.paragraphs)
    read_more = "\n".join(
        f'      <li><a href="/teaser/{i}">{e(t)}</a><p>{e(b)}</p><a href="/teaser/{i}">'
        f"Read More →</a></li>" for i, (t, b) in enumerate(f.teasers))
    comments = "\n".join(
        f'      <li class="comment"><b>{e(name)}</b><p>{e(text)}</p></li>'
        for name, text in f.comments)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{e(article.title)} | Uyghur Rights Monitor</title>
  <meta name="author" content="{e(article.author)}">
  <meta property="article:published_time" content="{e(article.date)}">
  <meta property="og:title" content="{e(article.title)}">
  <script>window.__BUILD__ = "{f.build}"; window.__VIEWS__ = {f.views};</script>
  <script src="/static/app.{f.build}.js" async></script>
</head>
<body>
  <div class="cookie-banner">{e(f.banner)} <button>Accept</button></div>
  <header>
    <a class="skip" href="#main">skip to Main Content</a>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/news/">News</a></li>
    <li><a href="/campaigns/">Campaigns</a></li><li><a href="/donate">Donate</a></li></ul></nav>
  </header>
  <main id="main">
    <article>
      <h1>{e(article.title)}</h1>
      <p class="byline">by <span class="author">{e(article.author)}</span> ·
        <time datetime="{e(article.date)}">{e(article.date)}</time> ·
        <span class="updated">{e(f.updated)}</span> · <span class="views">{f.views} views</span></p>
      <div class="share">Share with others… <a href="#">Twitter</a> <a href="#">Facebook</a></div>
{body}
    </article>
    <section class="comments">
      <h3>{len(f.comments)} Comments</h3>
      <ul>
{comments}
      </ul>
      <form><p>Please enter your comment!</p><textarea></textarea>
      <p>Please enter your name here</p><input name="name"></form>
    </section>
  </main>
  <aside>
    <h2>Latest Posts</h2>
    <ul>
{read_more}
    </ul>
    <div class="donate">Genocide against Muslims is escalating across the world. We need
      your help to win. <a href="/donate">Donate</a></div>
    <div class="newsletter">Let’s stay in touch! Sign up for our email updates.</div>
  </aside>
  <footer><a href="#top">Back To Top</a> © Uyghur Rights Monitor</footer>
  <script>document.querySelectorAll('.views').forEach(v => v.dataset.n = {f.views});</script>
</body>
</html>
"""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (as the fetcher does on a capped page) is not news."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {
        "Content-Type": "text/html; charset=utf-8"})
    etag: bool = True  # answer If-None-Match with 304 when the body is unchanged


@dataclass(frozen=True)
class Received:
    """One request the site received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived (monotonic clock)

    def json(self) -> Any:
        return json.loads(self.body)


class DemoSite:
    """A threaded HTTP/1.1 server: set pages, read what was requested and POSTed."""

    page_type: type[Page] = Page  # what put_article builds (the tests' site has more knobs)

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.pages: dict[str, Page] = {}
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                site._serve(self)

            def do_POST(self) -> None:
                site._receive(self)

        self.server = _QuietServer((host, port), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- content ---

    def put(self, path: str, page: Page) -> None:
        with self._lock:
            self.pages[path] = page

    def put_article(self, path: str, article: Article, furniture: Furniture | None = None,
                    **page: Any) -> None:
        self.put(path, self.page_type(body=render_article(article, furniture).encode(), **page))

    def put_status(self, path: str, status: int, body: str = "") -> None:
        self.put(path, Page(status=status, body=body.encode(), etag=False))

    def posts(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests
                    if r.method == "POST" and (path is None or r.path == path)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.pages)

    # --- serving ---

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(Received("GET", handler.path, dict(handler.headers), b""))
            page = self.pages.get(handler.path)
        if page is None:
            page = Page(status=404, body=b"<html><body><h1>Not found</h1></body></html>",
                        etag=False)
        headers = dict(page.headers)
        status = page.status
        body = page.body
        if page.etag and status == 200:
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers["ETag"] = tag
            if handler.headers.get("If-None-Match") == tag:
                status, body = 304, b""
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        self._send_body(handler, page, body)

    def _send_body(self, handler: BaseHTTPRequestHandler, page: Page, body: bytes) -> None:
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _receive(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        body = handler.rfile.read(length)
        with self._lock:
            self.requests.append(Received("POST", handler.path, dict(handler.headers), body))
        status, headers = self._answer_post()
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _answer_post(self) -> tuple[int, dict[str, str]]:
        """The status and headers a webhook POST is answered with."""
        return 200, {}
