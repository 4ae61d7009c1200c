"""Fake chat services on 127.0.0.1 that check requests and answer like the real ones.

Each service is a small class that validates what the real service validates
(required fields, size limits, tokens, HTML entities) and answers in its format:
Slack ``200 ok``, Discord ``204``, Teams ``202``, Mattermost ``200 ok``,
Telegram ``{"ok": true, ...}``, Matrix ``{"event_id": ...}``. A ``Receiver``
serves one of them over real HTTP, records every request, and can be told to
answer the next requests differently (a 429 with Retry-After, a 500, a stall)
to play an outage.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering: a stalled service

    @classmethod
    def json(cls, status: int, document: Any, **headers: str) -> Answer:
        return cls(status, json.dumps(document).encode(), {**JSON, **headers})

    @classmethod
    def text(cls, status: int, text: str, **headers: str) -> Answer:
        return cls(status, text.encode(), {**TEXT, **headers})


Service = Callable[[Request], Answer]


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Receiver:
    """One fake service over real HTTP on 127.0.0.1 (threaded, like monitor.cli.demo_site)."""

    def __init__(self, service: Service):
        self.service = service
        self.requests: list[Request] = []
        self.queued: list[Answer] = []  # answers for the next requests, then the service's
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                receiver._handle(self)

            def do_PUT(self) -> None:
                receiver._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                        daemon=True)  # polls often: tests stop it quickly

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def queue(self, *answers: Answer) -> None:
        with self._lock:
            self.queued.extend(answers)

    def bodies(self) -> list[Any]:
        with self._lock:
            return [r.json() for r in self.requests]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
        request = Request(handler.command, handler.path, dict(handler.headers), body)
        with self._lock:
            self.requests.append(request)
            answer = self.queued.pop(0) if self.queued else None
        if answer is None:
            answer = self.service(request)
        if answer.delay:
            time.sleep(answer.delay)
        try:
            handler.send_response(answer.status)
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(answer.body)))
            handler.end_headers()
            handler.wfile.write(answer.body)
        except OSError:  # the client gave up waiting, as it should
            pass


def _load(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        return None


class Slack:
    """An incoming webhook: ``ok``, or a one-word error like Slack's."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def __call__(self, request: Request) -> Answer:
        payload = _load(request)
        if not isinstance(payload, dict):
            return Answer.text(400, "invalid_payload")
        blocks = payload.get("blocks") or []
        if not payload.get("text") and not blocks:
            return Answer.text(400, "no_text")
        if len(blocks) > 50:
            return Answer.text(400, "invalid_blocks")
        for block in blocks:
            text = (block.get("text") or {}).get("text", "")
            if block["type"] == "section" and not 0 < units(text) <= 3000:
                return Answer.text(400, "invalid_blocks")
            if block["type"] == "header" and not 0 < units(text) <= 150:
                return Answer.text(400, "invalid_blocks")
            if block["type"] == "context" and not 0 < len(block["elements"]) <= 10:
                return Answer.text(400, "invalid_blocks")
        self.messages.append(payload)
        return Answer.text(200, "ok")


class Discord:
    """A channel webhook: 204, or 400 with Discord's ``Invalid Form Body``."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def __call__(self, request: Request) -> Answer:
        payload = _load(request)
        invalid = Answer.json(400, {"code": 50035, "message": "Invalid Form Body"})
        if not isinstance(payload, dict):
            return Answer.json(400, {"code": 50109, "message": "The request body contains "
                                                             "invalid JSON."})
        embeds = payload.get("embeds") or []
        if not payload.get("content") and not embeds:
            return Answer.json(400, {"code": 50006, "message": "Cannot send an empty message"})
        if units(payload.get("content") or "") > 2000 or len(embeds) > 10:
            return invalid
        total = 0
        for embed in embeds:
            sizes = {"title": 256, "description": 4096}
            for key, limit in sizes.items():
                if units(embed.get(key, "")) > limit:
                    return invalid
                total += units(embed.get(key, ""))
            fields = embed.get("fields", [])
            if len(fields) > 25:
                return invalid
            for f in fields:
                if not f["value"] or units(f["name"]) > 256 or units(f["value"]) > 1024:
                    return invalid
                total += units(f["name"]) + units(f["value"])
            total += units(embed.get("footer", {}).get("text", ""))
        if total > 6000:
            return invalid
        self.messages.append(payload)
        return Answer(204)


class Teams:
    """A Workflows webhook: 202 Accepted for an Adaptive Card message, 413 past 28 KB."""

    def __init__(self) -> None:
        self.cards: list[dict[str, Any]] = []

    def __call__(self, request: Request) -> Answer:
        if len(request.body) > 28 * 1024:
            return Answer.json(413, {"error": {"code": "MessageSizeTooBig",
                                               "message": "Request Entity too large"}})
        payload = _load(request)
        try:
            assert payload["type"] == "message"
            [attachment] = payload["attachments"]
            assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
            card = attachment["content"]
            assert card["type"] == "AdaptiveCard" and card["body"]
        except (AssertionError, KeyError, TypeError, ValueError):
            return Answer.json(400, {"error": {"code": "InvalidRequestContent",
                                               "message": "The input body is not a card"}})
        self.cards.append(card)
        return Answer(202)


class Mattermost:
    """An incoming webhook: ``ok``, or Mattermost's AppError JSON."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []

    def __call__(self, request: Request) -> Answer:
        payload = _load(request)
        if not isinstance(payload, dict):
            return Answer.json(400, {"id": "api.webhook.incoming.error", "status_code": 400,
                                     "message": "Unable to parse incoming data"})
        if not payload.get("text") and not payload.get("attachments"):
            return Answer.json(400, {"id": "web.incoming_webhook.text.app_error",
                                     "status_code": 400, "message": "No text specified"})
        if units(payload.get("text") or "") > 16383:
            return Answer.json(400, {"id": "too_long", "status_code": 400,
                                     "message": "Post message is too long"})
        self.posts.append(payload)
        return Answer.text(200, "ok")


TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
                 "a", "code", "pre", "blockquote", "tg-emoji"}


class _TelegramHTML(HTMLParser):
    """Parses like Telegram's HTML mode: only its tags, properly nested; collects text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.error = self.error or f"unsupported start tag \"{tag}\""
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = self.error or f"unexpected end tag \"{tag}\""

    def handle_data(self, data: str) -> None:
        self.text.append(data)


class Telegram:
    """The Bot API's sendMessage: checks the token, chat_id and HTML; keeps messages."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.messages: list[dict[str, Any]] = []

    def __call__(self, request: Request) -> Answer:
        match = re.fullmatch(r"/bot([^/]+)/sendMessage", request.path)
        if not match or match.group(1) != self.token:
            return Answer.json(401, {"ok": False, "error_code": 401,
                                     "description": "Unauthorized"})
        payload = _load(request) or {}
        if not payload.get("chat_id"):
            return Answer.json(400, {"ok": False, "error_code": 400,
                                     "description": "Bad Request: chat_id is empty"})
        text = str(payload.get("text") or "")
        if payload.get("parse_mode") == "HTML":
            parser = _TelegramHTML()
            parser.feed(text)
            parser.close()
            if parser.error or parser.stack:
                return Answer.json(400, {"ok": False, "error_code": 400, "description":
                                         "Bad Request: can't parse entities: "
                                         f"{parser.error or 'unclosed tag'}"})
            text = "".join(parser.text)
        if not text.strip():
            return Answer.json(400, {"ok": False, "error_code": 400,
                                     "description": "Bad Request: message text is empty"})
        if units(text) > 4096:
            return Answer.json(400, {"ok": False, "error_code": 400,
                                     "description": "Bad Request: message is too long"})
        self.messages.append(payload)
        return Answer.json(200, {"ok": True, "result": {
            "message_id": len(self.messages), "chat": {"id": payload["chat_id"]},
            "date": int(time.time()), "text": text}})


class Matrix:
    """A homeserver's send endpoint: token check, room check, idempotent transaction ids."""

    def __init__(self, token: str, room_id: str) -> None:
        self.token = token
        self.room_id = room_id
        self.events: list[dict[str, Any]] = []  # what the room shows
        self.transactions: dict[str, str] = {}  # txnId -> event_id

    def __call__(self, request: Request) -> Answer:
        from urllib.parse import unquote

        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Answer.json(401, {"errcode": "M_UNKNOWN_TOKEN",
                                     "error": "Invalid access token passed."})
        match = re.fullmatch(r"/_matrix/client/v3/rooms/([^/]+)/send/m\.room\.message/([^/]+)",
                             request.path)
        if request.method != "PUT" or not match:
            return Answer.json(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized"})
        if unquote(match.group(1)) != self.room_id:
            return Answer.json(403, {"errcode": "M_FORBIDDEN",
                                     "error": "User not in room"})
        if len(request.body) > 65536:
            return Answer.json(413, {"errcode": "M_TOO_LARGE", "error": "Event too large"})
        content = _load(request)
        if not isinstance(content, dict) or not content.get("msgtype") or \
                not isinstance(content.get("body"), str):
            return Answer.json(400, {"errcode": "M_BAD_JSON", "error": "msgtype and body"})
        txn = unquote(match.group(2))
        if txn not in self.transactions:  # a repeated transaction is the same event
            self.transactions[txn] = f"${len(self.events) + 1}abc:example.org"
            self.events.append(content)
        return Answer.json(200, {"event_id": self.transactions[txn]})


class Accept:
    """Any request is fine (a generic JSON endpoint, as Apprise's json:// posts to)."""

    def __call__(self, request: Request) -> Answer:
        return Answer.text(200, "ok")


def serve(service: Service) -> Iterator[Receiver]:
    """Generator for a pytest fixture: a started receiver, stopped afterwards."""
    with Receiver(service) as receiver:
        yield receiver
