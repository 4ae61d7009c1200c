"""The pool's messages over a real socket pair: typed both ways, junk refused."""

from __future__ import annotations

import asyncio
import pickle
import socket

import pytest

from monitor.fetch.result import FetchResult
from monitor.fetch.wire import (
    FRAME,
    BadMessage,
    FetchReply,
    FetchRequest,
    receive_reply,
    receive_request,
    send,
)


def test_requests_and_replies_cross_a_socket_whole_and_in_order() -> None:
    async def run() -> tuple[list[FetchRequest], FetchReply]:
        ours, theirs = socket.socketpair()
        parent_reader, parent_writer = await asyncio.open_connection(sock=ours)
        child_reader, child_writer = await asyncio.open_connection(sock=theirs)
        requests = [FetchRequest(i, f"http://127.0.0.1/{i}", etag=f'"{i}"') for i in range(50)]
        for request in requests:
            await send(parent_writer, request)
        got = [await receive_request(child_reader) for _ in requests]
        result = FetchResult(url="http://127.0.0.1/a", final_url="http://127.0.0.1/a",
                             status=200, body=b"x" * 200_000)
        await send(child_writer, FetchReply(7, result))
        reply = await receive_reply(parent_reader)
        for writer in (parent_writer, child_writer):
            writer.close()
        return got, reply

    got, reply = asyncio.run(run())
    assert [request.request_id for request in got] == list(range(50))
    assert got[3] == FetchRequest(3, "http://127.0.0.1/3", etag='"3"')
    assert reply.request_id == 7 and reply.result.body == b"x" * 200_000


def test_a_message_of_the_wrong_kind_is_refused() -> None:
    async def run() -> None:
        ours, theirs = socket.socketpair()
        _, writer = await asyncio.open_connection(sock=ours)
        reader, _ = await asyncio.open_connection(sock=theirs)
        data = pickle.dumps((1, "http://127.0.0.1/", None, None, None))  # the old tuple
        writer.write(FRAME.pack(len(data)) + data)
        await writer.drain()
        with pytest.raises(BadMessage, match="expected a FetchRequest, got tuple"):
            await receive_request(reader)
        await send(writer, FetchRequest(1, "http://127.0.0.1/"))
        with pytest.raises(BadMessage, match="expected a FetchReply"):
            await receive_reply(reader)
        writer.close()

    asyncio.run(run())
