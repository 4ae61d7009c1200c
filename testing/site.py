"""The demo's local site with the knobs of a hostile or broken server.

Pages that stall between bytes, stream without end or drop the connection
midway, redirects, and webhook receivers that fail, ask to retry later or
answer slowly: what the fetcher and the delivery must survive, served for real
on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from monitor.cli.demo_site import DemoSite, Received
from monitor.cli.demo_site import Page as DemoPage

__all__ = ["LocalSite", "Page", "Received"]


@dataclass
class Page(DemoPage):
    trickle: float = 0.0  # seconds between single bytes of the body: a server that stalls
    stream: Callable[[], Iterator[bytes]] | None = None  # a chunked body, maybe endless
    reset: bool = False  # drop the connection after the headers, mid-response


class LocalSite(DemoSite):
    """A DemoSite whose pages and webhook answers can misbehave on purpose."""

    page_type = Page

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        super().__init__(host, port)
        self.hook_statuses: list[int] = []  # answers for the next POSTs; then 200
        self.hook_headers: dict[str, str] = {}  # sent with those answers (e.g. Retry-After)
        self.hook_delay = 0.0  # seconds a POST waits for its answer: a slow receiver
        self._hooks_lock = threading.Lock()

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        self.put(path, Page(status=status, headers={"Location": location}, etag=False))

    def gets(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests
                    if r.method == "GET" and (path is None or r.path == path)]

    def _answer_post(self) -> tuple[int, dict[str, str]]:
        with self._hooks_lock:
            status = self.hook_statuses.pop(0) if self.hook_statuses else 200
        if self.hook_delay:
            time.sleep(self.hook_delay)
        return status, dict(self.hook_headers) if status != 200 else {}

    def _send_body(self, handler: BaseHTTPRequestHandler, page: DemoPage, body: bytes) -> None:
        if not isinstance(page, Page) or not (page.stream or page.reset or page.trickle):
            super()._send_body(handler, page, body)
        elif page.stream is not None:
            _send_chunked(handler, page.stream())
        elif page.reset:
            handler.send_header("Content-Length", str(len(body) + 100))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
        else:
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            _trickle(handler, body, page.trickle)


def _send_chunked(handler: BaseHTTPRequestHandler, chunks: Iterator[bytes]) -> None:
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    try:
        for chunk in chunks:
            if chunk:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:  # the client stopped reading, as it should
        handler.close_connection = True


def _trickle(handler: BaseHTTPRequestHandler, body: bytes, pause: float) -> None:
    for index in range(len(body)):
        time.sleep(pause)
        try:
            handler.wfile.write(body[index:index + 1])
            handler.wfile.flush()
        except OSError:  # the client gave up, as it should
            return
