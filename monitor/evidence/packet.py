"""An evidence packet: one change of one page as a WACZ file anyone can check and replay.

A reporter, an editor or a court should be able to take a single file away
and see, without monitor, what the page said before and after, the bytes the
server sent each time, and how to test that none of it was altered. WACZ 1.1.1
gives that a standard shape that ReplayWeb.page and pywb open as they are: the
captures under ``archive/``, their index, a page list and a manifest of
SHA-256 hashes. The ``monitor/`` folder adds the two texts, a marked-up diff,
the facts as JSON and a README in plain words.

``write_packet`` is a pure function of its request and the capture files it
reads (``created`` fixes the one clock reading), so the same request gives the
same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from monitor import __version__
from monitor.evidence.cdxj import CaptureError, CaptureReading, cdxj, index_lines, read_capture
from monitor.evidence.diff_page import diff_html
from monitor.store.files import atomic_write

WACZ_VERSION = "1.1.1"
SOFTWARE = f"monitor {__version__}"
CAPTURE_NAME = re.compile(r"^([0-9a-f]{64})\.warc\.gz$")
NOT_CAPTURED = "the earlier version was recorded before captures began"
DIGESTS = {
    "content_sha256": "SHA-256 of the page body as decoded (gzip, br and the like undone): "
                      "the Content-SHA256 trailer of the snapshot commit",
    "capture": "SHA-256 of the .warc.gz capture file exactly as stored: the Capture trailer "
               "of the snapshot commit, and the file's name under archive/",
    "payload_digest": "WARC-Payload-Digest: SHA-256 of the body as received, its "
                      "content-encoding kept and only the transfer chunking removed",
}


class PacketError(ValueError):
    """A packet that cannot be made from what was given; the message says why."""


@dataclass(frozen=True)
class PacketVersion:
    """One committed version of the page: its snapshot commit and, if kept, its capture."""

    revision: str  # the snapshot commit
    event: str  # baseline | changed | removed | restored | moved
    detected_at: str  # RFC 3339
    capture: Path | None  # <sha256>.warc.gz; None when recorded before captures began
    text: str  # the snapshot text of this version
    content_sha256: str | None = None  # the commit's Content-SHA256 trailer


@dataclass(frozen=True)
class PacketRequest:
    """What one packet is about: a page, its version before the change and after."""

    source_id: str
    url: str
    title: str
    before: PacketVersion | None  # None: a baseline, a one-capture packet
    after: PacketVersion
    facts: Mapping[str, Any] = field(default_factory=dict)  # alert id, checkpoint, signature
    created: str | None = None  # RFC 3339; None: now


@dataclass(frozen=True)
class _Capture:
    name: str  # <sha256>.warc.gz
    data: bytes
    digest: str  # sha256:<hex> of data
    reading: CaptureReading


def write_packet(request: PacketRequest, out: Path) -> Path:
    """Write the packet to ``out`` whole or not at all (temp file, fsync, rename)."""
    if request.after.capture is None:
        raise PacketError(f"{request.source_id} {request.after.revision[:7]}: that version "
                          "has no capture (it was recorded before captures began or with "
                          "captures off), so there is nothing to put in a packet")
    created = _created(request.created)
    captures = {version.capture: _load(version.capture)
                for version in (request.before, request.after)
                if version is not None and version.capture is not None}
    atomic_write(out, _packet_bytes(request, captures, created), mode=0o644)
    return out


def _packet_bytes(request: PacketRequest, captures: Mapping[Path, _Capture],
                 created: str) -> bytes:
    """The WACZ file: the packet's files in a zip, then the manifest and its digest."""
    files: list[tuple[str, bytes]] = []
    for capture in _unique(captures.values()):
        files.append((f"archive/{capture.name}", capture.data))
    files.append(("indexes/index.cdx", cdxj([line for capture in _unique(captures.values())
                                             for line in index_lines(capture.reading,
                                                                     capture.name)])))
    pages = _pages(request, captures)
    files.append(("pages/pages.jsonl", _jsonl(pages)))
    if request.before is not None:
        files.append(("monitor/before.txt", request.before.text.encode("utf-8")))
    files.append(("monitor/after.txt", request.after.text.encode("utf-8")))
    files.append(("monitor/diff.html", diff_html(request.title, request.url, request.before,
                                                request.after).encode("utf-8")))
    files.append(("monitor/facts.json", _json(_facts(request, captures, created))))
    files.append(("monitor/README.txt", _readme(request, captures).encode("utf-8")))
    datapackage = _json(_datapackage(request, files, pages[-1], created))
    digest = _json({"path": "datapackage.json", "hash": _sha256(datapackage)})
    files += [("datapackage.json", datapackage), ("datapackage-digest.json", digest)]
    return _zip(files, created)


