"""What changed between two versions of an article, and which event that is.

The diff runs in steps because a character diff of a whole article costs
~11 ms and can hit diff-match-patch's 1 s timeout on a rewrite: paragraphs are
diffed as units first (line mode, ~0.03 ms), the removed and added paragraphs
of each changed run are paired, and only each pair is diffed word by word, so
fragments are whole words (``8,000``, never ``-0``). No step has a deadline:
work is bounded by size, so the same two versions always give the same diff.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from diff_match_patch import diff_match_patch

from monitor.extract.article import Document, Snapshot
from monitor.fetch.client import FetchResult, is_text

# Words keep inner punctuation (8,000 / 3.5 / don't / e-mail); quotes and trailing
# punctuation are tokens of their own, so a fragment is the words that changed.
TOKENS = re.compile(r"\s+|\w(?:[\w'’.,%/-]*\w)?|[^\w\s]")
DELETE, EQUAL, INSERT = -1, 0, 1


@dataclass(frozen=True)
class Diff:
    added: list[str]
    removed: list[str]
    unified: str

    def as_dict(self) -> dict[str, object]:
        return {"added": self.added, "removed": self.removed, "unified": self.unified}


# Bounds on diff work, by size and never by time, so that the same two versions give
# the same diff on any machine under any load (diff-match-patch's own timeout cuts a
# diff short wherever the clock says so).
WORD_DIFF_LIMIT = 2_000  # tokens on both sides of one paragraph's changed middle
PARAGRAPH_DIFF_LIMIT = 4_000  # paragraphs on both sides of a document's changed middle
PAIRING_WINDOW = 50  # old paragraphs of a replaced run that one new paragraph is tried with
MAX_DISTINCT_UNITS = 1_000_000  # each becomes one character: below chr()'s 1,114,111
SIMILAR = 0.6  # quick_ratio from which a removed and an added paragraph are one edit


def _differ() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # no deadline: the size limits above bound the work instead
    return dmp


def _encode(tokens: list[str], table: list[str], index: dict[str, int]) -> str:
    """Each distinct token as one character, so diff_main compares tokens as units."""
    out = []
    for token in tokens:
        if token not in index:
            index[token] = len(table)
            table.append(token)
        out.append(chr(index[token]))
    return "".join(out)


def _common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many units the two sequences share at the start, and then at the end."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, suffix


def diff_units(old: list[str], new: list[str],
               limit: int = WORD_DIFF_LIMIT) -> list[tuple[int, list[str]]]:
    """diff-match-patch over sequences of units (paragraphs or words), deterministic.

    When the part that differs (the sequences without their common start and
    end) holds more than ``limit`` units, or has no unit in common, it is one
    replacement: a diff of it would cost time growing with the square of its
    size, to say little more than "rewritten".
    """
    prefix, suffix = _common_ends(old, new)
    middle_old, middle_new = old[prefix:len(old) - suffix], new[prefix:len(new) - suffix]
    if len(middle_old) + len(middle_new) > limit or not set(middle_old) & set(middle_new) \
            or len(set(old) | set(new)) > MAX_DISTINCT_UNITS:
        ops = [(EQUAL, old[:prefix]), (DELETE, middle_old), (INSERT, middle_new),
               (EQUAL, old[len(old) - suffix:])]
        return [(op, units) for op, units in ops if units]
    table: list[str] = []
    index: dict[str, int] = {}
    a, b = _encode(old, table, index), _encode(new, table, index)
    dmp = _differ()
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    return [(op, [table[ord(c)] for c in text]) for op, text in diffs]


def similar(before: str, after: str) -> bool:
    """Whether an added paragraph is a removed one edited, rather than a new one."""
    return SequenceMatcher(None, before, after, autojunk=False).quick_ratio() >= SIMILAR


def pair_paragraphs(old: list[str], new: list[str],
                    same: Callable[[str, str], bool] = similar,
                    ) -> list[tuple[str | None, str | None]]:
    """Match the removed and added paragraphs of one replaced run, in order.

    A run of changed paragraphs is usually paragraphs edited in place, sometimes
    with one inserted or dropped. Each edited paragraph is paired with its old
    self (the first similar one, within ``PAIRING_WINDOW``), so that words are
    diffed within one paragraph; the others are wholly removed or added.
    """
    pairs: list[tuple[str | None, str | None]] = []
    added: list[str] = []  # new paragraphs with no old one, shown after the removed ones
    start = 0
    for after in new:
        window = range(start, min(len(old), start + PAIRING_WINDOW))
        match = next((j for j in window if same(old[j], after)), None)
        if match is None:
            added.append(after)
            continue
        pairs += [(before, None) for before in old[start:match]]
        pairs += [(None, a) for a in added]
        pairs.append((old[match], after))
        added, start = [], match + 1
    pairs += [(before, None) for before in old[start:]]
    pairs += [(None, a) for a in added]
    return pairs


def changed_paragraphs(old: list[str], new: list[str]) -> list[tuple[str | None, str | None]]:
    """The paragraphs that differ, as (old, new) pairs; None where one side has none."""
    changes: list[tuple[str | None, str | None]] = []
    pending: dict[int, list[str]] = {DELETE: [], INSERT: []}
    for op, units in [*diff_units(old, new, PARAGRAPH_DIFF_LIMIT), (EQUAL, [])]:
        if op != EQUAL:
            pending[op].extend(units)
        elif pending[DELETE] or pending[INSERT]:
            changes += [(before, after) for before, after
                        in pair_paragraphs(pending[DELETE], pending[INSERT]) if before != after]
            pending = {DELETE: [], INSERT: []}
    return changes


def _fragments(removed_text: str, added_text: str) -> tuple[list[str], list[str]]:
    """Whole-word fragments removed from and added to one changed stretch of text."""
    removed: list[str] = []
    added: list[str] = []
    ops = diff_units(TOKENS.findall(removed_text), TOKENS.findall(added_text))
    for op, tokens in ops:
        if op == EQUAL:
            continue
        target = removed if op == DELETE else added
        for piece in "".join(tokens).split("\n"):
            if piece.strip():
                target.append(piece.strip())
    return removed, added


def same_wording(old: Document, new: Document) -> bool:
    """Whether nothing that counts changed: the same text, or only the date moved forward.

    trafilatura takes the date from the page's metadata or, lacking that, from
    elements such as "Page last updated ...", which tick forward on every fetch.
    A date that moves *back* (an article backdated) or appears with a text change
    still counts.
    """
    if old == new:
        return True
    return replace(new, date=old.date) == old and new.date > old.date


def diff_documents(old: Document, new: Document) -> Diff:
    """Title, byline and date word by word, then each changed paragraph word by word."""
    removed: list[str] = []
    added: list[str] = []
    fields = [(old.title, new.title), (old.author, new.author), (old.date, new.date)]
    for before, after in [*fields, *changed_paragraphs(list(old.paragraphs),
                                                       list(new.paragraphs))]:
        if before == after:
            continue
        r, a = _fragments(before or "", after or "")
        removed.extend(r)
        added.extend(a)
    old_lines, new_lines = old.lines(), new.lines()
    unified = "\n".join(difflib.unified_diff(old_lines, new_lines, "before", "after",
                                             n=1, lineterm=""))
    return Diff(added=added, removed=removed, unified=unified)


# --- events ---------------------------------------------------------------

GONE_STATUSES = {404: "gone-404", 410: "gone-410", 451: "gone-451"}
GONE_WORDS = {"gone-404": "HTTP 404", "gone-410": "HTTP 410", "gone-451": "HTTP 451",
              "soft-404": "the page says it is not found",
              "redirect-home": "it redirects to the site's home or a section page",
              "": "gone"}
BLOCKED_STATUSES = {401, 403, 429}  # the site refuses us: a failure, never a removal
NOT_FOUND = re.compile(
    r"\b(page|article|story|content|post)\s+(was\s+|is\s+)?not\s+found\b|\b404\b"
    r"|\bno\s+longer\s+(available|exists)\b|\bdoes(n[’']t|\s+not)\s+exist\b"
    r"|\bcould(n[’']t|\s+not)\s+be\s+found\b|\bhas\s+been\s+(removed|deleted|taken\s+down)\b"
    r"|\bpage\s+(is\s+)?unavailable\b|\bnot\s+found\b", re.IGNORECASE)
WALL = re.compile(
    r"captcha|are\s+you\s+a\s+(robot|human)|verify\s+(that\s+)?you\s+are\s+(a\s+)?human"
    r"|unusual\s+traffic|enable\s+javascript|checking\s+your\s+browser|access\s+denied"
    r"|\bcookies?\b|\bconsent\b|subscribe\s+to\s+(continue|read)", re.IGNORECASE)
COLLAPSE_RATIO = 5  # a body under a fifth of the stored one has collapsed
COLLAPSE_MIN = 400  # characters: shorter stored bodies are too small to judge
SHORT_PAGE = 400  # characters: a not-found wording only counts on a page this thin


def body_size(document: Document) -> int:
    return sum(len(p) for p in document.paragraphs)


def collapsed(old: Document, new: Document) -> bool:
    """Whether the new text is a small remnant of the old: a bad extraction or a wall."""
    before = body_size(old)
    return before >= COLLAPSE_MIN and body_size(new) * COLLAPSE_RATIO < before


def says_not_found(document: Document, page_title: str = "") -> bool:
    """A thin page whose title or text says it is not there (a soft 404)."""
    if body_size(document) > SHORT_PAGE:
        return False
    text = " ".join([document.title, page_title, *document.paragraphs])
    return bool(NOT_FOUND.search(text))


def is_wall(document: Document) -> bool:
    """A thin page that is a captcha, consent or paywall in front of the article."""
    if body_size(document) > SHORT_PAGE:
        return False
    return bool(WALL.search(" ".join([document.title, *document.paragraphs])))


@dataclass(frozen=True)
class State:
    """What the store remembers of a source between checks."""

    status: str = "new"  # new | ok | removed
    gone_count: int = 0  # consecutive "gone" checks
    collapse_count: int = 0  # consecutive checks whose text collapsed
    failure_count: int = 0  # consecutive checks that could not be done
    failing: bool = False


@dataclass(frozen=True)
class Observation:
    """What one check saw, after fetch and extraction."""

    kind: str  # document | unchanged | collapsed | gone | error
    reason: str | None = None  # gone-404, redirect-home, soft-404, or the error in words
    document: Document | None = None
    diff: Diff | None = None  # against the stored snapshot, when the wording differs
    moved_to: str | None = None  # a redirect to another article: the URL now tracked


@dataclass(frozen=True)
class Decision:
    state: State
    outcome: str  # baseline, changed, unchanged, collapsed, removed, restored, gone, error
    events: list[str] = field(default_factory=list)  # alerts to raise, in order
    reason: str | None = None
    snapshot_status: str | None = None  # the Status: header to write; None = no commit


def decide(state: State, seen: Observation, *, confirm_removal: int,
           failing_after: int) -> Decision:
    """The event for one check: pure, so every transition is testable without I/O.

    Alerts fire on transitions, not on every check while a state persists; a
    transient failure is never a removal, and neither a removal nor a collapsed
    text replaces the stored evidence until ``confirm_removal`` checks agree.
    """
    if seen.kind == "gone" and state.status == "new":
        # Never fetched, and already gone: most often a mistyped URL, which must not
        # sit quietly as "gone" forever. It is a check error, and alerts as failing.
        seen = Observation("error", reason=f"never fetched: {GONE_WORDS[seen.reason or '']}"
                                           " — check the URL")
    if seen.kind == "error":
        failures = state.failure_count + 1
        became_failing = failures >= failing_after and not state.failing
        new = replace(state, failure_count=failures, failing=state.failing or became_failing)
        return Decision(new, "error", ["failing"] if became_failing else [], seen.reason)

    events = ["recovered"] if state.failing else []
    state = replace(state, failure_count=0, failing=False)
    if seen.moved_to:
        events.append("moved")

    if seen.kind == "gone":
        state = replace(state, collapse_count=0)
        if state.status != "ok":  # already removed
            return Decision(replace(state, gone_count=state.gone_count + 1), "gone", events,
                            seen.reason)
        gone = state.gone_count + 1
        if gone >= confirm_removal:
            return Decision(replace(state, status="removed", gone_count=gone), "removed",
                            [*events, "removed"], seen.reason,
                            snapshot_status=f"removed ({seen.reason})")
        return Decision(replace(state, gone_count=gone), "gone", events, seen.reason)

    state = replace(state, gone_count=0)
    if seen.kind == "collapsed" and state.status == "ok":
        count = state.collapse_count + 1
        if count < confirm_removal:
            return Decision(replace(state, collapse_count=count), "collapsed", events,
                            seen.reason)
        return Decision(replace(state, collapse_count=0), "changed", [*events, "changed"],
                        seen.reason, snapshot_status="")
    state = replace(state, collapse_count=0)
    if state.status == "new":
        return Decision(replace(state, status="ok"), "baseline", events, snapshot_status="")
    if state.status == "removed":
        return Decision(replace(state, status="ok"), "restored", [*events, "restored"],
                        snapshot_status="")
    if seen.kind in ("document", "collapsed") and seen.diff is not None:
        return Decision(state, "changed", [*events, "changed"], snapshot_status="")
    if seen.moved_to:
        return Decision(state, "moved", events, snapshot_status="")
    return Decision(state, "unchanged", events)


# --- what a fetch and an extraction say -------------------------------------

def _segments(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return host, [p for p in parts.path.split("/") if p]


def redirect_home(original: str, final: str) -> bool:
    """Whether a redirect took an article to the site root or a section index above it."""
    _, before = _segments(original)
    _, after = _segments(final)
    return len(after) < len(before) and before[: len(after)] == after


def redirect_keeps_article(original: str, final: str) -> bool:
    """http→https, www, a trailing slash, a query, or the same path with a slug added."""
    host_a, before = _segments(original)
    host_b, after = _segments(final)
    if host_a != host_b:
        return False
    if before == after:
        return True
    if len(before) != len(after) or not before or before[:-1] != after[:-1]:
        return False
    short, long = sorted((before[-1], after[-1]), key=len)
    return long.startswith(short) and long[len(short)] in "-_."


def classify(result: FetchResult, fetched: str) -> Observation | None:
    """What a fetch says before any extraction; None when the page needs extracting."""
    if not result.ok:
        return Observation("error", reason=result.error)
    status = result.status or 0
    if status in GONE_STATUSES:
        return Observation("gone", reason=GONE_STATUSES[status])
    if status in BLOCKED_STATUSES:
        return Observation("error", reason=f"blocked: HTTP {status} (not a removal)")
    if not (200 <= status < 300 or status == 304):
        return Observation("error", reason=f"HTTP {status}")
    if result.redirects and redirect_home(fetched, result.final_url):
        return Observation("gone", reason="redirect-home")
    if status == 304:
        return Observation("unchanged")
    if not is_text(result):
        content_type = result.headers.get("content-type", "").split(";")[0]
        return Observation("error", reason=f"unsupported content type {content_type}")
    return None


def judge(document: Document, diff: Diff | None, page_title: str,
          stored: Snapshot | None) -> Observation:
    """What an extracted page is: the article, a soft 404, a wall, or a collapsed text."""
    if document.is_empty:
        if NOT_FOUND.search(page_title):
            return Observation("gone", reason="soft-404")
        return Observation("error", reason="no article text found in the page")
    thin = stored is None or collapsed(stored.document, document)
    if thin and says_not_found(document, page_title):
        return Observation("gone", reason="soft-404")
    if thin and is_wall(document):
        return Observation("error", reason="blocked: a captcha, consent or paywall page")
    if stored is not None and thin:
        return Observation("collapsed", reason="collapsed", document=document,
                           diff=diff)
    return Observation("document", document=document, diff=diff)
