"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``.

Written by hand, beside the handlers in api.py; tests/test_openapi.py checks
that every route of the API is described here.
"""

from __future__ import annotations

from typing import Any

from monitor import __version__

JSON = "application/json"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: dict[str, Any], **headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description,
                              "content": {JSON: {"schema": schema}}}
    if headers:
        answer["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                             for name, text in headers.items()}
    return answer


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


def _answers(ok: dict[str, Any], *statuses: tuple[int, str]) -> dict[str, Any]:
    answers: dict[str, Any] = {"200": ok}
    answers["401"] = _error("no token, or not a valid one")
    for status, description in statuses:
        answers[str(status)] = _error(description)
    return answers


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


SOURCE_ID = _path("source_id", "the source's id (`monitor list`)")
TEXT = {"type": ["string", "null"]}
STRINGS = {"type": "array", "items": {"type": "string"}}
NOT_FOUND = (404, "no such source, or no such revision of it")

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string", "description": "what went wrong, in words"},
        "problems": {**STRINGS, "description": "each config problem as FILE:LINE: message"}}},
    "SourceRow": {"type": "object", "required": ["id", "url", "status", "tags", "enabled"],
                  "properties": {
        "id": {"type": "string"}, "url": {"type": "string", "description":
                                          "as configured, ${NAME} for a secret's value"},
        "name": TEXT,
        "status": {"type": "string", "enum": ["new", "ok", "removed", "failing", "paused"]},
        "tags": STRINGS, "enabled": {"type": "boolean"},
        "listing": {**TEXT, "description": "the listing that found this article"},
        "discover": {"type": ["string", "null"], "enum": ["feed", "sitemap", "links", None]},
        "last_checked": TEXT, "last_outcome": TEXT, "last_event": TEXT,
        "last_event_at": TEXT, "last_changed_at": TEXT, "last_error": TEXT}},
    "Source": {"allOf": [_ref("SourceRow"), {"type": "object", "properties": {
        "schedule": {"type": "object", "required": ["kind"], "properties": {
            "kind": {"type": "string", "enum": ["interval", "cron", "adaptive"]},
            "interval": {"type": "string"}, "seconds": {"type": "number"},
            "cron": {"type": "string"}, "min": {"type": "string"},
            "max": {"type": "string"}}},
        "channels": {**STRINGS, "description": "the channels its alerts go to"},
        "selector": TEXT, "ignore": STRINGS, "notes": TEXT,
        "line": {"type": ["integer", "null"], "description": "its line in sources.yaml"}}}]},
    "Version": {"type": "object",
                "required": ["revision", "event", "reason", "detected_at", "title"],
                "properties": {
        "revision": {"type": "string", "description": "the snapshot commit"},
        "event": {"type": "string", "description": "baseline, changed, removed, ..."},
        "reason": TEXT, "detected_at": {"type": "string", "format": "date-time"},
        "title": {"type": "string"},
        "summary": {"type": "string", "description": "what changed, as `monitor history` "
                                                     "says it"},
        "alerts": {"type": "array", "items": {"type": "object", "properties": {
            "event": {"type": "string"}, "id": {"type": "string"}}}}}},
    "Change": {"type": "object", "required": ["field", "kind", "before", "after"],
               "properties": {
        "field": {"type": "string", "enum": ["title", "standfirst", "byline", "published",
                                             "modified", "body", "correction", "caption",
                                             "link"]},
        "kind": {"type": "string", "enum": ["wording", "figure", "quote", "added-paragraph",
                                            "removed-paragraph", "added", "removed"]},
        "before": TEXT, "after": TEXT, "paragraph": {"type": "integer"},
        "page": {"type": "integer"}, "text": {"type": "string"}}},
    "Diff": {"type": "object",
             "required": ["source_id", "from", "to", "diff", "changes"], "properties": {
        "source_id": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
        "from_detected_at": TEXT, "to_detected_at": TEXT,
        "diff": {"type": "object", "description": "the alert's diff",
                 "properties": {"added": STRINGS, "removed": STRINGS,
                                "unified": {"type": "string"}}},
        "changes": {"type": "array", "items": _ref("Change")}}},
    "Delivery": {"type": "object", "required": ["channel", "status", "attempts"],
                 "properties": {
        "channel": {"type": "string"},
        "status": {"type": "string", "description": "pending, delivered, dead, ..."},
        "attempts": {"type": "integer"},
        "last_error": {**TEXT, "description": "secrets replaced by [secret]"},
        "last_attempt_at": TEXT, "delivered_at": TEXT, "next_attempt_at": TEXT,
        "first_failed_at": TEXT, "requeued_at": TEXT, "digest_id": TEXT}},
    "Alert": {"type": "object", "required": ["id", "event", "source_id", "deliveries"],
              "description": "the alert as its channels received it, with its deliveries",
              "additionalProperties": True, "properties": {
        "id": {"type": "string"}, "event": {"type": "string"},
        "source_id": {"type": "string"}, "url": {"type": "string"},
        "title": {"type": "string"}, "detected_at": {"type": "string"},
        "reason": TEXT, "diff": {"type": "object"},
        "changes": {"type": "array", "items": _ref("Change")},
        "deliveries": {"type": "array", "items": _ref("Delivery")}}},
    "NewSource": {"type": "object", "required": ["url"], "additionalProperties": False,
                  "properties": {
        "url": {"type": "string", "description": "http:// or https://"},
        "id": {"type": "string", "description": "default: made from the URL"},
        "interval": {"type": "string", "description": "6h, 30m, adaptive ..."},
        "tags": STRINGS, "selector": {"type": "string", "description": "CSS"},
        "ignore": {**STRINGS, "description": "CSS selectors"},
        "channels": {**STRINGS, "description": "default: every channel"},
        "name": {"type": "string"}, "notes": {"type": "string"}}},
}

PATHS: dict[str, Any] = {
    "/api/openapi.json": {"get": {
        "operationId": "openapi", "summary": "this description",
        "responses": _answers(_ok("OpenAPI 3.1", {"type": "object"}))}},
    "/api/sources": {
        "get": {
            "operationId": "listSources",
            "summary": "the sources: configured ones, each listing followed by what it found",
            "parameters": [
                _query("q", "in the id, name or URL (any case)", {"type": "string"}),
                _query("tag", "only sources with this tag", {"type": "string"}),
                _query("status", "only sources in this status",
                       {"type": "string",
                        "enum": ["new", "ok", "removed", "failing", "paused"]}),
                _query("limit", "at most this many (default: all)",
                       {"type": "integer", "minimum": 1, "maximum": 100000}),
                _query("offset", "skip this many first", {"type": "integer", "minimum": 0})],
            "responses": _answers(_ok("the sources", {"type": "array",
                                                      "items": _ref("SourceRow")},
                                      **{"X-Total-Count": "how many matched, all pages"}),
                                  (400, "a limit or offset that is no whole number"))},
        "post": {
            "operationId": "addSource", "summary": "add a source to sources.yaml",
            "description": "Written like `monitor add`, keeping the file's comments; "
                           "needs a token that is not read-only.",
            "requestBody": {"required": True,
                            "content": {JSON: {"schema": _ref("NewSource")}}},
            "responses": {
                "201": _ok("added", _ref("Source"), Location="/api/sources/{id}"),
                "400": _error("the body is not a JSON object"),
                "401": _error("no token, or not a valid one"),
                "403": _error("a read-only token"),
                "409": _error("the URL or id is already watched"),
                "413": _error("the body is too large"),
                "422": _error("the config would refuse it: FILE:LINE: message")}}},
    "/api/sources/{source_id}": {"get": {
        "operationId": "getSource", "summary": "one source: its status, schedule, channels",
        "parameters": [SOURCE_ID],
        "responses": _answers(_ok("the source", _ref("Source")), NOT_FOUND)}},
    "/api/sources/{source_id}/versions": {"get": {
        "operationId": "listVersions", "summary": "the source's versions, newest first",
        "parameters": [SOURCE_ID],
        "responses": _answers(_ok("the versions", {"type": "array",
                                                   "items": _ref("Version")}), NOT_FOUND)}},
    "/api/sources/{source_id}/diff": {"get": {
        "operationId": "getDiff", "summary": "what changed between two versions",
        "parameters": [
            SOURCE_ID,
            _query("from", "the older revision (default: the version before `to`)",
                   {"type": "string"}),
            _query("to", "the newer revision (default: the latest version)",
                   {"type": "string"})],
        "responses": _answers(_ok("the alert's diff and changes", _ref("Diff")),
                              (404, "no such source, a revision that is not one of its "
                                    "versions, or nothing to compare yet"))}},
    "/api/sources/{source_id}/export/{revision}": {"get": {
        "operationId": "exportPacket",
        "summary": "the evidence packet (.wacz) of one version, as `monitor export`",
        "parameters": [SOURCE_ID, _path("revision", "the version to export")],
        "responses": _answers(
            {"description": "a WACZ 1.1.1 file",
             "headers": {"Content-Disposition": {
                 "description": 'attachment; filename="<id>-<rev7>.wacz"',
                 "schema": {"type": "string"}}},
             "content": {"application/zip": {"schema": {"type": "string",
                                                        "format": "binary"}}}},
            NOT_FOUND, (409, "that version has no capture (or it was pruned)"))}},
    "/api/alerts": {"get": {
        "operationId": "listAlerts", "summary": "the newest alerts with their deliveries",
        "parameters": [_query("limit", "how many (default 50)",
                              {"type": "integer", "minimum": 1, "maximum": 1000,
                               "default": 50})],
        "responses": _answers(_ok("the alerts, newest first",
                                  {"type": "array", "items": _ref("Alert")}),
                              (400, "a limit that is not from 1 to 1000"))}},
}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document: every endpoint, its parameters, bearer auth and answers."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "monitor", "version": __version__,
                 "description": "Watched articles, their versions and diffs, and the "
                                "alerts they raised. Every endpoint takes "
                                "`Authorization: Bearer <token>` (`monitor token create "
                                "NAME`); a POST refuses a read-only token. Errors are "
                                '`{"error": "..."}`.'},
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "a token from `monitor token create NAME "
                                      "[--read-only]`"}}},
    }
