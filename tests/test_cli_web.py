"""cli/web.py: monitor token and monitor user, against the project's real state database."""

from __future__ import annotations

import pytest
from conftest import Project

from monitor.store import access
from monitor.web.auth import check_login


@pytest.fixture
def configured(project: Project) -> Project:
    project.write({"a": "/a"})
    return project


def test_a_token_is_printed_once_and_kept_as_a_hash(configured: Project) -> None:
    made = configured.run("token", "create", "feeds", "--read-only")
    assert made.code == 0, made.err
    secret = made.out.strip()
    assert secret.startswith(access.TOKEN_PREFIX) and "shown this once" in made.err
    state = configured.config().settings.state
    assert check_login(state, "", secret) is not None
    listed = configured.run("token", "list")
    assert "feeds" in listed.out and "read-only" in listed.out and secret not in listed.out
    again = configured.run("token", "create", "feeds")
    assert again.code == 2 and "exists" in again.err
    assert configured.run("token", "revoke", "feeds").code == 0
    assert check_login(state, "", secret) is None
    assert configured.run("token", "revoke", "feeds").code == 2
    assert configured.run("token", "create").code == 2  # a name is needed


def test_users_take_a_password_from_the_environment(configured: Project,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_PASSWORD", "first password")
    assert configured.run("user", "add", "ann").code == 0
    state = configured.config().settings.state
    assert check_login(state, "ann", "first password") is not None
    assert configured.run("user", "add", "ann").code == 2  # exists: passwd changes it
    monkeypatch.setenv("MONITOR_PASSWORD", "second password")
    assert configured.run("user", "passwd", "ann").code == 0
    assert check_login(state, "ann", "first password") is None
    assert check_login(state, "ann", "second password") is not None
    assert configured.run("user", "list").out.strip() == "ann"
    assert configured.run("user", "remove", "ann").code == 0
    assert configured.run("user", "passwd", "ann").code == 2
    assert "no users" in configured.run("user", "list").out


def test_names_follow_the_id_rule(configured: Project) -> None:
    bad = configured.run("token", "create", "two words")
    assert bad.code == 2 and "letters, digits" in bad.err
