"""Alerts of the discovery and page-signal events, built as the pipeline builds them.

Each is ``monitor.core.alert.make_alert(...).to_json()``: a found article of the
``mfa-press`` listing that is new, delisted (and listed again), noindexed (and
indexable again), whose canonical moved away (and came back), and the listing's
own held-back ``new`` alert about the articles waiting past its ``max_new``.
The channel tests render every one of them.
"""

from __future__ import annotations

from typing import Any

from monitor.core.alert import Alert, make_alert
from monitor.core.document import Document
from monitor.core.model import Source
from monitor.core.schedule import Schedule

LISTING_ID = "mfa-press"
LISTING_URL = "https://www.mfa.example.gov/en/press/"
ARTICLE_ID = "mfa-press.statement-on-xinjiang-3f9a2c"
ARTICLE_URL = "https://www.mfa.example.gov/en/press/2026/statement-on-xinjiang"
ELSEWHERE = "https://www.mfa.example.gov/en/archive/old-statement"
TITLE = "Statement on Xinjiang"
OPENING = "The Ministry today rejects the report of the Special Rapporteur."
REVISION = "3f2a9c1d7e5b4a6f8091a2b3c4d5e6f708192a3b"

LISTING = Source(id=LISTING_ID, url=LISTING_URL, schedule=Schedule(every=3600),
                 name="MFA press releases", tags=("cn",))
ARTICLE = Source(id=ARTICLE_ID, url=ARTICLE_URL, schedule=Schedule(every=3600),
                 tags=("cn",), listing=LISTING_ID)
TEXT = Document(title=TITLE, paragraphs=(OPENING, "It calls the findings baseless."))


def _alert(event: str, source: Source, suffix: str, **kwargs: Any) -> Alert:
    return make_alert(event, alert_id=f"01JD5W2V3K8Q00000000{suffix:0>6}", source=source,
                      title=kwargs.pop("title", TITLE), detected_at="2026-11-25T10:00:00Z",
                      revision=REVISION, **kwargs)


def new_alert() -> Alert:
    return _alert("new", ARTICLE, "NEW", last_text=TEXT, listing_id=LISTING_ID)


def held_back_alert(count: int = 7) -> Alert:
    return _alert("new", LISTING, "HELD", title="Press releases", reason="held-back",
                  count=count, listing_id=LISTING_ID)


def delisted_alert(reason: str | None = None) -> Alert:
    return _alert("delisted", ARTICLE, "DELIST" if reason is None else "RELIST",
                  reason=reason, last_text=TEXT, listing_id=LISTING_ID,
                  last_seen_at="2026-11-25T09:00:00Z")


def noindexed_alert(reason: str | None = None, place: str = "header") -> Alert:
    return _alert("noindexed", ARTICLE, "NOIDX" if reason is None else "INDEX",
                  reason=reason, noindex_source=place)


def canonical_alert(reason: str | None = None) -> Alert:
    moved = (ARTICLE_URL, ELSEWHERE) if reason is None else (ELSEWHERE, ARTICLE_URL)
    return _alert("canonical-changed", ARTICLE, "CANON" if reason is None else "CANBAK",
                  reason=reason, moved=moved)


def every_kind_typed() -> dict[str, Alert]:
    """Each new kind of alert as a typed value (what ``Store.add_alert`` takes), by kind."""
    return {
        "new": new_alert(), "new/held-back": held_back_alert(),
        "delisted": delisted_alert(), "delisted/reverted": delisted_alert("reverted"),
        "noindexed": noindexed_alert(), "noindexed/reverted": noindexed_alert("reverted", "meta"),
        "canonical-changed": canonical_alert(),
        "canonical-changed/reverted": canonical_alert("reverted"),
    }


def every_kind() -> dict[str, dict[str, Any]]:
    """Each new kind of alert as its JSON document, by kind: ``new``, ``new/held-back``…"""
    return {kind: alert.to_json() for kind, alert in every_kind_typed().items()}


def new() -> dict[str, Any]:
    return new_alert().to_json()


def held_back(count: int = 7) -> dict[str, Any]:
    return held_back_alert(count).to_json()


def delisted(reason: str | None = None) -> dict[str, Any]:
    return delisted_alert(reason).to_json()


def noindexed(reason: str | None = None, place: str = "header") -> dict[str, Any]:
    return noindexed_alert(reason, place).to_json()


def canonical_changed(reason: str | None = None) -> dict[str, Any]:
    return canonical_alert(reason).to_json()
