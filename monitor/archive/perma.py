"""Perma.cc: create an archive of a URL in a folder, then poll it until it is captured.

``POST /v1/archives/`` with ``Authorization: ApiKey <key>`` and
``{"url": ..., "folder": ...}`` answers 201 with the new archive's ``guid``
and its ``captures``; ``GET /v1/archives/<guid>/`` shows the primary
capture's ``status`` go from ``pending`` to ``success`` or ``failed``. The
memento is ``https://perma.cc/<guid>`` (the public address, whatever API
base is used). A 400 names what is wrong with the URL, or that the account's
usage limit is reached: the only 400 that is worth asking again, tomorrow.
"""

from __future__ import annotations

from typing import Any

import httpx

from monitor.archive.http import json_of, refused_keys, send, words
from monitor.archive.outcome import Kind, Step, later, permanent, started, tomorrow_step
from monitor.core.model import PermaConfig

PUBLIC = "https://perma.cc"
KEYS_FIX = "check the perma api_key (https://perma.cc/settings/tools) and its folder"
QUOTA_WORDS = ("usage limit", "reached your", "quota", "subscription")


def headers(config: PermaConfig) -> dict[str, str]:
    return {"Authorization": f"ApiKey {config.api_key}", "Accept": "application/json"}


async def submit(client: httpx.AsyncClient, config: PermaConfig, url: str, *,
                 timeout: float) -> Step:
    """Ask Perma to archive ``url``: a started job (its guid), or why not."""
    body: dict[str, Any] = {"url": url}
    if config.folder is not None:
        body["folder"] = config.folder
    answer = await send(client, "POST", f"{config.base_url}/v1/archives/", timeout=timeout,
                        headers=headers(config), json=body)
    if isinstance(answer, Step):
        return answer
    refused = refused_keys(answer, KEYS_FIX)
    if refused:
        return refused
    document = json_of(answer)
    if answer.status_code == 400:
        problem = _problem(document)
        if "folder" in document:  # the account's setting, not the URL: every job would fail
            return later(f"perma refused the folder: {problem}; check the perma 'folder'",
                         whole_service=True)
        if any(word in problem.lower() for word in QUOTA_WORDS):
            return tomorrow_step(f"perma refused: {problem}", whole_service=True)
        return permanent(f"perma refused the URL: {problem}")
    guid = document.get("guid")
    if answer.is_success and isinstance(guid, str) and guid:
        return started(guid)
    return later(f"unexpected answer to an archive request (HTTP {answer.status_code})")


async def poll(client: httpx.AsyncClient, config: PermaConfig, guid: str, url: str, *,
               timeout: float) -> Step:
    """The state of archive ``guid``: capturing, archived, or its capture failed."""
    answer = await send(client, "GET", f"{config.base_url}/v1/archives/{guid}/",
                        timeout=timeout, headers=headers(config))
    if isinstance(answer, Step):
        return answer
    refused = refused_keys(answer, KEYS_FIX)
    if refused:
        return refused
    if answer.status_code == 404:
        return later("the archive is gone from perma before its capture finished")
    document = json_of(answer)
    status = _capture_status(document)
    if status == "success":
        return Step(Kind.ARCHIVED, job_id=guid, memento=f"{PUBLIC}/{guid}")
    if status == "failed":
        return later("perma could not capture the page")
    if status == "pending":
        return Step(Kind.CAPTURING, job_id=guid)
    return later(f"unexpected answer about an archive (HTTP {answer.status_code})",
                 whole_service=True)


def _capture_status(document: dict[str, Any]) -> str | None:
    """``success``, ``failed`` or ``pending``: the primary capture's, or the capture job's."""
    captures = document.get("captures")
    primary = next((c for c in captures if isinstance(c, dict) and c.get("role") == "primary"),
                   None) if isinstance(captures, list) else None
    job = document.get("capture_job")
    job_status = job.get("status") if isinstance(job, dict) else None
    if primary is not None and primary.get("status") in ("success", "failed"):
        return str(primary["status"])
    if job_status == "failed":
        return "failed"
    if primary is not None or job_status in ("pending", "in_progress", "completed"):
        return "pending"
    return None


def _problem(document: dict[str, Any]) -> str:
    """Perma's reason for a 400: ``{"error": ...}``, ``{"detail": ...}`` or per field."""
    for key in ("error", "detail"):
        if document.get(key):
            return words(document[key])
    for key, value in document.items():
        text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
        return words(f"{key}: {text}")
    return "no reason given"
