"""Config problems: FILE:LINE texts, every one collected, secrets from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from monitor.config.problems import Checker, ConfigError, Problem, secrets_in, unset_names


def test_problems_read_as_file_line_message_and_are_all_kept() -> None:
    first = Problem(Path("conf/sources.yaml"), 3, "'url' is missing")
    second = Problem(Path("conf/sources.yaml"), 9, "unknown key 'intervall'")
    error = ConfigError([first, second])
    assert str(first) == "conf/sources.yaml:3: 'url' is missing"
    assert str(error).splitlines() == [str(first), str(second)]


def test_lines_come_from_the_yaml_and_env_references_expand(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_TOKEN", "s3cret")
    monkeypatch.delenv("MONITOR_TEST_UNSET", raising=False)
    data = YAML().load("a: 1\nlist:\n  - x\n  - y\nurl: https://e.org/${MONITOR_TEST_TOKEN}\n")
    checker = Checker(Path("sources.yaml"))
    assert checker.key_line(data, "url") == 5
    assert checker.item_line(data["list"], 1) == 4
    assert checker.key_line({"plain": 1}, "plain") == 0  # no line known: 0, not a crash
    assert checker.expand_env({"u": [data["url"]]}, 5) == {"u": ["https://e.org/s3cret"]}
    assert checker.problems == []
    assert checker.expand_env("${MONITOR_TEST_UNSET}", 7) == ""
    [problem] = checker.problems
    assert problem.line == 7 and "MONITOR_TEST_UNSET is not set" in problem.message


def test_secrets_in_a_url_are_known_longest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_A", "ab")
    monkeypatch.setenv("MONITOR_B", "abcdef")
    monkeypatch.setenv("MONITOR_EMPTY", "")
    found = secrets_in("https://e.org/${MONITOR_A}/${MONITOR_B}?k=${MONITOR_EMPTY}&${MONITOR_A}")
    assert found == (("MONITOR_B", "abcdef"), ("MONITOR_A", "ab"))


def test_a_section_that_is_absent_is_fine_and_one_of_the_wrong_shape_is_named() -> None:
    data = YAML().load("sources:\n  a: 1\n")
    checker = Checker(Path("sources.yaml"))
    assert not checker.has_section(None, list, data, "sources", "must be a list")
    assert checker.problems == []
    assert not checker.has_section(data["sources"], list, data, "sources", "must be a list")
    assert [str(p) for p in checker.problems] == ["sources.yaml:1: must be a list"]
    assert checker.has_section(data["sources"], dict, data, "sources", "must be a mapping")


def test_unless_strict_an_unset_variable_is_a_warning_naming_what_goes_without(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_TEST_UNSET", raising=False)
    monkeypatch.delenv("MONITOR_TEST_UNSET_2", raising=False)
    monkeypatch.setenv("MONITOR_TEST_TOKEN", "s3cret")
    value = {"url": "https://e.org/${MONITOR_TEST_TOKEN}/${MONITOR_TEST_UNSET}",
             "headers": {"X": "${MONITOR_TEST_UNSET_2}", "Y": "${MONITOR_TEST_UNSET}"}}
    assert unset_names(value) == ("MONITOR_TEST_UNSET", "MONITOR_TEST_UNSET_2")
    lenient = Checker(Path("sources.yaml"), strict_secrets=False)
    assert lenient.unset(4, value, "source a is not checked", " (aside)") == (
        "MONITOR_TEST_UNSET", "MONITOR_TEST_UNSET_2")
    assert lenient.expand_env(value["url"], 4) == "https://e.org/s3cret/"
    assert lenient.problems == []
    assert [str(w) for w in lenient.warnings] == [
        "sources.yaml:4: environment variable MONITOR_TEST_UNSET, MONITOR_TEST_UNSET_2 are "
        "not set: source a is not checked until they are exported (aside)"]
    strict = Checker(Path("sources.yaml"))
    assert strict.unset(4, value, "source a is not checked") != ()
    assert strict.warnings == []  # strict: expand_env names each as a problem instead
    strict.expand_env(value["url"], 4)
    assert len(strict.problems) == 1
