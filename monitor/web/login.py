"""``/login`` and ``/logout``: a user and password, or a token, for the pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from monitor.web.auth import check_login, csrf_ok, log_in, log_out
from monitor.web.context import context, render


def _safe_next(value: object) -> str:
    """Only a path of this site: never an open redirect to another."""
    text = value if isinstance(value, str) else ""
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or not text.startswith("/") or text.startswith("//"):
        return "/"
    return text


async def login_page(request: Request) -> Response:
    return render(request, "login.html", next=_safe_next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    web = context(request)
    form = await request.form()
    address = request.client.host if request.client else "?"
    target = _safe_next(form.get("next"))
    if web.brake.blocked(address):
        return render(request, "login.html", status_code=429, next=target,
                      error="Too many failed logins: wait a minute and try again.")
    name, password = str(form.get("user") or "").strip(), str(form.get("password") or "")
    who = check_login(web.current().settings.state, name, password)
    if who is None:
        web.brake.failed(address)
        return render(request, "login.html", status_code=401, next=target,
                      error="That user and password, or that token, is not known here.")
    web.brake.succeeded(address)
    log_in(request, who)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    if csrf_ok(request, form.get("csrf")):
        log_out(request)
    return RedirectResponse("/login", status_code=303)


ROUTES = [Route("/login", login_page, methods=["GET"]),
          Route("/login", login, methods=["POST"]),
          Route("/logout", logout, methods=["POST"])]
