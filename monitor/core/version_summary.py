"""One line per version for ``monitor history``: "changed: 80,000 → 8,000".

A commit's subject only says "changed: letter"; a reader scanning a history
wants what changed without opening each diff. The line is built from the two
snapshots (the version and the one before it) with the same diff and the same
classification as the alerts (``monitor.core.diff``, ``monitor.core.changes``),
so history and alerts never disagree. Pure: it reads only what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.core.changes import FIELD_LABELS, Change
from monitor.core.diff import diff_documents
from monitor.core.document import Snapshot
from monitor.core.reasons import reason_text

MAX_CHANGES = 3  # shown on the line; the rest are counted
MAX_CHARS = 40  # of each side of one change


def version_summary(event: str, reason: str, old: Snapshot | None,
                    new: Snapshot | None) -> str:
    """``event: what`` for one version, ``old`` the version before it (None for the first)."""
    if old is None or new is None or event == "baseline":
        return f"{event}: the first version kept" if event == "baseline" else event
    if event == "removed":
        return f"removed: {reason_text('removed', reason)}"  # the alerts' own words
    if event == "moved":
        return f"moved: {old.url} → {new.url}"
    what = describe(diff_documents(old.document, new.document).changes)
    if event == "restored":
        return f"restored: {what or 'back with the text it had'}"
    if event == "changed":
        return f"changed: {what or 'the wording'}"
    # rescoped, rewritten, ...: committed without an alert, for the reason given
    return f"{event}{f' ({reason})' if reason else ''}{f': {what}' if what else ''}"


def describe(changes: Sequence[Change]) -> str:
    """The first few changes, "80,000 → 8,000; headline: A → B (and 2 more)"."""
    parts = list(dict.fromkeys(_one(change) for change in changes))
    shown = "; ".join(parts[:MAX_CHANGES])
    more = len(parts) - MAX_CHANGES
    return shown + (f" (and {more} more)" if more > 0 else "")


def _one(change: Change) -> str:
    if change.kind in ("added-paragraph", "removed-paragraph"):
        verb = change.kind.split("-")[0]
        name = "correction note" if change.field == "correction" else "paragraph"
        return f"a {name} {verb}: {_quoted(change.after or change.before)}"
    field = "" if change.field == "body" else \
        FIELD_LABELS.get(change.field, change.field).lower() + ": "
    if change.before and change.after:
        return f"{field}{_quoted(change.before)} → {_quoted(change.after)}"
    if change.after:
        return f"{field}added {_quoted(change.after)}"
    return f"{field}removed {_quoted(change.before)}"


def _quoted(text: str | None) -> str:
    """A short span as it is (``80,000``); words in quotation marks, cut to fit."""
    text = " ".join((text or "").split())
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 1].rstrip() + "…"
    return f"“{text}”" if " " in text else text
