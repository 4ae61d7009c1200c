"""Content-Encoding undone within the cap: gzip, deflate (both kinds), brotli, bombs."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from monitor.fetch.decode import BoundedDecoder
from monitor.fetch.result import FetchFailed

BODY = b"<p>The factories employ 80,000 people.</p>" * 500


def decoded(encoding: str, data: bytes, cap: int = 1_000_000, step: int = 1000) -> bytes:
    decoder = BoundedDecoder(encoding, cap)
    for at in range(0, len(data), step):
        decoder.feed(data[at:at + step])
    return decoder.finish()


@pytest.mark.parametrize(("encoding", "data"), [
    ("", BODY), ("identity", BODY), ("gzip", gzip.compress(BODY)),
    ("x-gzip", gzip.compress(BODY)), ("deflate", zlib.compress(BODY)),
    ("deflate", zlib.compress(BODY)[2:-4]),  # raw deflate, as some servers send it
    ("br", brotli.compress(BODY)), (" GZIP ", gzip.compress(BODY)),
])
def test_each_encoding_gives_the_body_back(encoding: str, data: bytes) -> None:
    assert decoded(encoding, data) == BODY


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_bomb_stops_at_the_cap_without_inflating_it_all(encoding: str) -> None:
    zeros = b"\0" * 50_000_000
    bomb = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](
        zeros)
    decoder = BoundedDecoder(encoding, 100_000)
    with pytest.raises(FetchFailed, match="over the max_bytes cap of 100,000") as caught:
        for at in range(0, len(bomb), 65536):
            decoder.feed(bomb[at:at + 65536])
        decoder.finish()
    assert caught.value.kind == "too-large"
    # zlib stops a byte past the cap; brotli's limit counts whole output blocks.
    slack = 256 * 1024 if encoding == "br" else 0
    assert decoder.size <= 100_001 + slack


def test_broken_and_unknown_encodings_are_named() -> None:
    with pytest.raises(FetchFailed, match="broken gzip body") as broken:
        decoded("gzip", b"not gzip at all")
    assert broken.value.kind == "decoding"
    with pytest.raises(FetchFailed, match="unsupported Content-Encoding 'zstd'"):
        BoundedDecoder("zstd", 100)
