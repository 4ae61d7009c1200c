"""Being written: see monitor/web/app.py for how its ROUTES are served."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
