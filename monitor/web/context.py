"""What every handler needs: the project's config (re-read when sources.yaml changes),
the templates, the login brake, and the guards that let a request in.

Handlers are plain ``async def`` functions over a Starlette ``Request``; each
module (pages, api, feed) lists its routes, and ``app.py`` puts them together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from monitor.config import loader
from monitor.config.problems import ConfigError
from monitor.core.model import Config
from monitor.web.auth import LoginBrake, Who, bearer, csrf_token, session_user, token_holder

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class WebContext:
    """One project served: its config, kept fresh, and what the handlers share."""

    config_path: Path
    config: Config
    status: Callable[[], dict[str, Any]] | None = None  # the daemon's, inside `monitor run`
    brake: LoginBrake = field(default_factory=LoginBrake)
    templates: Environment = field(default_factory=lambda: Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=select_autoescape(["html", "xml"]), trim_blocks=True, lstrip_blocks=True))
    _mtime: float = 0.0
    last_problem: str | None = None  # why the last edit of sources.yaml was not taken

    def current(self) -> Config:
        """The config, re-read when the file changed; the last good one when it is broken."""
        try:
            mtime = self.config_path.stat().st_mtime
        except OSError:
            return self.config
        if mtime != self._mtime:
            self._mtime = mtime
            try:
                self.config = loader.load(self.config_path)
                self.last_problem = None
            except ConfigError as exc:
                self.last_problem = str(exc.problems[0]) if exc.problems else str(exc)
        return self.config


def context(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web


def who(request: Request) -> Who | None:
    return session_user(request) if "session" in request.scope else None


def page(handler: Handler) -> Handler:
    """A page for people: logged in, or sent to /login and back."""
    @wraps(handler)
    async def guarded(request: Request) -> Response:
        if who(request) is None:
            # Back to what was asked, if it was a page; a form sent after the session
            # ended cannot be sent again by a redirect: back to the start.
            asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            back = quote(asked if request.method in ("GET", "HEAD") else "/", safe="")
            return RedirectResponse(f"/login?next={back}", status_code=303)
        return await handler(request)
    return guarded


def api(write: bool = False) -> Callable[[Handler], Handler]:
    """An API endpoint: a token (``Authorization: Bearer``); ``write`` refuses read-only ones."""
    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: Request) -> Response:
            holder = token_holder(context(request).current().settings.state, bearer(request))
            if holder is None:
                return JSONResponse({"error": "a token is needed: `Authorization: Bearer "
                                              "<token>` (monitor token create NAME)"},
                                    status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            if write and holder.read_only:
                return JSONResponse({"error": f"token '{holder.name}' is read-only"},
                                    status_code=403)
            request.state.who = holder
            return await handler(request)
        return guarded
    return wrap


def render(request: Request, template: str, status_code: int = 200,
           **values: Any) -> Response:
    """A page from ``templates/``, with who is logged in and the CSRF token for forms."""
    web = context(request)
    body = web.templates.get_template(template).render(
        request=request, who=who(request), csrf=csrf_token(request) if who(request) else "",
        config_problem=web.last_problem, **values)
    return Response(body, status_code=status_code, media_type="text/html; charset=utf-8")
