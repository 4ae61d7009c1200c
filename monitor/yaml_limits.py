"""YAML that is valid but hostile: refused before any parser builds it.

400 bytes of nested aliases stand for billions of nodes ("billion laughs"),
and 50,000 nested brackets crash the C parser outright. Both are found here,
on the parser's events and on the text, and become a FILE:LINE problem.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

MAX_ALIAS_NODES = 10_000  # nodes that aliases may add once expanded
MAX_DEPTH = 100  # nesting: the C parser recurses, and crashes on 50,000 levels


def too_deep(text: str) -> tuple[int, str] | None:
    """Nesting past MAX_DEPTH, found in the text before the C parser sees it.

    Flow brackets are counted (quotes and all: a false alarm needs a hundred
    brackets in one string) and block nesting is bounded by indentation.
    """
    depth = 0
    if text.count("[") + text.count("{") > MAX_DEPTH:
        for index, char in enumerate(text):
            if char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return (text.count("\n", 0, index) + 1,
                            f"nested more than {MAX_DEPTH} levels deep: not a "
                            "sources file (check the brackets)")
            elif char in "]}":
                depth = max(depth - 1, 0)
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) - len(line.lstrip(" ")) > 2 * MAX_DEPTH * 4:
            return number, "indented too deeply to be a sources file"
    return None


def alias_bomb(text: str) -> tuple[int, str] | None:
    """A document whose aliases expand past MAX_ALIAS_NODES ("billion laughs").

    Counted on the parser's events, before anything is built from them: 400
    bytes of nested aliases can stand for billions of nodes.
    """
    if "&" not in text or "*" not in text:
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
