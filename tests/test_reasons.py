"""reason_text: every event's reason in words, from the codes and errors checks give."""

from __future__ import annotations

import pytest

from monitor.core.reasons import failure_words, reason_text


@pytest.mark.parametrize(("code", "words"), [
    ("gone-404", "the page now answers 404 Not Found"),
    ("gone-410", "the page now answers 410 Gone"),
    ("gone-451", "the page now answers 451 Unavailable For Legal Reasons"),
    ("soft-404", "the page now says it was not found (soft 404)"),
    ("redirect-home", "the page now redirects to the site's home or a section page"),
    ("gone-999", "the page is gone (gone-999)"),
    (None, "the page is gone"),
])
def test_each_removal_reason(code: str | None, words: str) -> None:
    assert reason_text("removed", code) == words


@pytest.mark.parametrize(("error", "words"), [
    ("the host name does not resolve: [Errno -2] Name or service not known",
     "the site no longer resolves"),
    ("TLS error: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
     "the site's secure connection (TLS) fails"),
    ("cannot connect: [Errno 111] Connection refused", "the site does not accept connections"),
    ("connection broken: Server disconnected", "the site breaks off the connection"),
    ("no complete answer within 30s", "the site does not answer in time"),
    ("timed out", "the site does not answer in time"),
    ("HTTP 503", "the site answers HTTP 503 (a server error)"),
    ("blocked: HTTP 403 (not a removal)",
     "the site refuses the monitor (HTTP 403), which is not a removal"),
    ("blocked: a captcha, consent or paywall page",
     "a captcha, consent or paywall page stands in front of the article"),
    ("never fetched: HTTP 404 — check the URL",
     "the page was never found (HTTP 404): check the URL"),
    ("unsupported content type image/png",
     "the page cannot be checked: unsupported content type image/png"),
    (None, "the page cannot be checked"),
])
def test_each_failure_in_words(error: str | None, words: str) -> None:
    assert failure_words(error) == words
    assert reason_text("failing", error) == words


def test_changes_moves_and_returns() -> None:
    assert reason_text("changed", None) == "the page's wording changed"
    assert reason_text("changed", None, reverts_to="abc") == \
        "the text went back to the wording of an earlier version"
    assert reason_text("changed", "changing-constantly", count=7).startswith(
        "the page keeps changing (7 changes within 6 hours)")
    assert reason_text("changed", "collapsed").startswith("most of the article's text is gone")
    assert reason_text("moved", "redirected", to_url="https://e.org/b") == \
        "the article moved to https://e.org/b"
    assert reason_text("restored", None) == "the page is back online"
    assert reason_text("recovered", None) == "the page can be checked again"
