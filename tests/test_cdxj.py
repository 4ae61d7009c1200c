"""The packet's CDXJ index agrees with the reference tools replay relies on.

``surt`` and ``cdxj-indexer`` come with py-wacz (test only); monitor makes
its index itself, and these tests hold it to theirs.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.evidence.cdxj import CaptureError, cdxj, index_lines, read_capture, surt
from tests.test_packet import gzip_200, not_found, redirect, write_capture

URLS = [
    "https://www.example.com/news/2024/story",
    "https://www.example.com/news/2024/story/",
    "https://example.com/",
    "https://example.com",
    "http://www3.Example.COM:80/A/B/../C/./d?z=1&a=2&M=x#section",
    "https://example.com:8443/path?b&a=",
    "https://news.example.co.uk/world/middle-east-12345678",
    "https://example.com/%D8%A7%D9%84%D8%B9%D8%B1%D8%A8%D9%8A%D8%A9/story",
    "https://example.com/العربية/قصة?ق=١",
    "https://example.com/a%2541b//c",
    "https://user:secret@example.com/x",
    "http://127.0.0.1:8080/article/1",
]


@pytest.mark.parametrize("url", URLS)
def test_surt_keys_match_the_surt_package(url: str) -> None:
    reference = pytest.importorskip("surt")
    assert surt(url) == reference.surt(url)


def test_a_surt_key_reverses_the_host() -> None:
    assert surt("https://www.example.com/News/Story?b=2&a=1") == "com,example)/news/story?a=1&b=2"


def _capture(tmp_path: Path) -> Path:
    now = datetime.now(UTC)
    return write_capture(tmp_path, [
        redirect("https://www.example.com/old", "https://www.example.com/new",
                 now - timedelta(seconds=2)),
        gzip_200("https://www.example.com/new", "<p>x</p>", now - timedelta(seconds=1)),
        not_found("https://www.example.com/new?page=2", now)])


def test_index_lines_match_cdxj_indexer(tmp_path: Path) -> None:
    indexer = pytest.importorskip("cdxj_indexer.main")
    capture = _capture(tmp_path)
    out = io.StringIO()
    indexer.write_cdx_index(out, [str(capture)], {"records": "response", "sort": True})
    reference = [line for line in out.getvalue().splitlines() if line and line[0] != "!"]
    ours = cdxj(index_lines(read_capture(capture.read_bytes(), capture.name), capture.name))
    assert ours.decode("utf-8").splitlines() == reference


def test_the_index_is_sorted_as_bytes(tmp_path: Path) -> None:
    capture = _capture(tmp_path)
    lines = cdxj(index_lines(read_capture(capture.read_bytes(), capture.name), capture.name))
    assert lines.endswith(b"\n")
    split = lines.splitlines()
    assert split == sorted(split)
    assert len(split) == 3


def test_tls_facts_come_from_the_final_response(tmp_path: Path) -> None:
    capture = _capture(tmp_path)
    reading = read_capture(capture.read_bytes(), capture.name)
    assert [response.status for response in reading.responses] == [301, 200, 404]
    assert reading.final.status == 404
    assert reading.tls is not None
    assert reading.tls["cipher"] == "TLS_AES_256_GCM_SHA384"


def test_something_that_is_not_a_warc_is_a_capture_error() -> None:
    with pytest.raises(CaptureError, match="not a readable WARC"):
        read_capture(b"\x1f\x8bnot really gzip", "x.warc.gz")
