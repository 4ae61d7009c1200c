"""render/digest.py: a digest counts each kind apart, names it in words and keeps columns."""

from __future__ import annotations

import re
from typing import Any

from monitor.notify.channels import render as r
from testing import discovery_alerts as found
from testing.discovery_alerts import ARTICLE_ID, ARTICLE_URL, LISTING_ID


def digest(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {"id": "01JD5W2V3K8Q000000000DIGEST", "event": "digest", "alerts": list(alerts),
            "since": "2026-11-25T10:00:00Z", "until": "2026-11-25T10:59:00Z"}


def test_a_way_back_is_counted_apart_from_the_problem_it_ends() -> None:
    d = r.digest_view(digest(found.delisted(), found.delisted("reverted"), found.noindexed(),
                             found.canonical_changed(), found.canonical_changed("reverted")))
    [row] = d.rows
    assert row.source_id == ARTICLE_ID
    assert d.events == ["delisted", "delisted/reverted", "noindexed", "canonical-changed",
                        "canonical-changed/reverted"]
    assert row.events_text() == ("delisted, listed again, noindexed, canonical changed, "
                                 "canonical restored")
    assert row.url == ARTICLE_URL  # the page, not the canonical the last alert named


def test_the_tables_name_each_kind_and_keep_their_columns() -> None:
    d = r.digest_view(digest(*found.every_kind().values(), found.new()))
    text = r.digest_text_table(d)
    header, rule, *rows = text.split("\n")
    assert header.split("  ")[0].strip() == "source"
    assert "canonical restored" in header and "new articles waiting" in header
    assert all(len(line) == len(header) for line in (rule, *rows))  # every column fits
    assert re.search(rf"^{re.escape(ARTICLE_ID)} +2 +· ", text, re.M)  # two new, no waiting
    assert re.search(rf"^{LISTING_ID} +· +1 ", text, re.M)
    html = r.digest_html_table(d)
    for label in ("New article", "New articles waiting", "Listed again", "Indexable again",
                  "Canonical changed", "Canonical restored"):
        assert f">{label}</th>" in html
    new_row = next(row for row in d.rows if row.source_id == ARTICLE_ID)
    assert new_row.events_text().startswith("new article ×2, delisted, listed again")


def test_old_digests_read_as_before() -> None:
    changed = {"id": "A", "event": "changed", "source_id": "letter", "url": "https://e.org/a",
               "title": "Letter", "diff": {"added": ["8,000"], "removed": ["80,000"]}}
    d = r.digest_view(digest(changed, {**changed, "id": "B"},
                             {**changed, "id": "C", "event": "removed", "diff": None}))
    assert d.events == ["changed", "removed"]
    assert d.rows[0].events_text() == "changed ×2, removed"
    assert r.digest_text_table(d).split("\n")[0] == "source    changed    removed"
