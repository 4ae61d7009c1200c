"""The pages for people, server-rendered, usable without JavaScript:

    /                         the sources, filtered and paginated   (pages_sources)
    /sources/<id>             one source: facts, timeline, pause/resume/remove
    /sources/<id>/diff/<rev>  the word diff of a change (?to=, ?view=side)  (pages_diff)
    /alerts                   alerts with their deliveries, retry of dead letters
    /preview?url=             what extraction takes, and the form that adds it

Every page asks for a login (``context.page``); every form that changes
something carries the session's CSRF token (``pages_common.changing_form``).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from monitor.web import pages_alerts, pages_diff, pages_preview, pages_sources

ROUTES: list[BaseRoute] = [*pages_sources.ROUTES, *pages_diff.ROUTES, *pages_alerts.ROUTES,
                           *pages_preview.ROUTES]
