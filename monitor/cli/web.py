"""``monitor serve``, ``monitor token`` and ``monitor user``: the web view and who may use it.

The web parts are an extra (``pip install 'monitor[web]'``): without it these
commands say how to add it instead of failing on an import.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime

from monitor.cli.common import EXIT_OK, EXIT_USAGE, Command, load_config
from monitor.core.ids import valid_source_id
from monitor.core.timestamps import stamp
from monitor.store import access

WEB_EXTRA = "the web view needs its extra: pip install 'monitor[web]'"


def add_commands(command: Command) -> None:
    serve = command("serve", cmd_serve, "the web view and REST API (default 127.0.0.1:8080)")
    serve.add_argument("--host", help="address to listen on (default: settings.web.host, "
                                      "127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: settings.web.port, else 8080)")
    token = command("token", cmd_token, "API and feed tokens: create NAME, list, revoke NAME")
    token.add_argument("action", choices=["create", "list", "revoke"])
    token.add_argument("name", nargs="?", metavar="NAME")
    token.add_argument("--read-only", action="store_true",
                       help="create: a token that may read but change nothing (feeds)")
    user = command("user", cmd_user, "web users: add NAME, passwd NAME, remove NAME, list")
    user.add_argument("action", choices=["add", "passwd", "remove", "list"])
    user.add_argument("name", nargs="?", metavar="NAME")


def _web_available() -> bool:
    try:
        import argon2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    if not _web_available():
        print(f"monitor serve: {WEB_EXTRA}", file=sys.stderr)
        return EXIT_USAGE
    from monitor.web.server import serve

    config = load_config(args)
    web = config.settings.web
    host = args.host or web.host
    port = args.port if args.port is not None else (web.port or 8080)
    with access.access_db(config.settings.state) as db:
        nobody = not access.users(db) and not access.tokens(db)
    print(f"monitor: the web view on http://{host}:{port}/ (Ctrl-C stops it)")
    if nobody:
        print("monitor: no user or token can log in yet: `monitor user add NAME` or "
              "`monitor token create NAME`")
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"monitor: warning: listening on {host}: put it behind a TLS proxy "
              "(docs/web.md)", file=sys.stderr)
    serve(config, host, port)
    return EXIT_OK


def _name(args: argparse.Namespace, what: str) -> str | None:
    if not args.name:
        print(f"monitor {what}: {args.action} needs a {what} name", file=sys.stderr)
        return None
    if not valid_source_id(args.name):
        print(f"monitor {what}: a {what} name is letters, digits, '.', '_' or '-'",
              file=sys.stderr)
        return None
    return str(args.name)


def cmd_token(args: argparse.Namespace) -> int:
    state = load_config(args).settings.state
    if args.action == "list":
        with access.access_db(state) as db:
            found = access.tokens(db)
        for token in found:
            kind = "read-only" if token.read_only else "read-write"
            print(f"{token.name:<24} {kind:<10} created {token.created_at}")
        if not found:
            print("no tokens: `monitor token create NAME` makes one")
        return EXIT_OK
    name = _name(args, "token")
    if name is None:
        return EXIT_USAGE
    with access.access_db(state, write=True) as db:
        assert db is not None
        if args.action == "revoke":
            if not access.revoke_token(db, name):
                print(f"monitor token: no token named '{name}'", file=sys.stderr)
                return EXIT_USAGE
            print(f"revoked {name}: it no longer opens the API, the feed or the pages")
            return EXIT_OK
        try:
            secret = access.create_token(db, name, args.read_only, stamp(datetime.now(UTC)))
        except ValueError as exc:
            print(f"monitor token: {exc}", file=sys.stderr)
            return EXIT_USAGE
    print(secret)
    print(f"monitor: token '{name}' ({'read-only' if args.read_only else 'read-write'}) is "
          "shown this once; only its hash is kept", file=sys.stderr)
    return EXIT_OK


def _password() -> str | None:
    """From $MONITOR_PASSWORD (scripts), else asked twice at the terminal."""
    given = os.environ.get("MONITOR_PASSWORD")
    if given:
        return given
    first = getpass.getpass("password: ")
    if len(first) < 8:
        print("monitor user: a password has at least 8 characters", file=sys.stderr)
        return None
    if getpass.getpass("again: ") != first:
        print("monitor user: the two passwords differ", file=sys.stderr)
        return None
    return first


def cmd_user(args: argparse.Namespace) -> int:
    state = load_config(args).settings.state
    if args.action == "list":
        with access.access_db(state) as db:
            names = access.users(db)
        print("\n".join(names) if names else "no users: `monitor user add NAME` makes one")
        return EXIT_OK
    name = _name(args, "user")
    if name is None:
        return EXIT_USAGE
    if args.action == "remove":
        with access.access_db(state, write=True) as db:
            assert db is not None
            removed = access.remove_user(db, name)
        if not removed:
            print(f"monitor user: no user named '{name}'", file=sys.stderr)
            return EXIT_USAGE
        print(f"removed user {name}")
        return EXIT_OK
    if not _web_available():
        print(f"monitor user: {WEB_EXTRA}", file=sys.stderr)
        return EXIT_USAGE
    from monitor.web.auth import hash_password

    with access.access_db(state) as db:
        exists = access.user(db, name) is not None
    if args.action == "add" and exists:
        print(f"monitor user: '{name}' exists: `monitor user passwd {name}` changes its "
              "password", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "passwd" and not exists:
        print(f"monitor user: no user named '{name}': `monitor user add {name}`",
              file=sys.stderr)
        return EXIT_USAGE
    password = _password()
    if password is None:
        return EXIT_USAGE
    with access.access_db(state, write=True) as db:
        assert db is not None
        access.save_user(db, name, hash_password(password), stamp(datetime.now(UTC)))
    print(f"{'added' if args.action == 'add' else 'changed the password of'} user {name}")
    return EXIT_OK
