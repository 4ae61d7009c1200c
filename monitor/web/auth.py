"""Who is asking: API tokens, page logins, CSRF, and a brake on guessing.

- The API takes ``Authorization: Bearer <token>`` (``monitor token create``);
  a read-only token may only read. The feed takes a token as ``?token=``.
- The pages take a login, with a token or with a user and password
  (``monitor user add``, argon2), kept in a signed session cookie whose key
  lives in ``.monitor/web-session.key`` (made on first use, 0600). The cookie
  is ``Secure`` when ``settings.web.base_url`` is https.
- Every form that changes something carries the session's CSRF token.
- At most ``MAX_FAILURES`` failed logins a minute per address.

Nothing is public by default: every page but ``/login`` and ``/static`` asks.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.requests import Request

from monitor.core.model import Settings
from monitor.store.access import Token, access_db, token_for, user

MAX_FAILURES = 5  # failed logins per address ...
FAILURE_WINDOW = 60.0  # ... in this many seconds
SESSION_KEY_FILE = "web-session.key"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session_key(settings: Settings) -> str:
    """The key that signs session cookies: made once, kept beside the state database."""
    path = settings.state.parent / SESSION_KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


@dataclass(frozen=True)
class Who:
    """Someone the server let in: a user, or a token's holder."""

    name: str
    read_only: bool = False
    by_token: bool = False


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def token_holder(state: Path, token: str) -> Who | None:
    with access_db(state) as db:
        found: Token | None = token_for(db, token)
    return Who(found.name, found.read_only, by_token=True) if found else None


def check_login(state: Path, name: str, password: str) -> Who | None:
    """A user's name and password, or (with an empty name) a token, as typed in the form."""
    if not name:
        return token_holder(state, password.strip())
    with access_db(state) as db:
        found = user(db, name)
    if found is None:
        _hasher.hash(password)  # the same work as a real check: no timing tells who exists
        return None
    return Who(found.name) if password_matches(found.password_hash, password) else None


def session_user(request: Request) -> Who | None:
    name = request.session.get("user")
    if not isinstance(name, str) or not name:
        return None
    return Who(name, bool(request.session.get("read_only")),
               by_token=bool(request.session.get("by_token")))


def log_in(request: Request, who: Who) -> None:
    request.session.clear()
    request.session.update({"user": who.name, "read_only": who.read_only,
                            "by_token": who.by_token, "csrf": secrets.token_urlsafe(24)})


def log_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, sent: object) -> bool:
    expected = request.session.get("csrf")
    return isinstance(expected, str) and isinstance(sent, str) and bool(expected) \
        and hmac.compare_digest(expected, sent)


class LoginBrake:
    """Failed logins per address over the last minute; past ``MAX_FAILURES``, no more tries.

    In memory: a restart forgets, which costs a guesser a restart of our server.
    """

    def __init__(self, limit: int = MAX_FAILURES, window: float = FAILURE_WINDOW):
        self.limit, self.window = limit, window
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, address: str) -> deque[float]:
        times = self.failures[address]
        now = time.monotonic()
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.limit

    def failed(self, address: str) -> None:
        self._recent(address).append(time.monotonic())

    def succeeded(self, address: str) -> None:
        self.failures.pop(address, None)
