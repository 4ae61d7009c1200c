"""An alert's reason in words a person can forward: the alert JSON's ``reason_text``.

``reason`` is a code for tools (``gone-404``, ``soft-404``, a fetch error as the
fetcher worded it); ``reason_text`` says the same to a reader who has never
seen the tool: "the page now answers 404 Not Found". Every event has one, so a
receiver can always show a sentence. Pure: built from what the alert holds.
"""

from __future__ import annotations

import re

GONE = {
    "gone-404": "the page now answers 404 Not Found",
    "gone-410": "the page now answers 410 Gone",
    "gone-451": "the page now answers 451 Unavailable For Legal Reasons",
    "soft-404": "the page now says it was not found (soft 404)",
    "redirect-home": "the page now redirects to the site's home or a section page",
}

#: (pattern at the start of a fetch or check error, words); the first match wins
FAILURES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), words) for pattern, words in (
        (r"the host name does not resolve", "the site no longer resolves"),
        (r"TLS error", "the site's secure connection (TLS) fails"),
        (r"cannot connect", "the site does not accept connections"),
        (r"connection broken", "the site breaks off the connection"),
        (r"timed out|no complete answer within", "the site does not answer in time"),
        (r"blocked: a captcha", "a captcha, consent or paywall page stands in front of "
                                "the article"),
        (r"blocked: HTTP (\d+)", "the site refuses the monitor (HTTP {0}), which is not a "
                                 "removal"),
        (r"HTTP (5\d\d)", "the site answers HTTP {0} (a server error)"),
        (r"deferred:", "the server asked to be checked later"),
        (r"disallowed by robots\.txt", "the site's robots.txt disallows checking the page"),
        (r"never fetched: (.*?) — check the URL", "the page was never found ({0}): check "
                                                 "the URL"),
        (r"no article text found", "the page has no article text"),
    ))

CHANGED = {
    "changing-constantly": "the page keeps changing ({count} changes within 6 hours): "
                           "every version is kept, but no more alerts until it settles",
    "collapsed": "most of the article's text is gone (confirmed on a second check)",
    "earlier-text-missing": "the earlier snapshot file was missing, so this version is "
                            "compared with the last one the state database knew",
}


def reason_text(event: str, reason: str | None, *, count: int | None = None,
                reverts_to: str | None = None, to_url: str | None = None) -> str:
    """The sentence for one alert: what happened, or why, in plain words."""
    if event == "removed":
        return GONE.get(reason or "", f"the page is gone ({reason})" if reason
                        else "the page is gone")
    if event == "failing":
        return failure_words(reason)
    if event == "changed":
        if reason in CHANGED:
            return CHANGED[reason].format(count=count if count is not None else "many")
        if reverts_to:
            return "the text went back to the wording of an earlier version"
        return "the page's wording changed"
    if event == "moved":
        return f"the article moved to {to_url}" if to_url else "the article moved"
    if event == "restored":
        return "the page is back online"
    if event == "recovered":
        return "the page can be checked again"
    if event == "new":
        if reason == "held-back":
            return (f"{count if count is not None else 'more'} new article(s) wait to be "
                    "watched: past the listing's max_new, they go first at the next checks")
        return "a new article appeared in the listing"
    if event == "delisted":
        if reason == "reverted":
            return "the article is listed again"
        return "the listing no longer names the article, although its page still works"
    if event == "noindexed":
        if reason == "reverted":
            return "the page no longer asks search engines to drop it (noindex removed)"
        return "the page now asks search engines to drop it (noindex)"
    if event == "canonical-changed":
        if reason == "reverted":
            return "the page's canonical address points at the page itself again"
        return (f"the page's canonical address now points elsewhere: {to_url}" if to_url
                else "the page's canonical address now points elsewhere")
    return reason or event


def failure_words(reason: str | None) -> str:
    """Why a source cannot be checked; the fetcher's own words when nothing fits."""
    text = " ".join((reason or "").split())
    for pattern, words in FAILURES:
        match = pattern.match(text)
        if match:
            return words.format(*match.groups())
    return f"the page cannot be checked: {text}" if text else "the page cannot be checked"
