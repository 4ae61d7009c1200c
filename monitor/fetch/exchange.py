"""The HTTP exchange as it went over the wire: what a capture keeps of a fetch.

A snapshot is our reading of a page; a capture is the page itself. For that,
each hop of a fetch (every redirect, then the final answer) keeps the request
as sent and the response as received: the status line, the headers with their
own spelling and order, and the body still in its content-encoding (gzip stays
gzip; only the transfer chunking is gone, as h11 removes it). The peer address
and the TLS session are read from the connection while it is open, which only
the fetch transport can do.
"""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

RawHeaders = tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True)
class TlsSession:
    version: str  # TLSv1.3
    cipher: str  # TLS_AES_256_GCM_SHA384
    certificate: bytes  # the server's certificate, DER; b"" when none was shown


@dataclass(frozen=True)
class Hop:
    """One request and the response to it, byte for byte as far as HTTP/1.1 goes."""

    url: str
    request_line: bytes  # GET /path?q HTTP/1.1
    request_headers: RawHeaders
    status_line: bytes  # HTTP/1.1 200 OK
    response_headers: RawHeaders
    body: bytes  # as received: content-encoding kept, chunking removed
    peer: str | None = None  # the IP address the socket was connected to
    tls: TlsSession | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def status(self) -> int:
        return int(self.status_line.split(b" ", 2)[1])

    @property
    def request_message(self) -> bytes:
        return _message(self.request_line, self.request_headers, b"")

    @property
    def response_head(self) -> bytes:
        """Status line and headers, up to and including the blank line."""
        return _message(self.status_line, self.response_headers, b"")

    @property
    def payload_sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def hop_of(response: httpx.Response, body: bytes, started_at: datetime) -> Hop:
    """The Hop of a streamed response, read while its connection is still open."""
    request = response.request
    version = response.http_version or "HTTP/1.1"
    reason = response.extensions.get("reason_phrase", b"")
    stream = response.extensions.get("network_stream")
    return Hop(
        url=str(request.url),
        request_line=b"%s %s %s" % (request.method.encode(), request.url.raw_path,
                                    version.encode()),
        request_headers=tuple(request.headers.raw),
        status_line=b"%s %d %s" % (version.encode(), response.status_code, reason),
        response_headers=tuple(response.headers.raw),
        body=body, peer=_peer(stream), tls=_tls(stream), started_at=started_at)


def _peer(stream: Any) -> str | None:
    if stream is None:
        return None
    address = stream.get_extra_info("server_addr")
    return str(address[0]) if address else None


def _tls(stream: Any) -> TlsSession | None:
    if stream is None:
        return None
    session = stream.get_extra_info("ssl_object")
    if not isinstance(session, ssl.SSLObject | ssl.SSLSocket):
        return None
    cipher = session.cipher()
    return TlsSession(version=session.version() or "", cipher=cipher[0] if cipher else "",
                      certificate=session.getpeercert(binary_form=True) or b"")


def _message(first_line: bytes, headers: RawHeaders, body: bytes) -> bytes:
    lines = [first_line, *(name + b": " + value for name, value in headers)]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
