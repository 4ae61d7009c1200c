"""The change as a page a person reads: the diff.html of an evidence packet.

It marks the same words the alerts name (the core's diff and word tokens),
whole words only, and lets every element holding page text take its own
direction, so Arabic and Uyghur read right to left beside English.
"""

from __future__ import annotations

from html import escape
from typing import Protocol

from monitor.core.diff import DELETE, EQUAL, INSERT, PARAGRAPH_DIFF_LIMIT, diff_units
from monitor.core.diff import pair_paragraphs as _pair_paragraphs
from monitor.core.words import tokens


class Version(Protocol):
    """What the page says of a version (a packet's PacketVersion has it)."""

    @property
    def revision(self) -> str: ...

    @property
    def event(self) -> str: ...

    @property
    def detected_at(self) -> str: ...

    @property
    def text(self) -> str: ...


STYLE = """body{font:1.05rem/1.6 Georgia,serif;max-width:42rem;margin:0 auto;padding:1rem;
color:#111;background:#fff;overflow-wrap:break-word}
h1{font-size:1.4rem;line-height:1.3}
.meta{font:.9rem/1.45 system-ui,sans-serif;color:#333}
del{background:#fde2e2;color:#8a0000;text-decoration:line-through}
ins{background:#dcf5dc;color:#004d00;text-decoration:underline}
p.removed{border-inline-start:4px solid #c00;padding-inline-start:.6rem}
p.added{border-inline-start:4px solid #080;padding-inline-start:.6rem}"""


def diff_html(title: str, url: str, before: Version | None, after: Version) -> str:
    """A standalone page of the change, readable on a phone: removed words struck
    (``<del>``), added words marked (``<ins>``), whole words only, as the alert named
    them; every element holding page text takes its direction from it (dir="auto")."""
    lines = [
        "<!DOCTYPE html>", '<html><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<title dir="auto">{escape(title)}</title>',
        f"<style>{STYLE}</style></head><body>",
        f'<h1 dir="auto">{escape(title)}</h1>',
        f'<p class="meta" dir="auto">{escape(url)}</p>',
    ]
    for label, version in (("Before", before), ("After", after)):
        if version is not None:
            lines.append(f'<p class="meta">{label}: {escape(version.event)}, detected '
                         f"{escape(version.detected_at)}, revision "
                         f"{escape(version.revision[:12])}</p>")
    if before is None:
        lines.append('<p class="meta">The first version recorded: there is nothing earlier '
                     "to compare it with.</p>")
        lines += [f'<p dir="auto">{escape(line)}</p>' for line in _paragraphs(after.text)]
    else:
        lines.append('<p class="meta">Removed words are <del>struck through</del>, added '
                     "words <ins>underlined</ins>. This page is a reading aid: the captures "
                     "in archive/ are the evidence.</p><hr>")
        lines += _changes(_paragraphs(before.text), _paragraphs(after.text))
    return "\n".join([*lines, "</body></html>", ""])


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _changes(old: list[str], new: list[str]) -> list[str]:
    """Every paragraph of the new version, and the removed ones where they were,
    with words diffed within each paragraph that was edited."""
    out: list[str] = []
    pending: dict[int, list[str]] = {DELETE: [], INSERT: []}
    for op, units in [*diff_units(old, new, PARAGRAPH_DIFF_LIMIT), (EQUAL, [])]:
        if op != EQUAL:
            pending[op].extend(units)
            continue
        for was, now in _pair_paragraphs(pending[DELETE], pending[INSERT]):
            if now is None:
                out.append(f'<p dir="auto" class="removed"><del dir="auto">{escape(was or "")}'
                           "</del></p>")
            elif was is None:
                out.append(f'<p dir="auto" class="added"><ins dir="auto">{escape(now)}</ins></p>')
            else:
                out.append(f'<p dir="auto">{_words(was, now)}</p>')
        pending = {DELETE: [], INSERT: []}
        out += [f'<p dir="auto">{escape(unit)}</p>' for unit in units]
    return out


def _words(before: str, after: str) -> str:
    """One edited paragraph, its changed words marked. A space between two changes
    joins them into one run (``<del>a b</del><ins>c d</ins>``, not word by word)."""
    ops = diff_units(tokens(before), tokens(after))
    out: list[str] = []
    run: dict[int, list[str]] = {DELETE: [], INSERT: []}

    def close() -> None:
        for op, tag in ((DELETE, "del"), (INSERT, "ins")):
            if "".join(run[op]):
                out.append(f'<{tag} dir="auto">{escape("".join(run[op]))}</{tag}>')
        run[DELETE], run[INSERT] = [], []

    for at, (op, units) in enumerate(ops):
        text = "".join(units)
        if op != EQUAL:
            run[op].append(text)
        elif not text.strip() and (run[DELETE] or run[INSERT]) and at + 1 < len(ops):
            run[DELETE].append(text)
            run[INSERT].append(text)
        else:
            close()
            out.append(escape(text))
    close()
    return "".join(out)
