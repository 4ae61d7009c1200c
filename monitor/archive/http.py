"""One request to a web archive, with what every service means the same way by it.

A timeout, a refused connection, a 429 or a 5xx say the service cannot take
work now, whatever the service; bad keys (401, 403) say the same of the
account. Each becomes a ``Step`` here, so the service modules read only the
answers that are theirs to read.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from monitor.archive.outcome import Step, later
from monitor.fetch.retry_after import parse_retry_after

MAX_MESSAGE = 200  # characters of a service's own words kept in an error


async def send(client: httpx.AsyncClient, method: str, url: str, *, timeout: float,
               **kwargs: Any) -> httpx.Response | Step:
    """The response, or the Step that a failure to get one (or a 429, 5xx) comes to.

    ``timeout`` bounds the whole exchange, connect to last byte: a pass never
    waits on an archive for longer than it has left.
    """
    if timeout <= 0:
        return later("no time left in this pass", whole_service=True)
    try:
        response = await asyncio.wait_for(
            client.request(method, url, timeout=httpx.Timeout(timeout), **kwargs), timeout)
    except (TimeoutError, httpx.TimeoutException):
        return later("timed out", whole_service=True)
    except httpx.ConnectError:
        return later("cannot connect", whole_service=True)
    except httpx.HTTPError as exc:
        return later(type(exc).__name__, whole_service=True)
    if response.status_code == 429:
        wait = parse_retry_after(response.headers.get("Retry-After", ""), datetime.now(UTC))
        return later("throttled (HTTP 429)", retry_after=wait, whole_service=True)
    if response.status_code >= 500:
        return later(f"HTTP {response.status_code} from the archive", whole_service=True)
    return response


def refused_keys(response: httpx.Response, fix: str) -> Step | None:
    """A 401 or 403: the account's keys are wrong or revoked; ``fix`` says which to check."""
    if response.status_code in (401, 403):
        return later(f"HTTP {response.status_code}: the archive refused the keys; {fix}",
                     whole_service=True)
    return None


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object; {} for anything else (an HTML error page, say)."""
    try:
        document = response.json()
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def words(text: Any) -> str:
    """A service's message, short and on one line, to keep beside our own words."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_MESSAGE else flat[:MAX_MESSAGE - 1] + "…"
