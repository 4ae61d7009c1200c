"""Pure rendering of alerts and digests, shared by the chat and email channels.

Every channel shows the same thing in the markup its service understands, so
the shared parts are here, one job a module, and nothing here does I/O:

- ``text``: sizes in UTF-16 units, truncation, each markup's escape, safe URLs
- ``words``: the word diff rebuilt from ``diff["unified"]``, excerpts around changes
- ``event_words``: each kind of alert's label, icon and colour (``Listed again``)
- ``alert_view``: what an alert says (``AlertView``), its one-line gist
- ``markup``: a word diff in plain, Slack, Markdown, email, Telegram and Matrix markup
- ``fitting``: whole passages kept within a size budget, the rest counted
- ``digest``: a digest as rows per source, as text and HTML tables
- ``options``: URL option checks, yes/no options, redacted error text

The channel modules use this package as ``render as r`` (``r.view``, ``r.fit``…),
so the names are re-exported here; the modules import each other directly.
"""

from __future__ import annotations

from monitor.core.diff import DELETE, EQUAL, INSERT
from monitor.core.people_time import for_people
from monitor.notify.channels.render.alert_view import (
    CODE_FACTS,
    DIFF_LINK_TEXT,
    REASONS,
    SOURCE_LINK_TEXT,
    TEST_MARK,
    AlertView,
    gist,
    html_facts,
    more_changes,
    page_url,
    quoted,
    review_link,
    short_revision,
    view,
)
from monitor.notify.channels.render.digest import (
    CHAT_DIGEST_ROWS,
    DigestRow,
    DigestView,
    digest_html_table,
    digest_text_table,
    digest_view,
    period,
)
from monitor.notify.channels.render.event_words import (
    EVENT_COLOURS,
    EVENT_ICONS,
    EVENT_LABELS,
    EXCERPT_LABELS,
    URL_FACTS,
    alert_kind,
    by_kind,
    kind_label,
)
from monitor.notify.channels.render.fitting import Fitted, Note, fit
from monitor.notify.channels.render.markup import (
    DEL_STYLE,
    INS_STYLE,
    email_html,
    mark,
    markdown,
    matrix_html,
    plain,
    slack,
    telegram_html,
)
from monitor.notify.channels.render.options import flag, redact, url_problems
from monitor.notify.channels.render.text import (
    defuse_mentions,
    escape_html,
    escape_markdown,
    escape_slack,
    safe_url,
    truncate,
    units,
)
from monitor.notify.channels.render.words import (
    CHAT_CHANGE_CHARS,
    CONTEXT_CHARS_PER_WORD,
    CONTEXT_WORDS,
    EMAIL_CHANGE_CHARS,
    HEADER_LINE,
    Segment,
    clip,
    count_changes,
    excerpts,
    inline_diff,
    side,
    word_blocks,
)

__all__ = [
    "CHAT_CHANGE_CHARS",
    "CHAT_DIGEST_ROWS",
    "CODE_FACTS",
    "CONTEXT_CHARS_PER_WORD",
    "CONTEXT_WORDS",
    "DELETE",
    "DEL_STYLE",
    "DIFF_LINK_TEXT",
    "EMAIL_CHANGE_CHARS",
    "EQUAL",
    "EVENT_COLOURS",
    "EVENT_ICONS",
    "EVENT_LABELS",
    "EXCERPT_LABELS",
    "HEADER_LINE",
    "INSERT",
    "INS_STYLE",
    "REASONS",
    "SOURCE_LINK_TEXT",
    "TEST_MARK",
    "URL_FACTS",
    "AlertView",
    "DigestRow",
    "DigestView",
    "Fitted",
    "Note",
    "Segment",
    "alert_kind",
    "by_kind",
    "clip",
    "count_changes",
    "defuse_mentions",
    "digest_html_table",
    "digest_text_table",
    "digest_view",
    "email_html",
    "escape_html",
    "escape_markdown",
    "escape_slack",
    "excerpts",
    "fit",
    "flag",
    "for_people",
    "gist",
    "html_facts",
    "inline_diff",
    "kind_label",
    "mark",
    "markdown",
    "matrix_html",
    "more_changes",
    "page_url",
    "period",
    "plain",
    "quoted",
    "redact",
    "review_link",
    "safe_url",
    "short_revision",
    "side",
    "slack",
    "telegram_html",
    "truncate",
    "units",
    "url_problems",
    "view",
    "word_blocks",
]
