"""monitor/evidence/capture.py: the WARC file of an exchange, and its write-once store."""

from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from monitor.evidence.capture import build_capture, capture_path, store_captures
from monitor.fetch.exchange import Hop, TlsSession

BODY = gzip.compress(b"<html><body><p>80,000 people</p></body></html>")


def hop(url: str, status_line: bytes, body: bytes, **extra: object) -> Hop:
    path = "/" + url.split("/", 3)[3]
    return Hop(url=url, request_line=f"GET {path} HTTP/1.1".encode(),
               request_headers=((b"Host", b"example.org"), (b"User-Agent", b"monitor")),
               status_line=status_line,
               response_headers=((b"Content-Type", b"text/html"),
                                 (b"Content-Encoding", b"gzip"), (b"X-Odd", b"\xe9t\xe9")),
               body=body, peer="192.0.2.7", started_at=datetime.now(UTC), **extra)  # type: ignore[arg-type]


def records(data: bytes) -> list[tuple[str, dict[str, str], bytes]]:
    found = []
    for record in ArchiveIterator(io.BytesIO(data)):
        headers = dict(record.rec_headers.headers)
        found.append((record.rec_type, headers, record.raw_stream.read()))
    return found


def test_a_capture_holds_each_hop_as_received_with_sha256_digests() -> None:
    exchange = (hop("https://example.org/old", b"HTTP/1.1 301 Moved Permanently", b""),
                hop("https://example.org/new", b"HTTP/1.1 200 OK", BODY,
                    tls=TlsSession("TLSv1.3", "TLS_AES_256_GCM_SHA384", b"\x30\x03der")))
    capture = build_capture(exchange)
    assert capture.sha256 == hashlib.sha256(capture.data).hexdigest()
    kinds = [kind for kind, _, _ in records(capture.data)]
    assert kinds == ["warcinfo", "request", "response", "request", "response", "metadata"]
    final = [r for r in records(capture.data) if r[0] == "response"][-1]
    _, headers, payload = final
    assert payload == BODY  # content-encoding kept: the bytes the server sent
    assert headers["WARC-Payload-Digest"] == f"sha256:{hashlib.sha256(BODY).hexdigest()}"
    assert headers["WARC-IP-Address"] == "192.0.2.7"
    metadata = records(capture.data)[-1]
    assert metadata[1]["WARC-Concurrent-To"] == headers["WARC-Record-ID"]
    assert b"TLSv1.3" in metadata[2] and b"BEGIN CERTIFICATE" in metadata[2]


def test_the_http_block_is_stored_byte_for_byte(tmp_path: Path) -> None:
    """warcio would re-spell a header (percent-encoding the é); the block goes in whole."""
    exchange = (hop("https://example.org/a", b"HTTP/1.1 200 OK", BODY),)
    capture = build_capture(exchange)
    block = exchange[0].response_head + BODY
    digest = f"sha256:{hashlib.sha256(block).hexdigest()}"
    response = next(r for r in records(capture.data) if r[0] == "response")
    assert response[1]["WARC-Block-Digest"] == digest
    assert b"X-Odd: \xe9t\xe9" in gzip.decompress(capture.data)


def test_warcio_check_passes_every_digest(tmp_path: Path) -> None:
    capture = build_capture((hop("https://example.org/a", b"HTTP/1.1 404 Not Found", BODY),))
    stored = store_captures(tmp_path, [capture])
    warcio = Path(sys.executable).parent / "warcio"
    done = subprocess.run([str(warcio), "check", "-v", str(stored[0])], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout
    assert "failed" not in done.stdout


def test_a_secret_in_the_url_is_written_as_its_name() -> None:
    url = "https://example.org/feed?token=s3cr3t"
    capture = build_capture((Hop(url=url, request_line=b"GET /feed?token=s3cr3t HTTP/1.1",
                                 request_headers=(), status_line=b"HTTP/1.1 200 OK",
                                 response_headers=(), body=b"<p>x</p>"),),
                            shown=lambda text: text.replace("s3cr3t", "${FEED_TOKEN}"))
    assert b"s3cr3t" not in gzip.decompress(capture.data)
    assert b"${FEED_TOKEN}" in gzip.decompress(capture.data)


def test_captures_are_content_addressed_and_never_rewritten(tmp_path: Path) -> None:
    capture = build_capture((hop("https://example.org/a", b"HTTP/1.1 200 OK", BODY),))
    (path,) = store_captures(tmp_path, [capture])
    assert path == capture_path(tmp_path, capture.sha256)
    assert path.parent.name == capture.sha256[:2]
    assert path.read_bytes() == capture.data
    assert store_captures(tmp_path, [capture]) == []  # already there: left alone
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_credentials_in_the_request_are_withheld() -> None:
    """user:password in a URL travels as Basic authorization: base64, no ${NAME} to find."""
    capture = build_capture((Hop(url="https://example.org/a", request_line=b"GET /a HTTP/1.1",
                                 request_headers=((b"Authorization",
                                                   b"Basic cmVhZGVyOmh1bnRlcjI="),),
                                 status_line=b"HTTP/1.1 200 OK", response_headers=(),
                                 body=b"<p>x</p>"),))
    text = gzip.decompress(capture.data)
    assert b"cmVhZGVyOmh1bnRlcjI=" not in text
    assert b"Authorization: (withheld by monitor)" in text
