"""store/access.py: tokens kept as their SHA-256, users as the web's hash, in real SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitor.store import access

NOW = "2026-01-01T00:00:00Z"  # a stored value only: nothing compares it with the clock


def test_a_token_is_kept_only_as_its_hash(tmp_path: Path) -> None:
    state = tmp_path / ".monitor" / "state.db"
    with access.access_db(state, write=True) as db:
        assert db is not None
        secret = access.create_token(db, "feeds", True, NOW)
    assert secret.startswith(access.TOKEN_PREFIX) and len(secret) > 40
    raw = sqlite3.connect(state).execute("SELECT * FROM tokens").fetchall()
    assert raw == [("feeds", access.token_sha256(secret), 1, NOW)]
    assert secret not in state.read_bytes().decode("latin-1")
    with access.access_db(state) as db:
        assert access.token_for(db, secret) == access.Token("feeds", True, NOW)
        assert access.token_for(db, secret + "x") is None
        assert access.token_for(db, "") is None


def test_token_names_are_unique_and_revoking_ends_a_token(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with access.access_db(state, write=True) as db:
        assert db is not None
        first = access.create_token(db, "ci", False, NOW)
        with pytest.raises(ValueError, match="exists"):
            access.create_token(db, "ci", False, NOW)
        assert [t.name for t in access.tokens(db)] == ["ci"]
        assert access.revoke_token(db, "ci") and not access.revoke_token(db, "ci")
        assert access.token_for(db, first) is None


def test_users_are_added_changed_and_removed(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with access.access_db(state, write=True) as db:
        assert db is not None
        assert access.save_user(db, "ann", "hash-1", NOW) is True
        assert access.save_user(db, "ann", "hash-2", NOW) is False
        assert access.user(db, "ann") == access.User("ann", "hash-2", NOW)
        assert access.users(db) == ["ann"]
        assert access.remove_user(db, "ann") and access.user(db, "ann") is None


def test_reading_a_project_without_a_database_finds_nobody(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with access.access_db(state) as db:
        assert db is None
        assert access.tokens(db) == [] and access.users(db) == []
        assert access.token_for(db, "mon_x") is None and access.user(db, "ann") is None
    assert not state.exists()  # reading made nothing


def test_a_database_made_before_the_access_tables_reads_as_nobody(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    sqlite3.connect(state).execute("CREATE TABLE sources (id TEXT)").connection.commit()
    with access.access_db(state) as db:
        assert access.tokens(db) == [] and access.token_for(db, "mon_x") is None
