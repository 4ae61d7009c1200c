"""What a capture says, read back from its WARC records, and its CDXJ index lines.

A packet states facts about each fetch (when, from which address, what status,
which bytes) and these must come from the capture itself, not from what the
snapshot history says about it: the capture is the evidence, the history only
points at it. The same reading gives the index a replay tool needs to find a
URL's record inside the archive (``indexes/index.cdx`` of a WACZ): one CDXJ
line per response record, ``<SURT> <14-digit timestamp> <JSON>``, with the
record's offset and length in the ``.warc.gz`` as stored, so a reader can seek
straight to it.

The SURT key follows the ``surt`` package's default form (the one pywb and
cdxj-indexer use) for the URLs a news site has: host reversed, lowercase,
``www.`` and default ports dropped, path dot-segments resolved, escapes
normalised, query arguments sorted. It does not strip session ids from paths
and queries, as ``surt`` does: a news URL rarely has one, and a key that
differs only costs a lookup by URL, never a wrong record (the JSON keeps the
URL exactly as fetched).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.timeutils import iso_date_to_timestamp

DEFAULT_PORTS = {"http": 80, "https": 443}
WWW = re.compile(r"^www\d*\.")
# What surt's escapeOnce leaves alone: printable ASCII but for the space, "#" and "%".
SAFE = b"!\"$&'()*+,-./:;<=>?@[\\]^_`{|}~"


class CaptureError(ValueError):
    """A capture file that cannot be read as the WARC records a fetch writes."""


@dataclass(frozen=True)
class Response:
    """One response record of a capture: a hop of the fetch, redirect or final."""

    url: str  # WARC-Target-URI
    date: str  # WARC-Date, as written (RFC 3339)
    timestamp: str  # the same to the second, 14 digits: the index's form
    status: int | None
    mime: str | None  # the HTTP Content-Type without its parameters
    ip_address: str | None  # WARC-IP-Address
    payload_digest: str  # sha256:<hex> of the body as received
    block_digest: str | None
    record_id: str
    offset: int  # of the record's gzip member in the .warc.gz
    length: int  # of that member, compressed
    payload: bytes  # the body as received: content-encoding kept


@dataclass(frozen=True)
class CaptureReading:
    """The response records of one capture, in order, and the final hop's TLS facts."""

    responses: tuple[Response, ...]
    tls: dict[str, Any] | None  # the metadata record concurrent to the final response

    @property
    def final(self) -> Response:
        return self.responses[-1]


def read_capture(data: bytes, name: str) -> CaptureReading:
    """The responses and TLS metadata of a capture, with each record's offset and length.

    Offsets come from warcio's ArchiveIterator over the bytes as stored, so they
    are the ones a replay tool will seek to.
    """
    responses: list[Response] = []
    metadata: dict[str, dict[str, Any]] = {}
    try:
        iterator = ArchiveIterator(io.BytesIO(data))
        for record in iterator:
            if record.rec_type == "response":
                payload = record.raw_stream.read()
                responses.append(_response(record, payload, iterator.get_record_offset(),
                                           iterator.get_record_length()))
            elif record.rec_type == "metadata":
                concurrent = record.rec_headers.get_header("WARC-Concurrent-To")
                found = _json_object(record.raw_stream.read())
                if concurrent and found is not None:
                    metadata[concurrent] = found
    except (ArchiveLoadFailed, ValueError, OSError, EOFError) as error:
        raise CaptureError(f"capture {name} is not a readable WARC file: {error}") from error
    if not responses:
        raise CaptureError(f"capture {name} holds no response record")
    if not all(response.url and response.date for response in responses):
        raise CaptureError(f"capture {name}: a response record has no WARC-Target-URI or "
                           "WARC-Date")
    return CaptureReading(tuple(responses), metadata.get(responses[-1].record_id))


def _response(record: Any, payload: bytes, offset: int, length: int) -> Response:
    headers = record.rec_headers
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    content_type = http.get_header("Content-Type") if http is not None else None
    date = headers.get_header("WARC-Date") or ""
    return Response(
        url=headers.get_header("WARC-Target-URI") or "",
        date=date, timestamp=iso_date_to_timestamp(date) if date else "",
        status=int(status) if status and status.isdigit() else None,
        mime=re.split(r"[;\s]", content_type.strip(), maxsplit=1)[0] if content_type else None,
        ip_address=headers.get_header("WARC-IP-Address"),
        payload_digest=(headers.get_header("WARC-Payload-Digest")
                        or "sha256:" + hashlib.sha256(payload).hexdigest()),
        block_digest=headers.get_header("WARC-Block-Digest"),
        record_id=headers.get_header("WARC-Record-ID") or "",
        offset=offset, length=length, payload=payload)


def _json_object(data: bytes) -> dict[str, Any] | None:
    """A metadata record's JSON object, or None when it holds something else."""
    try:
        found = json.loads(data)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def index_lines(reading: CaptureReading, filename: str) -> list[str]:
    """The CDXJ lines of a capture's response records (unsorted).

    Request and metadata records are left out: they carry the same URL and time
    as their response, and a replay tool that picked one of them for the URL
    would show no page. They stay in the archive, found from the response's
    record id.
    """
    return [_line(response, filename) for response in reading.responses]


def _line(response: Response, filename: str) -> str:
    fields: dict[str, str] = {"url": response.url}
    if response.mime:
        fields["mime"] = response.mime
    if response.status is not None:
        fields["status"] = str(response.status)
    fields.update(digest=response.payload_digest, length=str(response.length),
                  offset=str(response.offset), filename=filename)
    return f"{surt(response.url)} {response.timestamp} {json.dumps(fields)}"


def cdxj(lines: list[str]) -> bytes:
    """The index file: lines sorted as bytes, as replay tools binary-search them."""
    return b"".join(line.encode("utf-8") + b"\n" for line in sorted(
        lines, key=lambda line: line.encode("utf-8")))


def surt(url: str) -> str:
    """The Sort-friendly URI Reordering Transform of an http(s) URL, without its scheme."""
    parts = urlsplit(url)
    host = _host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:  # not a number: the key goes without it
        port = None
    key = ",".join(reversed(host.split(".")))
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        key += f":{port}"
    key += ")" + _path(parts.path)
    query = _query(parts.query)
    return key + ("?" + query if query else "")


def _host(host: str) -> str:
    host = _unescape(host.encode("utf-8")).decode("utf-8", "replace")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = _escape(host.encode("utf-8"))
    host = host.lower().replace("..", ".").strip(".")
    return WWW.sub("", host)


def _path(path: str) -> str:
    kept: list[bytes] = []
    segments = _unescape(path.encode("utf-8")).split(b"/")[1:]
    for segment in segments:
        if segment == b".":
            continue
        if segment == b".." and kept:
            kept.pop()
            continue
        kept.append(segment)
    trailing = [segment for segment in kept[:-1] if segment] + kept[-1:]
    normal = _escape(b"/" + b"/".join(trailing)).lower()
    return normal[:-1] if len(normal) > 1 and normal.endswith("/") else normal


def _query(query: str) -> str:
    if not query:
        return ""
    normal = _escape(_unescape(query.encode("utf-8"))).lower()
    pairs = sorted(tuple(arg.split("=", 1)) for arg in normal.split("&"))
    return "&".join("=".join(pair) for pair in pairs)


def _unescape(data: bytes) -> bytes:
    """Percent-escapes undone until none is left, as surt does (%2541 is A)."""
    while True:
        undone = unquote_to_bytes(data)
        if undone == data:
            return data
        data = undone


def _escape(data: bytes) -> str:
    return quote_from_bytes(data, safe=SAFE)
