"""``POST /api/sources``: a source added to sources.yaml, its comments kept.

The edit goes through ``monitor.config.edit`` like ``monitor add``: under the
file's lock, re-read, written whole and renamed, and put back if the result
would not load. So a refusal names the problem as ``FILE:LINE: message`` (422),
and a URL or id already watched is a 409.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from monitor.config import loader
from monitor.config.edit import Added, NewSource, add_sources
from monitor.config.problems import ConfigError
from monitor.config.tracking import page_key
from monitor.config.values import url_problem
from monitor.core.ids import valid_source_id
from monitor.core.model import Config
from monitor.web.api_json import Redactor, error, source_json
from monitor.web.context import context
from monitor.web.queries import NotFound, reading

TEXT_KEYS = ("url", "id", "interval", "selector", "name", "notes")
LIST_KEYS = ("tags", "ignore", "channels")
KEYS = ("url", "id", "interval", "tags", "selector", "ignore", "channels", "name", "notes")
MAX_BODY = 64 * 1024


class Refused(Exception):
    """A request to add that is refused: its status and why, in words."""

    def __init__(self, status: int, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems


def new_source(body: Any) -> NewSource:
    """The JSON body as a NewSource; Refused (400, 422) when it is not one."""
    if not isinstance(body, dict):
        raise Refused(400, "the body must be a JSON object such as "
                           '{"url": "https://example.org/news/1"}')
    unknown = [key for key in body if key not in KEYS]
    if unknown:
        raise Refused(422, f"unknown key '{unknown[0]}'; allowed: {', '.join(KEYS)}")
    for key in TEXT_KEYS:
        if body.get(key) is not None and not isinstance(body[key], str):
            raise Refused(422, f"'{key}' must be a string")
    lists: dict[str, tuple[str, ...]] = {}
    for key in LIST_KEYS:
        value = body.get(key)
        value = [] if value is None else [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise Refused(422, f"'{key}' must be a list of strings")
        lists[key] = tuple(value)
    url = body.get("url")
    if not url:
        raise Refused(422, "'url' is needed: the page's address, such as "
                           "https://example.org/news/1")
    if problem := url_problem(url):
        raise Refused(422, f"'url' must be an http:// or https:// address ({problem})")
    source_id = body.get("id") or None
    if source_id is not None and not valid_source_id(source_id):
        raise Refused(422, f"id {source_id!r} must be letters, digits, '.', '_' or '-' "
                           "(at most 100; it names snapshots/<id>.md)")
    return NewSource(url, source_id, name=body.get("name") or None,
                     every=body.get("interval") or None, selector=body.get("selector") or None,
                     tags=lists["tags"], ignore=lists["ignore"], channels=lists["channels"],
                     notes=body.get("notes") or None)


def add(config: Config, item: NewSource) -> Added:
    """Write ``item`` into the config's file; Refused when it is watched or would not load."""
    watched = {page_key(source.url): source.id for source in config.sources}
    if page_key(item.url) in watched:
        raise Refused(409, f"{item.url} is already watched as {watched[page_key(item.url)]}")
    if item.id and item.id in {source.id for source in config.sources}:
        raise Refused(409, f"a source with id '{item.id}' already exists: choose another id")
    try:
        # not strict: an id made from the URL that is taken gets a number (-2, -3 ...)
        [added] = add_sources(config.path, [item])
    except ConfigError as exc:
        problems = [str(problem) for problem in exc.problems] or [str(exc)]
        raise Refused(422, "; ".join(problems), problems) from None
    if added.id is None:
        why = added.skipped or "it was not added"
        status = 409 if "already" in why else 422
        raise Refused(status, why)
    return added


async def post_source(request: Request) -> Response:
    web = context(request)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return error(413, f"the body is larger than {MAX_BODY // 1024} KiB")
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return error(400, "the body is not JSON")
    try:
        item = new_source(body)
        added = await run_in_threadpool(add, web.current(), item)
    except Refused as refused:
        redactor = Redactor(web.current())
        extra = {"problems": [redactor.text(p) for p in refused.problems]} \
            if refused.problems else {}
        return error(refused.status, redactor.text(refused.message), **extra)
    source_id = added.id or ""
    shown = await run_in_threadpool(_shown, web.current(), source_id, web.config_path)
    return JSONResponse(shown, status_code=201,
                        headers={"Location": f"/api/sources/{source_id}"})


def _shown(config: Config, source_id: str, path: Any) -> dict[str, Any]:
    """The source as GET shows it, from the file just written."""
    for attempt in (config, None):
        current = attempt or loader.load(path)
        try:
            with reading(current) as reader:
                return source_json(reader, reader.source(source_id))
        except NotFound:
            continue
    raise NotFound(f"no source '{source_id}'")
