"""YAML syntax errors in the words of someone editing sources.yaml by hand
(monitor/config/yaml_errors.py); the loader's tests cover the common mistakes."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from monitor.config.yaml_errors import Lines, explain


def explained(text: str) -> tuple[int, str]:
    with pytest.raises(MarkedYAMLError) as caught:
        YAML(typ="rt").load(text)
    return explain(text, caught.value)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("sources:\n  - id: a\n    tags: [a, b]]\n", 3,
     "a ']' here closes nothing: remove it, or add the '[' it closes"),
    ("settings:\n  user_agent: \"C:\\monitor\"\n", 2,
     "inside double quotes a backslash starts an escape, and '\\m' is not one"),
    ("settings:\n  timeout: 5s\nsources:\n  - id: a\n    name: \"unclosed\n", 5,
     "the quote (\") that starts this value is never closed"),
    ("a: [1, 2\n", 1, "the '[' on this line is never closed"),
    ("sources:\n  - id: a\n    channels: [a: b: c]\n", 3,
     "an item inside [ ] holds ':' or another sign YAML reads as structure"),
])
def test_each_mistake_is_named_at_its_line(text: str, line: int, words: str) -> None:
    assert explained(text)[0] == line
    assert words in explained(text)[1]


def test_a_mark_past_the_end_names_the_last_written_line() -> None:
    lines = Lines(["settings:", "  timeout: 5s", "", "# the end"])
    assert lines.clamp(9) == 2
    assert lines.clamp(0) == 1
    assert Lines([]).clamp(3) == 1


def test_what_is_read_off_a_line() -> None:
    lines = Lines(["sources:", "  - id: a", "    url: https://e.org/a", "    name: 'x"])
    assert (lines.key(2), lines.key_column(2), lines.indent(2)) == ("id", 4, 2)
    assert lines.parent(3) == 1 and lines.previous(3) == 2
    assert lines.has_value_after_key(3) and not lines.has_value_after_key(1)
    assert lines.unclosed_quote(4) == "'" and lines.unclosed_quote(3) is None


def test_what_has_no_plain_words_yet_still_names_a_line_and_the_fix() -> None:
    line, message = explained("%YAML 1.1\n%YAML 1.1\n---\na: 1\n")
    assert line == 2
    assert message.endswith("check the indentation and the quotes of this line and the one "
                            "above")