def _created(given: str | None) -> str:
    """The packet's creation time as RFC 3339 UTC to the second (WACZ's own form)."""
    try:
        moment = datetime.fromisoformat(given) if given else datetime.now(UTC)
    except ValueError as error:
        raise PacketError(f"created: not an RFC 3339 time: {given!r}") from error
    if moment.tzinfo is None:
        raise PacketError(f"created: {given!r} has no time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _load(path: Path) -> _Capture:
    """A capture read whole, checked against its name: the name is what commits cite."""
    match = CAPTURE_NAME.match(path.name)
    if match is None:
        raise PacketError(f"capture {path}: the name is not <sha256>.warc.gz")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PacketError(f"capture {path}: {error.strerror or error}") from error
    digest = hashlib.sha256(data).hexdigest()
    if digest != match[1]:
        raise PacketError(f"capture {path}: its SHA-256 is {digest}, not the one it is named "
                          "by; the file was altered or damaged")
    try:
        reading = read_capture(data, path.name)
    except CaptureError as error:
        raise PacketError(str(error)) from error
    return _Capture(path.name, data, f"sha256:{digest}", reading)


def _unique(captures: Iterable[_Capture]) -> list[_Capture]:
    """Each capture once, in order (before and after may name the same file)."""
    return list({capture.name: capture for capture in captures}.values())


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _json(value: Any) -> bytes:
    try:
        return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    except (TypeError, ValueError) as error:
        raise PacketError(f"facts: not JSON: {error}") from error


def _jsonl(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n"
                    for line in lines)


def _label(request: PacketRequest, version: PacketVersion) -> str:
    return "after" if version is request.after else "before"


def _pages(request: PacketRequest, captures: Mapping[Path, _Capture]) -> list[dict[str, Any]]:
    """The page list: a header, then each captured version at the URL first fetched
    (a redirect then replays as it happened), the after version last."""
    pages: list[dict[str, Any]] = [{"format": "json-pages-1.0", "id": "pages",
                                    "title": f"{request.title} ({request.source_id})"}]
    for version in (request.before, request.after):
        if version is None or version.capture is None:
            continue
        first = captures[version.capture].reading.responses[0]
        label = _label(request, version)
        pages.append({"id": f"{label}-{version.revision}", "url": first.url, "ts": first.date,
                      "title": f"{label.capitalize()}: {request.title} "
                               f"({version.event}, {version.detected_at})"})
    return pages


def _datapackage(request: PacketRequest, files: list[tuple[str, bytes]],
                 main_page: dict[str, Any], created: str) -> dict[str, Any]:
    """The WACZ manifest: every file with its SHA-256 and size."""
    before = request.before
    return {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": f"Evidence: {request.title}",
        "description": (f"Monitor evidence packet for {request.url} ({request.source_id}): "
                        f"the {request.after.event} version {request.after.revision[:7]}"
                        + (f" and the version before it, {before.revision[:7]}" if before
                           else "") + ". See monitor/README.txt."),
        "created": created,
        "software": SOFTWARE,
        "mainPageURL": main_page["url"],
        "mainPageDate": main_page["ts"],
        "resources": [{"name": Path(path).name.lower(), "path": path, "hash": _sha256(data),
                       "bytes": len(data)} for path, data in files],
    }


def _zip(files: list[tuple[str, bytes]], created: str) -> bytes:
    """The zip, entries dated ``created``; captures stored as they are (already gzip),
    so a replay tool reads a record by its offset without inflating the archive."""
    stamp = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").timetuple()[:6]
    buffer = BytesIO()
    with ZipFile(buffer, "w") as archive:
        for path, data in files:
            info = ZipInfo(path, date_time=stamp)
            info.compress_type = ZIP_STORED if path.startswith("archive/") else ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _facts(request: PacketRequest, captures: Mapping[Path, _Capture],
           created: str) -> dict[str, Any]:
    """The facts given (alert, checkpoint, signature) and those the packet knows."""
    known: dict[str, Any] = {
        "packet": {"created": created, "software": SOFTWARE, "wacz_version": WACZ_VERSION},
        "source_id": request.source_id,
        "url": request.url,
        "title": request.title,
        "digests": DIGESTS,
        "captures": [capture.digest for capture in _unique(captures.values())],
        "before": _version_facts(request, request.before, captures),
        "after": _version_facts(request, request.after, captures),
    }
    clash = sorted(key for key in request.facts if key in known)
    if clash:
        raise PacketError(f"facts: {', '.join(clash)} would overwrite what the packet states")
    return {**known, **request.facts}


def _version_facts(request: PacketRequest, version: PacketVersion | None,
                   captures: Mapping[Path, _Capture]) -> dict[str, Any] | None:
    """One version's commit facts and, from its capture, what the server answered."""
    if version is None:
        return None
    facts: dict[str, Any] = {
        "revision": version.revision, "event": version.event,
        "detected_at": version.detected_at, "content_sha256": version.content_sha256,
        "text": f"monitor/{_label(request, version)}.txt",
    }
    if version.capture is None:
        return {**facts, "capture": None, "not_captured": NOT_CAPTURED}
    capture = captures[version.capture]
    final = capture.reading.final
    return {**facts, "capture": capture.digest, "capture_file": f"archive/{capture.name}",
            "fetched_at": final.date, "status": final.status, "final_url": final.url,
            "ip_address": final.ip_address, "payload_digest": final.payload_digest,
            "response_record": final.record_id,
            "redirects": [{"url": hop.url, "status": hop.status, "fetched_at": hop.date,
                           "ip_address": hop.ip_address}
                          for hop in capture.reading.responses[:-1]],
            "tls": capture.reading.tls}


def _readme(request: PacketRequest, captures: Mapping[Path, _Capture]) -> str:
    """The packet explained for an editor or a court: what it holds, how to check it."""
    before, after = request.before, request.after
    held = [f"  archive/{capture.name}  the capture of one fetch, as a WARC file"
            for capture in _unique(captures.values())]
    if before is not None and before.capture is None:
        held.append(f"  (no capture of the earlier version: {NOT_CAPTURED})")
    texts = ["  monitor/before.txt    the text of the version before the change"] \
        if before is not None else []
    return "\n".join([
        f"Evidence packet: {request.title}",
        f"Page: {request.url}",
        f"Source: {request.source_id}",
        f"Change: {after.event}, detected {after.detected_at} (revision {after.revision})"
        if before is not None else
        f"First version: {after.event}, detected {after.detected_at} "
        f"(revision {after.revision})",
        "",
        "WHAT THIS FILE HOLDS",
        "",
        "This .wacz file is a zip archive in the WACZ 1.1.1 web archive format. It holds",
        "the page exactly as the server sent it each time monitor fetched it: the request,",
        "the response with its headers and body byte for byte (compressed if the server",
        "compressed it), the server's IP address and, for https, the TLS version, cipher",
        "and certificate. Only the page itself was fetched, not its images, styles or",
        "scripts, so a replay may look plainer than the live page did.",
        "",
        *held,
        "  indexes/index.cdx    where each response is inside the captures",
        "  pages/pages.jsonl    the pages a replay tool lists",
        *texts,
        "  monitor/after.txt     the text of the version after it",
        "  monitor/diff.html     the change, removed words struck, added words underlined",
        "  monitor/facts.json    the facts: URL, fetch times, statuses, IP addresses,",
        "                        digests, revisions, and any alert, checkpoint, signature",
        "  datapackage.json      the list of every file above with its SHA-256 and size",
        "  datapackage-digest.json  the SHA-256 of datapackage.json",
        "",
        "HOW TO CHECK IT",
        "",
        "1. Unzip the file. Run sha256sum on each file and compare the result with the",
        '   "hash" given for it in datapackage.json (after "sha256:"); compare the hash',
        "   of datapackage.json with datapackage-digest.json. This shows the files are",
        "   the ones the packet was made with; anyone can make a consistent packet, so",
        "   the next two steps tie it to records made at the time.",
        "2. Each capture's file name is its own SHA-256: sha256sum archive/*.warc.gz",
        "   prints the name. The snapshot commit of each version names that digest in",
        "   its Capture trailer, and the signed, hash-chained evidence log names it",
        "   again. The commits (revisions) and checkpoints are listed in facts.json;",
        "   `monitor verify --source " + request.source_id + "` run against the",
        "   project's snapshot history and evidence folder checks the digests, the",
        "   signatures and that the history was not rewritten.",
        "3. Two different hashes describe a page body. content_sha256 (from the commit)",
        "   is the SHA-256 of the body after decoding (gzip and the like undone);",
        "   capture is the SHA-256 of the .warc.gz file as stored; payload_digest is the",
        "   SHA-256 of the body as received, still compressed if it was sent compressed.",
        "",
        "HOW TO REPLAY IT",
        "",
        "Open https://replayweb.page in a browser and choose this .wacz file: it is read",
        "in the browser and not uploaded, and works offline once the page is loaded.",
        "pywb (https://pywb.readthedocs.io) replays it too: wb-manager add COLLECTION",
        "this-file.wacz. The diff and texts in monitor/ open in any browser or editor.",
        "",
    ])
