"""Evidence packets: a WACZ that py-wacz accepts, whose manifest, index and texts hold.

Captures are made here with warcio in the shape the fetcher writes them (one
gzip member per record: warcinfo, then request, response and, for https, a
metadata record per hop), so the packet is tested against the format, not
against another module's writer.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from monitor.evidence.packet import (
    NOT_CAPTURED,
    PacketError,
    PacketRequest,
    PacketVersion,
    write_packet,
)

URL = "https://www.example.com/news/2024/story?b=2&a=1"
MOVED = "https://www.example.com/news/story-moved"
BEFORE_HTML = "<html><head><title>Story</title></head><body><p>The minister said 8,000 " \
              "people came.</p></body></html>"


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Hop:
    url: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    at: datetime
    ip: str = "192.0.2.7"
    tls: dict[str, Any] | None = field(default_factory=lambda: {
        "tls_version": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384",
        "certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"})


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_capture(folder: Path, hops: list[Hop]) -> Path:
    """A capture file named by its own SHA-256, as the fetcher stores it."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record("capture.warc.gz",
                                                      {"software": "tests"}))
    for hop in hops:
        date = _rfc3339(hop.at)
        path = hop.url.split("/", 3)[3] if hop.url.count("/") >= 3 else ""
        request = (f"GET /{path} HTTP/1.1\r\nHost: www.example.com\r\n"
                   "Accept-Encoding: gzip\r\n\r\n").encode()
        writer.write_record(writer.create_warc_record(
            hop.url, "request", payload=io.BytesIO(request), length=len(request),
            warc_headers_dict={"WARC-Date": date, "WARC-Block-Digest": _sha256(request)}))
        head = f"HTTP/1.1 {hop.status} {hop.reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in hop.headers) + "\r\n"
        message = head.encode("latin-1") + hop.body
        response = writer.create_warc_record(
            hop.url, "response", payload=io.BytesIO(message), length=len(message),
            warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": hop.ip,
                               "WARC-Payload-Digest": _sha256(hop.body),
                               "WARC-Block-Digest": _sha256(message)})
        writer.write_record(response)
        if hop.tls is not None:
            metadata = json.dumps(hop.tls).encode()
            writer.write_record(writer.create_warc_record(
                hop.url, "metadata", payload=io.BytesIO(metadata), length=len(metadata),
                warc_content_type="application/json",
                warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To":
                                   response.rec_headers.get_header("WARC-Record-ID")}))
    data = buffer.getvalue()
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{hashlib.sha256(data).hexdigest()}.warc.gz"
    out.write_bytes(data)
    return out


def gzip_200(url: str, html: str, at: datetime) -> Hop:
    body = gzip.compress(html.encode("utf-8"), mtime=0)
    return Hop(url, 200, "OK", (("Content-Type", "text/html; charset=utf-8"),
                                ("Content-Encoding", "gzip"),
                                ("Content-Length", str(len(body)))), body, at)


def redirect(url: str, to: str, at: datetime) -> Hop:
    return Hop(url, 301, "Moved Permanently", (("Location", to), ("Content-Length", "0")),
               b"", at, ip="192.0.2.8")


def not_found(url: str, at: datetime) -> Hop:
    body = b"<html><body><h1>Not found</h1></body></html>"
    return Hop(url, 404, "Not Found", (("Content-Type", "text/html"),
                                       ("Content-Length", str(len(body)))), body, at)


@dataclass
class Case:
    request: PacketRequest
    before_capture: Path
    after_capture: Path
    served: bytes  # the gzip body of the before page, as the server sent it


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """A change: a gzip 200, then a redirect to a 404 (the story taken down)."""
    now = datetime.now(UTC).replace(microsecond=0)
    first, second = now - timedelta(days=2), now - timedelta(hours=3)
    served = gzip_200(URL, BEFORE_HTML, first)
    before_capture = write_capture(tmp_path / "captures", [served])
    after_capture = write_capture(tmp_path / "captures",
                                  [redirect(URL, MOVED, second), not_found(MOVED, second)])
    request = PacketRequest(
        source_id="example-story", url=URL, title="Minister's <b>claim</b> & crowd",
        before=PacketVersion("a" * 40, "baseline", _rfc3339(first), before_capture,
                             "# Story\n\nThe minister said 8,000 people came.\n",
                             content_sha256="c" * 64),
        after=PacketVersion("b" * 40, "removed", _rfc3339(second), after_capture,
                            "# Story\n\nThe minister said 9,000 people came.\n",
                            content_sha256="d" * 64),
        facts={"alert_id": "01HZX", "checkpoint": {"number": 7, "signature": "ed25519:..."}})
    return Case(request, before_capture, after_capture, served.body)


