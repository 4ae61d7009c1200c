"""Content-Encoding undone within the size cap, so a gzip bomb stops at ``max_bytes``."""

from __future__ import annotations

import zlib

import brotli

from monitor.fetch.result import FetchFailed


class BoundedDecoder:
    """Undo Content-Encoding without ever holding more than ``cap`` decoded bytes.

    httpx inflates a whole network read at once (64 KB of a gzip bomb is ~66 MB),
    so the body is read raw and decoded here with an output limit per step.
    """

    def __init__(self, encoding: str, cap: int):
        self.cap = cap
        self.size = 0
        self.chunks: list[bytes] = []
        self.encoding = encoding.strip().lower()
        if self.encoding in ("", "identity"):
            self._step = self._identity
        elif self.encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)
            self._step = self._inflate
        elif self.encoding == "deflate":
            self._zlib = zlib.decompressobj()
            self._raw_deflate_tried = False
            self._step = self._inflate
        elif self.encoding == "br":
            self._brotli = brotli.Decompressor()
            self._step = self._unbrotli
        else:
            raise FetchFailed("decoding", f"unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes) -> None:
        self._step(data)

    def finish(self) -> bytes:
        if self.encoding in ("gzip", "x-gzip", "deflate"):
            self._keep(self._zlib.flush())
        return b"".join(self.chunks)

    def _keep(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size > self.cap:
            raise FetchFailed("too-large", f"body is over the max_bytes cap of {self.cap:,} "
                                           "bytes (after decompression)")
        if piece:
            self.chunks.append(piece)

    def _budget(self) -> int:
        return self.cap - self.size + 1  # one byte more than allowed proves "too large"

    def _identity(self, data: bytes) -> None:
        self._keep(data)

    def _inflate(self, data: bytes) -> None:
        try:
            while data:
                self._keep(self._zlib.decompress(data, self._budget()))
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            if self.encoding == "deflate" and not self._raw_deflate_tried and not self.chunks:
                # Some servers send raw deflate without the zlib header.
                self._raw_deflate_tried = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._inflate(data)
                return
            raise FetchFailed("decoding", f"broken {self.encoding} body: {exc}") from None

    def _unbrotli(self, data: bytes) -> None:
        try:
            self._keep(self._brotli.process(data, output_buffer_limit=self._budget()))
            while not self._brotli.can_accept_more_data():
                self._keep(self._brotli.process(b"", output_buffer_limit=self._budget()))
        except brotli.error as exc:
            raise FetchFailed("decoding", f"broken br body: {exc}") from None
