"""What a FetchPool and its fetch processes say to each other, and how it is framed.

Typed messages, so a field added to a request is added in one place and a
reply cannot be read in the wrong order. Each travels as one length-prefixed
pickle over the process's socket pair: one write per frame, so frames never
interleave, and neither side ever blocks the other.
"""

from __future__ import annotations

import asyncio
import pickle
import struct
from dataclasses import dataclass

from monitor.fetch.result import FetchResult

FRAME = struct.Struct("!I")


@dataclass(frozen=True)
class FetchRequest:
    request_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    known_sha256: str | None = None  # the caller holds this body: send b"" back instead
    headers: tuple[tuple[str, str], ...] = ()  # the source's own (Source.request_headers)


@dataclass(frozen=True)
class FetchReply:
    request_id: int
    result: FetchResult


class BadMessage(Exception):
    """The other side sent something that is not the message expected."""


async def send(writer: asyncio.StreamWriter, message: FetchRequest | FetchReply) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(FRAME.pack(len(data)) + data)
    await writer.drain()


async def receive_request(reader: asyncio.StreamReader) -> FetchRequest:
    message = await _receive(reader)
    if not isinstance(message, FetchRequest):
        raise BadMessage(f"expected a FetchRequest, got {type(message).__name__}")
    return message


async def receive_reply(reader: asyncio.StreamReader) -> FetchReply:
    message = await _receive(reader)
    if not isinstance(message, FetchReply):
        raise BadMessage(f"expected a FetchReply, got {type(message).__name__}")
    return message


async def _receive(reader: asyncio.StreamReader) -> object:
    (size,) = FRAME.unpack(await reader.readexactly(FRAME.size))
    return pickle.loads(await reader.readexactly(size))
