"""Who may use the web view and the API: tokens and users, kept in the state database.

A token is shown once, when it is made, and kept only as its SHA-256: a copy
of the database gives no one access. A user's password is kept as the hash
the web stage makes (argon2); this module stores and finds, it never hashes a
password, so the store needs no optional dependency.

These tables are written by ``monitor token`` and ``monitor user``, not by a
pass, so they take no writer lock: SQLite's own locking is enough, and a
running pass never waits on them.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ACCESS_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    read_only INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""
TOKEN_PREFIX = "mon_"  # says what a token is when one turns up in a paste or a log


@dataclass(frozen=True)
class Token:
    name: str
    read_only: bool
    created_at: str


@dataclass(frozen=True)
class User:
    name: str
    password_hash: str
    created_at: str


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@contextmanager
def access_db(state: Path, *, write: bool = False) -> Iterator[sqlite3.Connection | None]:
    """The state database for the access tables; None when reading one that does not exist.

    Writing creates the file and the tables if they are missing (a project
    whose first check has not run yet may already want a token).
    """
    if not write and not state.exists():
        yield None
        return
    if write:
        state.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(state, timeout=30, isolation_level=None)
    else:
        db = sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=30)
    db.row_factory = sqlite3.Row
    try:
        if write:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(ACCESS_SCHEMA)
        yield db
    finally:
        db.close()


def _has_tables(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT count(*) FROM sqlite_master WHERE name IN ('tokens', 'users')")
    return bool(row.fetchone()[0] == 2)


def create_token(db: sqlite3.Connection, name: str, read_only: bool, now: str) -> str:
    """A new token named ``name``; ValueError when the name is taken. Returns the token."""
    token = new_token()
    try:
        db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)",
                   (name, token_sha256(token), int(read_only), now))
    except sqlite3.IntegrityError:
        raise ValueError(f"a token named '{name}' exists: revoke it first, or choose "
                         "another name") from None
    return token


def tokens(db: sqlite3.Connection | None) -> list[Token]:
    if db is None or not _has_tables(db):
        return []
    return [Token(r["name"], bool(r["read_only"]), r["created_at"])
            for r in db.execute("SELECT * FROM tokens ORDER BY created_at, name")]


def revoke_token(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("DELETE FROM tokens WHERE name = ?", (name,)).rowcount > 0


def token_for(db: sqlite3.Connection | None, token: str) -> Token | None:
    """The token this secret is, or None."""
    if db is None or not token or not _has_tables(db):
        return None
    row = db.execute("SELECT * FROM tokens WHERE sha256 = ?",
                     (token_sha256(token),)).fetchone()
    return Token(row["name"], bool(row["read_only"]), row["created_at"]) if row else None


def save_user(db: sqlite3.Connection, name: str, password_hash: str, now: str) -> bool:
    """Add or change a user; True when the user is new."""
    new = db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None
    db.execute("INSERT OR REPLACE INTO users VALUES (?, ?, ?)", (name, password_hash, now))
    return new


def user(db: sqlite3.Connection | None, name: str) -> User | None:
    if db is None or not _has_tables(db):
        return None
    row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return User(row["name"], row["password_hash"], row["created_at"]) if row else None


def users(db: sqlite3.Connection | None) -> list[str]:
    if db is None or not _has_tables(db):
        return []
    return [r["name"] for r in db.execute("SELECT name FROM users ORDER BY name")]


def remove_user(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0
