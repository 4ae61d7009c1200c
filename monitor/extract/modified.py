"""The page's own "last modified" date, structured or visible.

An edit that the publisher announces usually moves this date; a silent one
leaves it. It is the page's clock, not its wording: it is kept in state and a
commit trailer (``Modified:``), compared only to say whether it moved.

Structured first (JSON-LD ``dateModified``, ``article:modified_time``,
``og:updated_time``, ``itemprop=dateModified``), then a visible "Updated"
element with a ``<time>`` in it.
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from typing import Any

from lxml.html import HtmlElement

META_NAMES = ("article:modified_time", "og:updated_time", "last-modified", "dc.date.modified",
              "dcterms.modified", "modified", "revised")
UPDATED_CLASS = re.compile(r"(?:^|[-_\s])(?:updated|modified|last-?updated|date-?modified"
                           r"|dateModified|update-?date|updatedAt)(?:$|[-_\s])", re.IGNORECASE)
MAX_DATE = 80  # characters: a longer text is not a date


def modified_date(tree: HtmlElement) -> str:
    """The date the page says it was last modified, "" when it says none."""
    for getter in (_json_ld, _meta, _visible):
        found = getter(tree)
        if found:
            return " ".join(found.split())[:MAX_DATE]
    return ""


def _json_ld(tree: HtmlElement) -> str:
    for script in tree.iter("script"):
        if script.get("type") != "application/ld+json" or not script.text:
            continue
        with suppress(ValueError, RecursionError):
            found = _date_modified(json.loads(script.text))
            if found:
                return found
    return ""


def _date_modified(data: Any, depth: int = 0) -> str:
    if depth > 6:
        return ""
    if isinstance(data, list):
        for item in data[:50]:
            if found := _date_modified(item, depth + 1):
                return found
    elif isinstance(data, dict):
        value = data.get("dateModified")
        if isinstance(value, str) and value.strip():
            return value.strip()
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in data and (found := _date_modified(data[key], depth + 1)):
                return found
    return ""


def _meta(tree: HtmlElement) -> str:
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if name in META_NAMES or name == "datemodified":
            content = (meta.get("content") or "").strip()
            if content:
                return content
    for element in tree.iter("time"):
        if (element.get("itemprop") or "").lower() == "datemodified":
            return str(element.get("datetime") or element.text_content()).strip()
    return ""


def _visible(tree: HtmlElement) -> str:
    """An "Updated ..." element: its ``<time>``'s datetime, or its short text."""
    for element in tree.iter("time", "span", "div", "p"):
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if not UPDATED_CLASS.search(marks):
            continue
        inner = element if element.tag == "time" else next(element.iter("time"), None)
        if inner is not None and (inner.get("datetime") or "").strip():
            return str(inner.get("datetime")).strip()
        text = str(element.text_content()).strip()
        if text and len(text) <= MAX_DATE and any(c.isdigit() for c in text):
            return text
    return ""
