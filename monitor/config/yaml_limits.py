"""YAML that is valid but hostile: refused before any parser builds it.

400 bytes of nested aliases stand for billions of nodes ("billion laughs"),
and 50,000 nested brackets crash the C parser outright. Both are found here,
on the parser's events and on the text, and become a FILE:LINE problem.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

MAX_ALIAS_NODES = 10_000  # nodes that aliases may add once expanded
MAX_DEPTH = 100  # nesting: the C parser recurses, and crashes on 50,000 levels


BRACKET = re.compile(r"[\[\]{}]")
DEEP_INDENT = re.compile(rf"^ {{{8 * MAX_DEPTH + 1},}}", re.M)
# An anchor (&name) or alias (*name) where YAML allows one: not the & of a URL's query,
# not the * of a crontab line.
ANCHOR = re.compile(r"(?:^|[\s\[{,:])&\w", re.M)
ALIAS = re.compile(r"(?:^|[\s\[{,:])\*\w", re.M)


def too_deep(text: str) -> tuple[int, str] | None:
    """Nesting past MAX_DEPTH, found in the text before the C parser sees it.

    Flow brackets are counted (quotes and all: a false alarm needs a hundred
    brackets in one string) and block nesting is bounded by indentation. Both
    with regular expressions: this runs on every load of a 10,000-source file.
    """
    depth = 0
    for match in BRACKET.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            return (text.count("\n", 0, match.start()) + 1,
                    f"nested more than {MAX_DEPTH} levels deep: not a sources file "
                    "(check the brackets)")
    deep = DEEP_INDENT.search(text)
    if deep:
        return text.count("\n", 0, deep.start()) + 1, "indented too deeply to be a sources file"
    return None


def alias_bomb(text: str) -> tuple[int, str] | None:
    """A document whose aliases expand past MAX_ALIAS_NODES ("billion laughs").

    Counted on the parser's events, before anything is built from them: 400
    bytes of nested aliases can stand for billions of nodes.
    """
    if not (ANCHOR.search(text) and ALIAS.search(text)):
        return None
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = []  # [anchor, nodes so far] of each open collection
    added = 0
    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            name = type(event).__name__
            if name in ("MappingStartEvent", "SequenceStartEvent"):
                stack.append([event.anchor, 1])
                continue
            if name in ("MappingEndEvent", "SequenceEndEvent"):
                anchor, nodes = stack.pop()
                if anchor:
                    sizes[anchor] = nodes
            elif name == "ScalarEvent":
                nodes = 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif name == "AliasEvent":
                nodes = sizes.get(event.anchor, 1)
                added += nodes
            else:
                continue
            if stack:
                stack[-1][1] += nodes
            if added > MAX_ALIAS_NODES:
                line = event.start_mark.line + 1 if event.start_mark else 0
                return line, (f"aliases (*name) here expand to more than "
                              f"{MAX_ALIAS_NODES:,} nodes: write the values out")
    except MarkedYAMLError:
        return None  # the ordinary parse reports it, with its line
    return None
