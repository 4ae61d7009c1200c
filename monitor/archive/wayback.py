"""Internet Archive's Save Page Now 2: start a capture, then poll it to its memento.

``POST /save`` with the account's S3 keys (``Authorization: LOW key:secret``)
and ``capture_all=1``, so that a 404 or a soft-404 page, the evidence of a
removal, is archived too (by default SPN2 keeps only 200 pages). The answer is
a ``job_id``; ``GET /save/status/<job_id>`` says ``pending``, ``success``
(with the capture's ``timestamp``) or ``error`` with a ``status_ext`` such as
``error:too-many-daily-captures``. Each ``status_ext`` is sorted below into
retry later, retry tomorrow, or never for this URL.
"""

from __future__ import annotations

import httpx

from monitor.archive.http import json_of, refused_keys, send, words
from monitor.archive.outcome import Kind, Step, later, permanent, started, tomorrow_step
from monitor.core.model import WaybackConfig

#: the URL itself is refused: blocked or excluded by the archive, not a URL, not there
NEVER = frozenset({
    "error:blocked", "error:blocked-url", "error:invalid-url", "error:not-found",
    "error:method-not-allowed", "error:filesize-limit", "error:ftp-access-denied",
    "error:not-implemented", "error:http-version-not-supported",
})
#: a daily cap is reached (the URL's captures today, or the account's)
DAILY = frozenset({"error:too-many-daily-captures", "error:user-daily-limit"})
#: the account, not the URL: too many captures at once or too fast
ACCOUNT = frozenset({"error:user-session-limit", "error:too-many-requests",
                     "error:bandwidth-limit-exceeded", "error:blocked-client-ip",
                     "error:overloaded", "error:no-browsers-available"})
KEYS_FIX = "check the wayback access_key and secret (https://archive.org/account/s3.php)"


def headers(config: WaybackConfig) -> dict[str, str]:
    return {"Authorization": f"LOW {config.access_key}:{config.secret}",
            "Accept": "application/json"}


async def submit(client: httpx.AsyncClient, config: WaybackConfig, url: str, *,
                 timeout: float) -> Step:
    """Ask SPN2 to capture ``url``: a started job, or why not."""
    answer = await send(client, "POST", f"{config.base_url}/save", timeout=timeout,
                        headers=headers(config), data={"url": url, "capture_all": "1"})
    if isinstance(answer, Step):
        return answer
    refused = refused_keys(answer, KEYS_FIX)
    if refused:
        return refused
    document = json_of(answer)
    if document.get("status") == "error" or "status_ext" in document:
        return _error(document)
    job_id = document.get("job_id")
    if answer.is_success and isinstance(job_id, str) and job_id:
        return started(job_id)
    return later(f"unexpected answer to a capture request (HTTP {answer.status_code})")


async def poll(client: httpx.AsyncClient, config: WaybackConfig, job_id: str, url: str, *,
               timeout: float) -> Step:
    """The state of capture ``job_id`` of ``url``: capturing, archived, or failed."""
    answer = await send(client, "GET", f"{config.base_url}/save/status/{job_id}",
                        timeout=timeout, headers=headers(config))
    if isinstance(answer, Step):
        return answer
    refused = refused_keys(answer, KEYS_FIX)
    if refused:
        return refused
    document = json_of(answer)
    status = document.get("status")
    if status == "pending":
        return Step(Kind.CAPTURING, job_id=job_id)
    if status == "success" and document.get("timestamp"):
        original = document.get("original_url") or url
        return Step(Kind.ARCHIVED, job_id=job_id,
                    memento=f"{config.base_url}/web/{document['timestamp']}/{original}")
    if status == "error":
        return _error(document)
    return later(f"unexpected status of capture job (HTTP {answer.status_code})",
                 whole_service=True)


def _error(document: dict[str, object]) -> Step:
    """Sort an SPN2 error by its ``status_ext``; unknown ones are worth a later retry."""
    code = str(document.get("status_ext") or "error:unknown")
    message = document.get("message")
    error = f"{code}: {words(message)}" if message else code
    if code in NEVER:
        return permanent(error)
    if code in DAILY:
        return tomorrow_step(error, whole_service=code == "error:user-daily-limit")
    return later(error, whole_service=code in ACCOUNT)
