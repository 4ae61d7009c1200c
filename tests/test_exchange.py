"""monitor/fetch/exchange.py: each hop of a fetch as it went over the wire (real servers)."""

from __future__ import annotations

import asyncio
import gzip
import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme
from cryptography import x509

from monitor.core.model import Settings
from monitor.fetch.client import Fetcher
from monitor.fetch.result import FetchResult
from testing.site import LocalSite, Page

BODY = gzip.compress("<html><body><p>Ürümqi, 8,000</p></body></html>".encode())


def settings(tmp_path: Path) -> Settings:
    return Settings(snapshots=tmp_path / "s", alerts=tmp_path / "a", state=tmp_path / "st.db",
                    timeout=10.0, retries=0)


def fetch(tmp_path: Path, url: str, client: httpx.AsyncClient | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings(tmp_path), client=client) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


def test_a_hop_keeps_the_body_as_received_and_the_headers_as_spelled(site: LocalSite,
                                                                    tmp_path: Path) -> None:
    site.put("/a", Page(body=BODY, headers={"Content-Type": "text/html",
                                            "Content-Encoding": "gzip", "X-MiXeD": "Case"}))
    result = fetch(tmp_path, f"{site.url}/a")
    (hop,) = result.exchange
    assert hop.body == BODY  # still gzip: the capture keeps what the server sent
    assert result.body == gzip.decompress(BODY)
    assert hop.status_line == b"HTTP/1.1 200 OK"
    assert (b"X-MiXeD", b"Case") in hop.response_headers
    assert hop.request_line == b"GET /a HTTP/1.1"
    assert any(name.lower() == b"user-agent" for name, _ in hop.request_headers)
    assert hop.peer == "127.0.0.1"
    assert hop.tls is None
    assert hop.response_head.endswith(b"\r\n\r\n")


def test_every_redirect_is_a_hop_of_its_own(site: LocalSite, tmp_path: Path) -> None:
    site.put("/new", Page(body=b"<p>here</p>"))
    site.redirect("/old", "/middle")
    site.redirect("/middle", f"{site.url}/new", status=302)
    result = fetch(tmp_path, f"{site.url}/old")
    assert [hop.status for hop in result.exchange] == [301, 302, 200]
    assert [hop.url for hop in result.exchange] == [
        f"{site.url}/old", f"{site.url}/middle", f"{site.url}/new"]
    assert result.redirects == (f"{site.url}/old", f"{site.url}/middle")
    assert result.final_url == f"{site.url}/new"


def test_a_failed_fetch_has_no_exchange(tmp_path: Path, site: LocalSite) -> None:
    site.redirect("/loop-a", "/loop-b")
    site.redirect("/loop-b", "/loop-a")
    result = fetch(tmp_path, f"{site.url}/loop-a")
    assert result.error_kind == "redirects"
    assert result.exchange == ()


@pytest.fixture
def https_site() -> Iterator[tuple[str, trustme.CA]]:
    """A real HTTPS server on 127.0.0.1 with a certificate from a throwaway CA."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(b"<p>secure</p>")))
            self.end_headers()
            self.wfile.write(b"<p>secure</p>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", authority
    finally:
        server.shutdown()
        server.server_close()


def test_https_keeps_the_tls_session_and_the_server_certificate(
        https_site: tuple[str, trustme.CA], tmp_path: Path) -> None:
    url, authority = https_site
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    # Mocked only in what cannot be real here: a public CA. The client trusts ours.
    result = fetch(tmp_path, f"{url}/", client=httpx.AsyncClient(verify=trusted))
    (hop,) = result.exchange
    assert hop.tls is not None
    assert hop.tls.version.startswith("TLSv1.")
    assert hop.tls.cipher
    served = x509.load_der_x509_certificate(hop.tls.certificate)
    assert "127.0.0.1" in str(served.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value)
