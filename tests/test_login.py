"""Logging in to the pages: a user and password, or a token; logging out; the brake."""

from __future__ import annotations

import pytest
from conftest import Project
from test_pages import client_of, csrf_of, logged_in, token_of


@pytest.fixture
def ann(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project with the user ann (password "correct horse")."""
    project.write({"letter": "/letter"})
    monkeypatch.setenv("MONITOR_PASSWORD", "correct horse")
    assert project.run("user", "add", "ann").code == 0
    return project


def test_a_user_logs_in_with_a_password_and_lands_where_they_were_going(ann: Project) -> None:
    client = client_of(ann)
    answer = client.get("/alerts", follow_redirects=False)
    assert answer.headers["location"] == "/login?next=%2Falerts"
    form = client.get(answer.headers["location"]).text
    assert 'name="next" value="/alerts"' in form
    answer = client.post("/login", data={"user": "ann", "password": "correct horse",
                                         "next": "/alerts"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/alerts"
    page = client.get("/alerts").text
    assert '<span class="who">ann</span>' in page


def test_a_wrong_password_or_token_is_refused(ann: Project) -> None:
    client = client_of(ann)
    for user, password in (("ann", "wrong"), ("bob", "correct horse"), ("", "no-token")):
        answer = client.post("/login", data={"user": user, "password": password},
                             follow_redirects=False)
        assert answer.status_code == 401 and "not known here" in answer.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_token_logs_in_with_an_empty_user(project: Project) -> None:
    project.write({"letter": "/letter"})
    client = client_of(project)
    answer = client.post("/login", data={"user": "", "password": token_of(project, "desk")},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert '<span class="who">desk</span>' in client.get("/").text


def test_next_never_leads_to_another_site(ann: Project) -> None:
    for target in ("https://evil.example/", "//evil.example/", "evil"):
        answer = client_of(ann).post("/login", data={"user": "ann", "password":
                                                     "correct horse", "next": target},
                                     follow_redirects=False)
        assert answer.headers["location"] == "/"


def test_logout_needs_the_csrf_token(project: Project) -> None:
    project.write({"letter": "/letter"})
    client = logged_in(project)
    csrf = csrf_of(client.get("/").text)
    client.post("/logout", data={"csrf": "forged"})
    assert client.get("/", follow_redirects=False).status_code == 200  # still logged in
    answer = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_five_failed_logins_a_minute_stop_the_guessing(ann: Project) -> None:
    client = client_of(ann)
    for _ in range(5):
        assert client.post("/login", data={"user": "ann", "password": "guess"}
                           ).status_code == 401
    blocked = client.post("/login", data={"user": "ann", "password": "correct horse"})
    assert blocked.status_code == 429 and "wait a minute" in blocked.text


def test_a_form_sent_without_a_session_goes_to_the_login_and_then_home(ann: Project) -> None:
    """A redirect cannot send a form again: after logging in, the start, not a 405."""
    answer = client_of(ann).post("/alerts/retry", data={"alert": "x"},
                                 follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2F"
