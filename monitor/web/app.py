"""The web application: the pages, the API and the feed, behind one session middleware.

    create_app(config) ─► Starlette: /login, / ... (pages.py), /api/... (api.py),
                          /feed.atom (feed.py), /static, and /health, /metrics
                          inside `monitor run`

It runs in whatever event loop serves it: uvicorn's for ``monitor serve``, the
daemon's own for ``monitor run`` with ``settings.web.port``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from monitor.core.model import Config
from monitor.web import api, feed, login, pages
from monitor.web.auth import session_key
from monitor.web.context import WebContext

STATIC = Path(__file__).parent / "static"


def create_app(config: Config, *,
               status: Callable[[], dict[str, Any]] | None = None) -> Starlette:
    """The app for the project ``config`` was read from (re-read as the file changes)."""
    web = WebContext(config.path, config, status=status)
    web.current()
    settings = config.settings
    routes: list[BaseRoute] = [*login.ROUTES, *pages.ROUTES, *api.ROUTES, *feed.ROUTES,
                               Mount("/static", StaticFiles(directory=STATIC), name="static")]
    if status is not None:
        from monitor.web.health import ROUTES as HEALTH

        routes = [*HEALTH, *routes]
    secure = settings.web.base_url.startswith("https://")
    app = Starlette(routes=routes, middleware=[
        Middleware(SessionMiddleware, secret_key=session_key(settings),
                   session_cookie="monitor_session", same_site="lax", https_only=secure,
                   max_age=14 * 86400)])
    app.state.web = web
    return app
