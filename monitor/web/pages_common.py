"""What the pages share: rendering with a notice, the 404 and 403 pages, the guard of
every form that changes something, the writer lock, and secrets kept out of sight.

A page's work (SQLite, git, a file lock) is blocking, so it runs in a thread
(``in_thread``): the event loop may be the daemon's, and it keeps serving.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from monitor.core.events import DIFF_EVENTS
from monitor.core.model import Config
from monitor.core.people_time import for_people
from monitor.notify.redact import option_secrets, redact, url_secrets
from monitor.store.errors import StoreLocked, StoreUnavailable
from monitor.store.store import Store
from monitor.web.auth import csrf_ok
from monitor.web.context import render, who

T = TypeVar("T")

#: how long a click waits for a pass that holds the writer lock (at most lock_timeout)
WEB_LOCK_WAIT = 30.0
#: events whose version has a diff worth a link in the timeline and the alerts
DIFF_LINKED = frozenset(str(event) for event in DIFF_EVENTS) | {"removed", "moved"}


async def in_thread(work: Callable[..., T], *args: Any) -> T:
    return await run_in_threadpool(work, *args)


def show(request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
    """``render`` with what every page here uses: the notice left by the last redirect
    and the helpers the templates call."""
    notice = request.session.pop("notice", None) if "session" in request.scope else None
    return render(request, template, status_code, notice=notice, when=for_people,
                  diff_linked=DIFF_LINKED, **values)


def back_to(request: Request, path: str, notice: str) -> Response:
    """303 to ``path`` (a POST's answer: reloading it never repeats the POST), with a
    notice that the page shows once."""
    request.session["notice"] = notice
    return RedirectResponse(path, status_code=303)


def not_found(request: Request, message: str) -> Response:
    return show(request, "error.html", 404, heading="Not found", message=message)


def refused(request: Request, message: str, status_code: int = 403) -> Response:
    return show(request, "error.html", status_code, heading="Not done", message=message)


async def changing_form(request: Request) -> FormData | Response:
    """The form of a POST that changes something: its CSRF token checked, and a
    read-only login turned away. A Response is the refusal to send back."""
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")):
        return refused(request, "This form has expired or did not come from this site "
                                "(its CSRF token is missing or wrong): reload the page "
                                "and try again.")
    person = who(request)
    if person is not None and person.read_only:
        return refused(request, f"'{person.name}' logged in with a read-only token: it "
                                "may look, not change anything.")
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@contextmanager
def writer(config: Config) -> Iterator[Store | None]:
    """The store under its writer lock, as the CLI takes it; None when nothing was ever
    stored. Raises StoreLocked after ``WEB_LOCK_WAIT`` while a pass holds it."""
    settings = config.settings
    if not settings.state.exists():
        yield None
        return
    store = Store.of(settings)
    with store.lock(min(settings.lock_timeout, WEB_LOCK_WAIT)):
        store.open()
        try:
            yield store
        finally:
            store.close()


STORE_BUSY = (StoreLocked, StoreUnavailable)


def channel_secrets(config: Config) -> list[str]:
    """Every piece of every channel's options that may be secret (URLs and their
    parts, tokens, passwords, header values), longest first."""
    pieces: list[str] = []
    for channel in config.channels.values():
        pieces += option_secrets(channel.options)
        for value in channel.options.values():
            pieces += _nested(value)
    return sorted(set(pieces), key=len, reverse=True)


def _nested(value: object) -> list[str]:
    """The strings inside a mapping or list option (headers, a list of addresses)."""
    if isinstance(value, dict):
        return [piece for item in value.values() for piece in _nested(item) or [str(item)]]
    if isinstance(value, list | tuple):
        return [piece for item in value for piece in _nested(item)]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return url_secrets(value)
    return []


def masked(text_: str | None, secrets: list[str]) -> str:
    return redact(text_ or "", secrets)


def query_string(**values: object) -> str:
    """``?q=...&page=2`` of the values that are set ("" when none is)."""
    kept = {key: value for key, value in values.items() if value not in (None, "", 1)}
    return f"?{urlencode(kept)}" if kept else ""
