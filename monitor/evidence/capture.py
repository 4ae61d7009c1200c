"""A capture: the raw HTTP exchange of one committed fetch, as one WARC file.

ISO 28500 (WARC 1.1), each record its own gzip member: a ``warcinfo``, then
for every hop a ``request`` and a ``response`` holding the message exactly as
received (status line, headers, body in its content-encoding), and for HTTPS
a ``metadata`` record with the TLS version, cipher and server certificate.
warcio writes the records; the HTTP block is handed over whole, so warcio
never re-spells a header, and both digests are computed here over exactly the
bytes stored (warcio's own payload digest would cover chunk framing, #74).

The file is named by the SHA-256 of its bytes and never rewritten: a commit's
``Capture: sha256:<hex>`` trailer names exactly one file, and a changed byte
shows as a file whose name no longer matches its contents.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from monitor import __version__
from monitor.fetch.exchange import Hop, RawHeaders
from monitor.store.files import fsync_directory

WARC_VERSION = "WARC/1.1"
CREDENTIALS = {b"authorization", b"proxy-authorization"}


@dataclass(frozen=True)
class Capture:
    """A capture ready to be stored: its bytes and the name they give it."""

    data: bytes
    sha256: str

    @property
    def trailer(self) -> str:
        return f"sha256:{self.sha256}"

    def path_in(self, captures: Path) -> Path:
        return capture_path(captures, self.sha256)


def capture_path(captures: Path, sha256: str) -> Path:
    """``captures/<first 2 hex>/<sha256>.warc.gz``: content-addressed, so never two names."""
    return captures / sha256[:2] / f"{sha256}.warc.gz"


def build_capture(exchange: Iterable[Hop], *, shown: Callable[[str], str] = str) -> Capture:
    """The WARC file of an exchange. ``shown`` hides a secret a source's URL carries:
    the URL is written as ``${NAME}``, in the request and the record headers alike."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version=WARC_VERSION)
    info = writer.create_warcinfo_record("", {
        "software": f"monitor/{__version__} (warcio)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iso.org/standard/68004.html",
        "description": "The HTTP exchange of one fetch: redirects first, the page last",
    })
    writer.write_record(info)
    for hop in exchange:
        url = shown(hop.url)
        date = _warc_date(hop)
        response_id = writer._make_warc_id()
        request_line = shown(hop.request_line.decode("latin-1")).encode("latin-1")
        request = Hop(url=url, request_line=request_line,
                      request_headers=_withheld(hop.request_headers, shown),
                      status_line=hop.status_line, response_headers=(),
                      body=b"").request_message
        writer.write_record(_record("request", url, date, request, "application/http; "
                                    "msgtype=request", concurrent_to=response_id, payload=b""))
        writer.write_record(_record("response", url, date, hop.response_head + hop.body,
                                    "application/http; msgtype=response", record_id=response_id,
                                    peer=hop.peer, payload=hop.body))
        if hop.tls is not None:
            tls = {"url": url, "peer": hop.peer, "tls_version": hop.tls.version,
                   "cipher": hop.tls.cipher,
                   "certificate_sha256": hashlib.sha256(hop.tls.certificate).hexdigest(),
                   "certificate_pem": _pem(hop.tls.certificate)}
            writer.write_record(_record("metadata", url, date,
                                        json.dumps(tls, indent=1).encode(), "application/json",
                                        concurrent_to=response_id))
    data = out.getvalue()
    return Capture(data=data, sha256=hashlib.sha256(data).hexdigest())


def store_captures(captures: Path, batch: Iterable[Capture]) -> list[Path]:
    """Write each capture not yet stored, fsynced with its folder, before any commit names it.

    Write-once: a file is created under a temporary name and linked into place,
    which fails rather than replaces, so a stored capture is never rewritten.
    """
    written, folders = [], set()
    for capture in batch:
        path = capture.path_in(captures)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(capture.data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # the same bytes, stored by another writer a moment ago
        finally:
            os.unlink(temporary)
        written.append(path)
        folders.add(path.parent)
    for folder in folders:
        fsync_directory(folder)
    if folders:
        fsync_directory(captures)
    return written


def _record(kind: str, url: str, date: str, block: bytes, content_type: str, *,
            record_id: str | None = None, concurrent_to: str | None = None,
            peer: str | None = None, payload: bytes | None = None) -> ArcWarcRecord:
    headers = [("WARC-Type", kind),
               ("WARC-Record-ID", record_id or WARCWriter._make_warc_id()),
               ("WARC-Date", date), ("WARC-Target-URI", url)]
    if concurrent_to:
        headers.append(("WARC-Concurrent-To", concurrent_to))
    if peer:
        headers.append(("WARC-IP-Address", peer))
    headers.append(("WARC-Block-Digest", f"sha256:{hashlib.sha256(block).hexdigest()}"))
    if payload is not None:
        headers.append(("WARC-Payload-Digest", f"sha256:{hashlib.sha256(payload).hexdigest()}"))
    headers += [("Content-Type", content_type), ("Content-Length", str(len(block)))]
    warc_headers = StatusAndHeaders("", headers, protocol=WARC_VERSION)
    record = ArcWarcRecord("warc", kind, warc_headers, io.BytesIO(block), None, content_type,
                           len(block))
    record.payload_length = len(block)
    return record


def _withheld(headers: RawHeaders, shown: Callable[[str], str]) -> RawHeaders:
    """Request headers as kept: credentials withheld (a URL's user:password travels as
    Basic authorization, which no ${NAME} replacement would find), secrets as ${NAME}."""
    kept = []
    for name, value in headers:
        if name.lower() in CREDENTIALS:
            value = b"(withheld by monitor)"
        else:
            value = shown(value.decode("latin-1")).encode("latin-1")
        kept.append((name, value))
    return tuple(kept)


def _warc_date(hop: Hop) -> str:
    """WARC 1.1 allows fractions of a second: two hops of one fetch keep their order."""
    return hop.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _pem(der: bytes) -> str:
    if not der:
        return ""
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