def members(packet: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(packet) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def wacz_executable() -> str:
    found = Path(sys.executable).parent / "wacz"
    if found.exists():
        return str(found)
    which = shutil.which("wacz")
    if which is None:
        pytest.skip("py-wacz's wacz executable is not installed")
    return which


def assert_valid(packet: Path) -> None:
    result = subprocess.run([wacz_executable(), "validate", "-f", str(packet)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


def test_packet_validates_with_py_wacz(case: Case, tmp_path: Path) -> None:
    packet = write_packet(case.request, tmp_path / "packet.wacz")
    assert packet == tmp_path / "packet.wacz"
    assert_valid(packet)


def test_manifest_lists_every_file_with_its_hash(case: Case, tmp_path: Path) -> None:
    files = members(write_packet(case.request, tmp_path / "packet.wacz"))
    datapackage = json.loads(files["datapackage.json"])
    assert datapackage["profile"] == "data-package"
    assert datapackage["wacz_version"] == "1.1.1"
    listed = {resource["path"]: resource for resource in datapackage["resources"]}
    assert set(listed) == set(files) - {"datapackage.json", "datapackage-digest.json"}
    for path, resource in listed.items():
        assert resource["hash"] == _sha256(files[path])
        assert resource["bytes"] == len(files[path])
    assert {"monitor/before.txt", "monitor/after.txt", "monitor/diff.html",
            "monitor/facts.json", "monitor/README.txt", "indexes/index.cdx",
            "pages/pages.jsonl"} <= set(listed)
    digest = json.loads(files["datapackage-digest.json"])
    assert digest == {"path": "datapackage.json", "hash": _sha256(files["datapackage.json"])}
    assert datapackage["mainPageURL"] == URL
    datetime.fromisoformat(datapackage["created"])
    datetime.fromisoformat(datapackage["mainPageDate"])


def test_captures_are_stored_as_they_are(case: Case, tmp_path: Path) -> None:
    packet = write_packet(case.request, tmp_path / "packet.wacz")
    with zipfile.ZipFile(packet) as archive:
        for capture in (case.before_capture, case.after_capture):
            info = archive.getinfo(f"archive/{capture.name}")
            assert info.compress_type == zipfile.ZIP_STORED
            assert archive.read(info) == capture.read_bytes()


def index_entries(files: dict[str, bytes]) -> list[tuple[str, str, dict[str, str]]]:
    lines = files["indexes/index.cdx"].decode("utf-8").splitlines()
    assert lines == sorted(lines, key=lambda line: line.encode("utf-8"))
    entries = []
    for line in lines:
        key, timestamp, fields = line.split(" ", 2)
        entries.append((key, timestamp, json.loads(fields)))
    return entries


def test_index_offsets_point_at_the_response_records(case: Case, tmp_path: Path) -> None:
    files = members(write_packet(case.request, tmp_path / "packet.wacz"))
    entries = index_entries(files)
    assert len(entries) == 3  # the 200; the 301 and the 404 it led to
    for _key, timestamp, fields in entries:
        data = files[f"archive/{fields['filename']}"]
        offset, length = int(fields["offset"]), int(fields["length"])
        records = list(ArchiveIterator(io.BytesIO(data[offset:offset + length])))
        assert len(records) == 1
        record = records[0]
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == fields["url"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == fields["digest"]
        assert record.http_headers.get_statuscode() == fields["status"]
        date = record.rec_headers.get_header("WARC-Date")
        assert timestamp == date[:19].replace("-", "").replace(":", "").replace("T", "")
        assert len(timestamp) == 14
    by_status = {fields["status"]: fields for _k, _t, fields in entries}
    assert by_status["200"]["mime"] == "text/html"
    assert by_status["404"]["url"] == MOVED
    assert entries[0][0].startswith("com,example)/news")


def test_payload_read_back_equals_the_gzip_bytes_served(case: Case, tmp_path: Path) -> None:
    files = members(write_packet(case.request, tmp_path / "packet.wacz"))
    data = files[f"archive/{case.before_capture.name}"]
    # a record's stream is read before the iterator moves to the next record
    bodies = [record.raw_stream.read() for record in ArchiveIterator(io.BytesIO(data))
              if record.rec_type == "response"]
    assert len(bodies) == 1
    body = bodies[0]
    assert body == case.served
    assert gzip.decompress(body).decode("utf-8") == BEFORE_HTML


def test_facts_state_what_the_captures_say(case: Case, tmp_path: Path) -> None:
    files = members(write_packet(case.request, tmp_path / "packet.wacz"))
    facts = json.loads(files["monitor/facts.json"])
    assert facts["url"] == URL
    assert facts["source_id"] == "example-story"
    assert facts["alert_id"] == "01HZX"
    assert facts["checkpoint"]["number"] == 7
    assert facts["captures"] == [_sha256(case.before_capture.read_bytes()),
                                 _sha256(case.after_capture.read_bytes())]
    assert "decoded" in facts["digests"]["content_sha256"]
    assert "as stored" in facts["digests"]["capture"]
    before, after = facts["before"], facts["after"]
    assert (before["revision"], after["revision"]) == ("a" * 40, "b" * 40)
    assert before["content_sha256"] == "c" * 64
    assert before["capture"] == "sha256:" + case.before_capture.name.split(".")[0]
    assert before["status"] == 200
    assert before["payload_digest"] == _sha256(case.served)
    assert before["ip_address"] == "192.0.2.7"
    assert before["redirects"] == []
    assert before["tls"]["tls_version"] == "TLSv1.3"
    assert after["status"] == 404
    assert after["final_url"] == MOVED
    assert after["redirects"][0]["status"] == 301
    assert after["redirects"][0]["ip_address"] == "192.0.2.8"
    datetime.fromisoformat(after["fetched_at"])


def test_facts_may_not_overwrite_what_the_packet_states(case: Case, tmp_path: Path) -> None:
    request = replace(case.request, facts={"url": "https://elsewhere.example/"})
    with pytest.raises(PacketError, match="url"):
        write_packet(request, tmp_path / "packet.wacz")
    assert not list(tmp_path.glob("*.wacz"))


def test_diff_marks_whole_changed_words(case: Case, tmp_path: Path) -> None:
    files = members(write_packet(case.request, tmp_path / "packet.wacz"))
    html = files["monitor/diff.html"].decode("utf-8")
    assert '<del dir="auto">8,000</del><ins dir="auto">9,000</ins>' in html
    assert '<h1 dir="auto">Minister&#x27;s &lt;b&gt;claim&lt;/b&gt; &amp; crowd</h1>' in html
    assert "<b>claim" not in html
    assert 'name="viewport"' in html
    assert "<del>8</del>" not in html


def test_an_edit_of_several_words_is_one_run(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    capture = write_capture(tmp_path, [gzip_200(URL, BEFORE_HTML, now)])
    request = PacketRequest(
        "s", URL, "t",
        before=PacketVersion("a" * 40, "baseline", _rfc3339(now), capture,
                             "Kept words here. The old two words end.\nA gone paragraph."),
        after=PacketVersion("b" * 40, "changed", _rfc3339(now), capture,
                            "Kept words here. The new three words end.\nA fresh line."))
    html = members(write_packet(request, tmp_path / "p.wacz"))["monitor/diff.html"].decode()
    assert '<del dir="auto">old two</del><ins dir="auto">new three</ins>' in html
    assert "Kept words here." in html


def test_arabic_text_survives(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    before_text = "# قصة\n\nقال الوزير إن ٨٠٬٠٠٠ شخص حضروا.\n"
    after_text = "# قصة\n\nقال الوزير إن ٩٠٬٠٠٠ شخص حضروا.\n"
    html = f"<html><body><p>{before_text}</p></body></html>"
    first = write_capture(tmp_path, [gzip_200(URL, html, now - timedelta(hours=1))])
    second = write_capture(tmp_path, [gzip_200(URL, html.replace("٨", "٩"), now)])
    request = PacketRequest(
        "arabic", URL, "قصة الوزير",
        before=PacketVersion("a" * 40, "baseline", _rfc3339(now), first, before_text),
        after=PacketVersion("b" * 40, "changed", _rfc3339(now), second, after_text))
    packet = write_packet(request, tmp_path / "arabic.wacz")
    files = members(packet)
    assert files["monitor/before.txt"].decode("utf-8") == before_text
    assert files["monitor/after.txt"].decode("utf-8") == after_text
    diff = files["monitor/diff.html"].decode("utf-8")
    assert '<del dir="auto">٨٠٬٠٠٠</del><ins dir="auto">٩٠٬٠٠٠</ins>' in diff
    assert '<p dir="auto">قال الوزير' in diff
    assert json.loads(files["monitor/facts.json"])["title"] == "قصة الوزير"
    pages = [json.loads(line) for line in files["pages/pages.jsonl"].splitlines()]
    assert "قصة الوزير" in pages[0]["title"]
    assert_valid(packet)


def test_pages_list_each_captured_version(case: Case, tmp_path: Path) -> None:
    files = members(write_packet(case.request, tmp_path / "packet.wacz"))
    header, *pages = [json.loads(line) for line in files["pages/pages.jsonl"].splitlines()]
    assert header["format"] == "json-pages-1.0"
    assert header["id"] == "pages"
    assert header["title"]
    assert [page["url"] for page in pages] == [URL, URL]  # the redirect replays from URL
    assert all(page["title"] and datetime.fromisoformat(page["ts"]) for page in pages)
    assert pages[0]["ts"] < pages[1]["ts"]


def test_a_baseline_is_a_one_capture_packet(case: Case, tmp_path: Path) -> None:
    request = replace(case.request, before=None)
    packet = write_packet(request, tmp_path / "baseline.wacz")
    files = members(packet)
    assert "monitor/before.txt" not in files
    assert [name for name in files if name.startswith("archive/")] == [
        f"archive/{case.after_capture.name}"]
    assert json.loads(files["monitor/facts.json"])["before"] is None
    assert "<del" not in files["monitor/diff.html"].decode()
    assert_valid(packet)


def test_an_earlier_version_from_before_captures_began(case: Case, tmp_path: Path) -> None:
    assert case.request.before is not None
    request = replace(case.request, before=replace(case.request.before, capture=None))
    packet = write_packet(request, tmp_path / "packet.wacz")
    files = members(packet)
    assert NOT_CAPTURED in files["monitor/README.txt"].decode()
    before = json.loads(files["monitor/facts.json"])["before"]
    assert before["capture"] is None
    assert before["not_captured"] == NOT_CAPTURED
    assert files["monitor/before.txt"]
    assert "<del" in files["monitor/diff.html"].decode()
    assert_valid(packet)


def test_a_version_without_capture_is_refused(case: Case, tmp_path: Path) -> None:
    request = replace(case.request, after=replace(case.request.after, capture=None))
    with pytest.raises(PacketError, match="no capture"):
        write_packet(request, tmp_path / "packet.wacz")
    assert not list(tmp_path.glob("*.wacz"))


def test_a_capture_that_does_not_match_its_name_is_refused(case: Case,
                                                          tmp_path: Path) -> None:
    data = bytearray(case.after_capture.read_bytes())
    data[-30] ^= 0xFF
    case.after_capture.write_bytes(bytes(data))
    with pytest.raises(PacketError, match="altered or damaged"):
        write_packet(case.request, tmp_path / "packet.wacz")


def test_a_capture_without_a_response_is_refused(case: Case, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record("x.warc.gz", {"software": "tests"}))
    empty = tmp_path / f"{hashlib.sha256(buffer.getvalue()).hexdigest()}.warc.gz"
    empty.write_bytes(buffer.getvalue())
    request = replace(case.request, after=replace(case.request.after, capture=empty))
    with pytest.raises(PacketError, match="no response record"):
        write_packet(request, tmp_path / "packet.wacz")


def test_the_readme_says_how_to_check_and_replay(case: Case, tmp_path: Path) -> None:
    readme = members(write_packet(case.request, tmp_path / "p.wacz"))["monitor/README.txt"]
    text = readme.decode("utf-8")
    assert "sha256sum" in text
    assert "datapackage.json" in text
    assert "monitor verify" in text
    assert "https://replayweb.page" in text
    assert "pywb" in text
    assert case.after_capture.name in text


def test_the_same_request_gives_the_same_bytes(case: Case, tmp_path: Path) -> None:
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    request = replace(case.request, created=created)
    one = write_packet(request, tmp_path / "one.wacz").read_bytes()
    two = write_packet(request, tmp_path / "two.wacz").read_bytes()
    assert one == two
    assert json.loads(members(tmp_path / "one.wacz")["datapackage.json"])["created"] == created


def test_writing_replaces_the_file_and_leaves_no_temporary(case: Case,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "out" / "packet.wacz"
    out.parent.mkdir()
    out.write_bytes(b"old")
    write_packet(case.request, out)
    assert zipfile.is_zipfile(out)
    assert [path.name for path in out.parent.iterdir()] == ["packet.wacz"]
