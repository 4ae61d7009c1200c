"""web/auth.py: password hashes, the session key, logins by user or token, the brake."""

from __future__ import annotations

import stat
from pathlib import Path

from monitor.core.model import Settings
from monitor.store import access
from monitor.web import auth

NOW = "2026-01-01T00:00:00Z"


def test_passwords_are_argon2_and_checked() -> None:
    hashed = auth.hash_password("correct horse")
    assert hashed.startswith("$argon2") and "correct horse" not in hashed
    assert auth.password_matches(hashed, "correct horse")
    assert not auth.password_matches(hashed, "wrong")
    assert not auth.password_matches("not a hash", "correct horse")


def test_the_session_key_is_made_once_and_private(tmp_path: Path) -> None:
    settings = Settings(state=tmp_path / ".monitor" / "state.db")
    key = auth.session_key(settings)
    path = tmp_path / ".monitor" / auth.SESSION_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(key) >= 48
    assert auth.session_key(settings) == key


def test_a_login_is_a_user_and_password_or_a_token(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with access.access_db(state, write=True) as db:
        assert db is not None
        access.save_user(db, "ann", auth.hash_password("a long password"), NOW)
        secret = access.create_token(db, "reader", True, NOW)
    assert auth.check_login(state, "ann", "a long password") == auth.Who("ann")
    assert auth.check_login(state, "ann", "wrong") is None
    assert auth.check_login(state, "bob", "a long password") is None
    assert auth.check_login(state, "", secret) == auth.Who("reader", read_only=True,
                                                           by_token=True)
    assert auth.check_login(state, "", "mon_guess") is None


def test_the_brake_stops_the_sixth_failure_in_a_minute_and_forgets_after() -> None:
    brake = auth.LoginBrake(limit=5, window=60)
    for _ in range(5):
        assert not brake.blocked("10.0.0.1")
        brake.failed("10.0.0.1")
    assert brake.blocked("10.0.0.1") and not brake.blocked("10.0.0.2")
    brake.succeeded("10.0.0.1")
    assert not brake.blocked("10.0.0.1")
    quick = auth.LoginBrake(limit=1, window=0)  # a window already over: nothing counts
    quick.failed("10.0.0.3")
    assert not quick.blocked("10.0.0.3")
