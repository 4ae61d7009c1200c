"""Hostile YAML found before a parser builds it (config errors: tests/test_loader.py)."""

from __future__ import annotations

from monitor.config.yaml_limits import MAX_ALIAS_NODES, MAX_DEPTH, alias_bomb, too_deep


def laughs(levels: int) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]"
              for i in range(levels)]
    return "\n".join(lines) + "\n"


def test_aliases_are_counted_as_what_they_expand_to() -> None:
    assert alias_bomb(laughs(2)) is None  # aliases add 110 + 1,110 nodes
    line, message = alias_bomb(laughs(4)) or (0, "")  # line 4 adds 11,110 more
    assert line == 4 and f"{MAX_ALIAS_NODES:,}" in message


def test_nesting_is_measured_on_the_text() -> None:
    assert too_deep("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH) is None
    line, message = too_deep("a: b\nc: " + "[" * (MAX_DEPTH + 1)) or (0, "")
    assert line == 2 and "levels deep" in message
    assert too_deep("url: 'https://example.org/[x]'") is None
