"""Fake web archives on 127.0.0.1 that check requests and answer like the real ones.

``SavePageNow`` follows the SPN2 API: ``POST /save`` with ``Authorization: LOW
key:secret`` and a form (``url``, ``capture_all``) answers ``{"url", "job_id"}``;
``GET /save/status/<job_id>`` answers ``pending``, then ``success`` with a
``timestamp``, or ``error`` with a ``status_ext``. Without ``Accept:
application/json`` it answers an HTML page, as the real one does; with bad keys
a 401. It refuses like the real one too: ``session_limit`` captures at once,
``per_minute`` captures a minute (a 429), and any ``status_ext`` told for a URL.

``Perma`` follows Perma.cc's v1 API: ``POST /v1/archives/`` with
``Authorization: ApiKey <key>`` and ``{"url", "folder"}`` answers 201 with a
``guid`` and ``captures``; ``GET /v1/archives/<guid>/`` shows the primary
capture go from ``pending`` to ``success`` or ``failed``; a bad URL, an unknown
folder or a used-up quota is a 400 with Perma's words.

``ArchiveServer`` serves either over real HTTP (threaded, like
``testing.receivers.Receiver``), records every request, and can be told to
answer the next requests differently (``queue``) to play an outage.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from testing.receivers import Answer, Request

Service = Callable[[Request], Answer]


class ArchiveServer:
    """One fake archive over real HTTP on 127.0.0.1, GET and POST."""

    def __init__(self, service: Service):
        self.service = service
        self.requests: list[Request] = []
        self.queued: list[Answer] = []  # answers for the next requests, then the service's
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self)

            def do_POST(self) -> None:
                server._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ArchiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def queue(self, *answers: Answer) -> None:
        with self._lock:
            self.queued.extend(answers)

    def posts(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

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
        except OSError:
            pass


@dataclass
class Capture:
    """One capture job: its URL, polls still to answer ``pending``, and how it ends."""

    url: str
    pending: int
    ends: str  # "success", or an SPN2 status_ext / "failed" for Perma


HTML = {"Content-Type": "text/html; charset=utf-8"}


class SavePageNow:
    """SPN2: captures are ``pending`` for ``pending_polls`` status requests, then end.

    ``outcomes[url]`` is how a capture of ``url`` ends (``success`` by default,
    or a ``status_ext`` such as ``error:blocked-url``); ``refusals[url]`` is a
    ``status_ext`` the capture request itself gets (``error:too-many-daily-captures``).
    """

    def __init__(self, access_key: str, secret: str, *, pending_polls: int = 1,
                 session_limit: int | None = None, per_minute: int | None = None) -> None:
        self.auth = f"LOW {access_key}:{secret}"
        self.pending_polls = pending_polls
        self.session_limit = session_limit
        self.per_minute = per_minute
        self.outcomes: dict[str, str] = {}
        self.refusals: dict[str, str] = {}
        self.jobs: dict[str, Capture] = {}
        self.captures: list[dict[str, str]] = []  # the form of every capture taken
        self._times: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Answer:
        if request.headers.get("Authorization") != self.auth:
            return Answer.json(401, {"status": "error", "message":
                                     "You need to be logged in to use Save Page Now."})
        if "application/json" not in request.headers.get("Accept", ""):
            return Answer(200, b"<html><body>Saving page...</body></html>", HTML)
        with self._lock:
            if request.method == "POST" and request.path == "/save":
                return self._capture(request)
            match = re.fullmatch(r"/save/status/([\w-]+)", request.path)
            if request.method == "GET" and match:
                return self._status(match[1])
        return Answer.json(404, {"status": "error", "message": "Not found"})

    def _capture(self, request: Request) -> Answer:
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        url = form.get("url", "")
        if not url.startswith(("http://", "https://")):
            return _spn2_error("error:invalid-url", "Invalid URL.")
        now = time.monotonic()
        self._times = [t for t in self._times if now - t < 60]
        if self.per_minute is not None and len(self._times) >= self.per_minute:
            return Answer(429, b"<html><body>Too Many Requests</body></html>", HTML)
        active = sum(1 for job in self.jobs.values() if job.pending > 0)
        if self.session_limit is not None and active >= self.session_limit:
            return _spn2_error("error:user-session-limit",
                               "You have already reached the limit of active sessions.")
        if url in self.refusals:
            return _spn2_error(self.refusals[url], "This URL has been already captured 10 "
                                                   "times today. Please try again tomorrow.")
        self._times.append(now)
        job_id = f"spn2-{len(self.jobs) + 1:040x}"
        self.jobs[job_id] = Capture(url, self.pending_polls, self.outcomes.get(url, "success"))
        self.captures.append(form)
        return Answer.json(200, {"url": url, "job_id": job_id})

    def _status(self, job_id: str) -> Answer:
        job = self.jobs.get(job_id)
        if job is None:
            return _spn2_error("error:not-found", "Job not found.")
        if job.pending > 0:
            job.pending -= 1
            return Answer.json(200, {"status": "pending", "job_id": job_id, "resources": []})
        if job.ends != "success":
            return Answer.json(200, {"status": "error", "job_id": job_id,
                                     "status_ext": job.ends, "exception": "",
                                     "message": f"Capture failed: {job.ends}"})
        return Answer.json(200, {"status": "success", "job_id": job_id,
                                 "original_url": job.url, "timestamp": "20260301093000",
                                 "duration_sec": 6.2, "resources": [job.url]})


def _spn2_error(status_ext: str, message: str) -> Answer:
    return Answer.json(200, {"status": "error", "status_ext": status_ext, "message": message})


class Perma:
    """Perma.cc: archives are ``pending`` for ``pending_polls`` requests, then end.

    ``outcomes[url]`` is ``success`` (the default) or ``failed``; ``folders``
    are the folder ids the key may use; ``limit_reached`` plays a used-up quota.
    """

    def __init__(self, api_key: str, *, folders: tuple[int, ...] = (123,),
                 pending_polls: int = 1) -> None:
        self.auth = f"ApiKey {api_key}"
        self.folders = folders
        self.pending_polls = pending_polls
        self.outcomes: dict[str, str] = {}
        self.limit_reached = False
        self.archives: dict[str, Capture] = {}
        self.bodies: list[dict[str, Any]] = []  # the body of every archive created
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Answer:
        if request.headers.get("Authorization") != self.auth:
            return Answer.json(401, {"detail": "Invalid API key."})
        with self._lock:
            if request.method == "POST" and request.path == "/v1/archives/":
                return self._create(request)
            match = re.fullmatch(r"/v1/archives/([A-Z0-9-]+)/", request.path)
            if request.method == "GET" and match and match[1] in self.archives:
                return Answer.json(200, self._archive(match[1], poll=True))
        return Answer.json(404, {"detail": "Not found."})

    def _create(self, request: Request) -> Answer:
        try:
            body = json.loads(request.body)
        except ValueError:
            return Answer.json(400, {"detail": "JSON parse error"})
        if not isinstance(body, dict):
            return Answer.json(400, {"detail": "Invalid data."})
        url = body.get("url")
        if not isinstance(url, str) or not url:
            return Answer.json(400, {"url": ["URL cannot be empty."]})
        if not url.startswith(("http://", "https://")):
            return Answer.json(400, {"url": ["Not a valid URL."]})
        if "folder" in body and body["folder"] not in self.folders:
            return Answer.json(400, {"folder": ["Folder not found."]})
        if self.limit_reached:
            return Answer.json(400, {"error": "You've reached your usage limit. Visit your "
                                              "Usage Plan page for information and plan options."})
        guid = f"{len(self.archives) + 1:04d}-ABCD"
        self.archives[guid] = Capture(url, self.pending_polls, self.outcomes.get(url, "success"))
        self.bodies.append(body)
        return Answer.json(201, self._archive(guid, poll=False))

    def _archive(self, guid: str, *, poll: bool) -> dict[str, Any]:
        archive = self.archives[guid]
        status = "pending"
        if poll:
            if archive.pending > 0:
                archive.pending -= 1
            else:
                status = archive.ends
        job = {"pending": "in_progress", "success": "completed"}.get(status, "failed")
        return {"guid": guid, "url": archive.url, "title": "", "creation_timestamp":
                "2026-03-01T09:30:00Z", "capture_job": {"status": job},
                "captures": [{"role": "primary", "status": status, "url": archive.url,
                              "record_type": "response", "content_type": "text/html"},
                             {"role": "screenshot", "status": status,
                              "record_type": "resource", "content_type": "image/png"}]}


def serve(service: Service) -> Iterator[ArchiveServer]:
    """Generator for a pytest fixture: a started fake archive, stopped afterwards."""
    with ArchiveServer(service) as server:
        yield server
