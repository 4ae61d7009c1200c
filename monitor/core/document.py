"""The article as monitor keeps it: the tracked fields, and the snapshot file format.

A snapshot file (``snapshots/<id>.md``) is part of the contract in DESIGN.md:
other tools read it, so its header fields and layout change only by extension.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace

from monitor.core.words import fold, unseen_removed

SPACES = re.compile(r"\s+")
HEADER_FIELDS = ("URL", "Headline", "Standfirst", "Author", "Byline", "Date", "Status")


@dataclass(frozen=True)
class Document:
    """The parts of an article whose wording we track.

    ``title`` and ``author`` are what the page states as data (meta tags,
    JSON-LD) or, lacking that, shows; ``headline`` and ``byline`` are what a
    reader sees: the page's heading where it differs from the title, and the
    name its byline shows ("" when it shows none, while the author may still be
    stated). Both count: a site may correct the visible byline and leave the old
    name in its structured data, or the other way round.

    ``modified`` is the page's own "last modified" date. It is the page's clock,
    not its wording: it is kept in state and a commit trailer, never in the
    snapshot, and two documents that differ only in it are equal.
    """

    title: str = ""
    author: str = ""
    date: str = ""
    paragraphs: tuple[str, ...] = ()
    headline: str = ""  # the visible heading, "" when it is the title (or there is none)
    byline: str = ""  # the name the visible byline shows, "" when there is none
    standfirst: str = ""  # the summary shown under the headline, "" when there is none
    modified: str = field(default="", compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.paragraphs

    @property
    def shown_headline(self) -> str:
        return self.headline or self.title

    def lines(self) -> list[str]:
        """The document as the lines that diffs compare: header fields, then paragraphs.

        The visible headline and byline are lines only where the page has them, so
        a document without them hashes as it always did.
        """
        shown = [f"Headline: {self.headline}"] if self.headline else []
        shown += [f"Standfirst: {self.standfirst}"] if self.standfirst else []
        shown += [f"Byline: {self.byline}"] if self.byline else []
        return [f"# {self.title}", f"Author: {self.author}", *shown, f"Date: {self.date}", "",
                *self.paragraphs]


@dataclass(frozen=True)
class Snapshot:
    """What ``snapshots/<id>.md`` holds."""

    document: Document
    url: str
    status: str = ""  # "" while the page is up; "removed (gone-404)" after a removal

    def render(self) -> str:
        header = [f"# {self.document.title}", "", f"URL: {self.url}"]
        if self.document.headline:
            header.append(f"Headline: {self.document.headline}")
        if self.document.standfirst:
            header.append(f"Standfirst: {self.document.standfirst}")
        if self.document.author:
            header.append(f"Author: {self.document.author}")
        if self.document.byline:
            header.append(f"Byline: {self.document.byline}")
        if self.document.date:
            header.append(f"Date: {self.document.date}")
        if self.status:
            header.append(f"Status: {self.status}")
        return "\n".join([*header, "", *self.document.paragraphs]) + "\n"

    @classmethod
    def parse(cls, text: str) -> Snapshot:
        lines = text.rstrip("\n").split("\n")
        title = lines[0].removeprefix("# ") if lines else ""
        fields: dict[str, str] = {}
        index = 2
        while index < len(lines) and lines[index]:
            name, _, value = lines[index].partition(": ")
            if name in HEADER_FIELDS:
                fields[name] = value
            index += 1
        paragraphs = tuple(line for line in lines[index + 1:] if line)
        document = Document(title=title, author=fields.get("Author", ""),
                            date=fields.get("Date", ""), paragraphs=paragraphs,
                            headline=fields.get("Headline", ""),
                            byline=fields.get("Byline", ""),
                            standfirst=fields.get("Standfirst", ""))
        return cls(document=document, url=fields.get("URL", ""), status=fields.get("Status", ""))


def normalise(text: str | None) -> str:
    """One line of wording as a reader sees it: NFC, single spaces, nothing invisible
    (``words.unseen_removed``); comparing folds it further (``words.fold``)."""
    if not text:
        return ""
    return SPACES.sub(" ", unseen_removed(unicodedata.normalize("NFC", text))).strip()


def folded(document: Document) -> Document:
    """The document in the form two versions are compared in (``words.fold``)."""
    return replace(document, title=fold(document.title), author=fold(document.author),
                   date=fold(document.date), headline=fold(document.headline),
                   byline=fold(document.byline), standfirst=fold(document.standfirst),
                   paragraphs=tuple(p for p in map(fold, document.paragraphs) if p))


def text_sha256(document: Document) -> str:
    return hashlib.sha256("\n".join(document.lines()).encode()).hexdigest()
