"""The page's own modified date: structured first, then a visible "Updated" element."""

from __future__ import annotations

from lxml.html import fromstring

from monitor.extract.modified import modified_date


def test_json_ld_then_meta_then_a_visible_updated_element() -> None:
    page = fromstring("""<html><head>
<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
 "dateModified": "2026-03-02T10:00:00Z"}]}</script>
<meta property="article:modified_time" content="2026-03-01T00:00:00Z"></head>
<body><p class="updated"><time datetime="2026-02-01">1 Feb</time></p></body></html>""")
    assert modified_date(page) == "2026-03-02T10:00:00Z"
    meta = fromstring('<html><head><meta property="article:modified_time" '
                      'content="2026-03-01T00:00:00Z"></head><body><p>x</p></body></html>')
    assert modified_date(meta) == "2026-03-01T00:00:00Z"
    visible = fromstring('<html><body><span class="article__updated">Updated 3 March 2026, '
                         '10:04</span><p>x</p></body></html>')
    assert modified_date(visible) == "Updated 3 March 2026, 10:04"


def test_no_modified_date_and_broken_json_ld_say_none() -> None:
    page = fromstring('<html><head><script type="application/ld+json">{not json'
                      '</script></head><body><p class="update-list">No digits here</p>'
                      '</body></html>')
    assert modified_date(page) == ""
