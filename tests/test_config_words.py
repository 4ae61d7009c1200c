"""What `monitor validate`, `check` and `add` say about a config, through the real CLI:
YAML mistakes in plain words, durations without a unit, impossible URLs, an
empty config, and "did you mean" wherever a config names a channel."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import Project

from monitor.cli.main import main
from monitor.config import loader as cfg
from monitor.core.schedule import Schedule


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("sources:\n\t- id: a\n", ":2: a tab is not allowed for indentation: indent with spaces"),
    ("sources:\n  - id: a\n    url: 'https://example.org/a\n", ":3: the quote (') that "
                                                               "starts this value is never "
                                                               "closed"),
    ("settings:\n  timeout 30s\n  retries: 2\n",
     ":2: a ':' is missing on this line: write it as 'timeout: 30s'"),
])
def test_validate_says_what_is_wrong_with_a_broken_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "validate", "--config", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"{path}{expected}")
    assert err.count("\n") == 1


def test_a_duration_without_a_unit_is_seconds_with_a_warning_naming_the_fix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, """
        settings:
          timeout: 30
          default_interval: 21600
        channels:
          hook:
            type: webhook
            url: https://example.org/hook
            give_up_after: 7200
        sources:
          - id: a
            url: https://example.org/a
            interval: 3600
          - id: b
            url: https://example.org/b
            interval: 90m
    """)
    code, out, err = run(capsys, "validate", "--config", str(path))
    assert code == 0 and "OK, 2 source(s), 1 channel(s)" in out
    assert err.splitlines() == [
        f"monitor: warning: {path}:2: setting 'timeout': 30 without a unit is read as "
        "seconds: write 30s",
        f"monitor: warning: {path}:3: setting 'default_interval': 21600 without a unit is "
        "read as seconds: write 6h",
        f"monitor: warning: {path}:8: channel 'hook': 'give_up_after': 7200 without a unit "
        "is read as seconds: write 2h",
        f"monitor: warning: {path}:12: source a: interval 3600 without a unit is read as "
        "seconds: write 'interval: 1h'"]
    config = cfg.load(path)
    assert config.source("a").schedule == Schedule(every=3600)
    assert config.settings.timeout == 30 and config.channels["hook"].options[
        "give_up_after"] == 7200


@pytest.mark.parametrize(("url", "words"), [
    ("https://exa mple.org/", "its host name 'exa mple.org' holds a space, which no host "
                              "name can: check the address for a typo"),
    ("https://exa<mple.org/news", "its host name 'exa<mple.org' holds '<'"),
    ("https://example..org/news", "its host name 'example..org' is not a valid name"),
    ("https://example.org/a news story", "it holds a space: write it as %20"),
    ("https://example.org:99999/", "its port (after the host's ':') is not a number"),
])
def test_an_impossible_url_is_refused_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               url: str, words: str) -> None:
    path = write(tmp_path, f"""
        sources:
          - id: a
            url: {url}
    """)
    code, _, err = run(capsys, "validate", "--config", str(path))
    assert code == 2
    assert err.startswith(f"{path}:3: source a: 'url' must be an http:// or https:// address "
                          f"({words}")
    assert err.endswith(f"), got {url!r}\n") and err.count("\n") == 1


def test_add_refuses_a_url_with_a_space_in_its_host(project: Project,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    project.write({"a": "/a"})
    before = project.config_path.read_text()
    result = project.run("add", "https://exa mple.org/")
    assert result.code == 2 and "https://exa mple.org/" in result.err
    assert project.config_path.read_text() == before


@pytest.mark.parametrize(("text", "words"), [
    ("", "the file is empty: add the pages to watch, one by one with `monitor add URL`"),
    ("# my sources\n", "the file is empty"),
    ("settings:\n  timeout: 5s\nsources: []\n", "no sources: nothing is watched; add a page "
                                               "with `monitor add URL`"),
])
def test_an_empty_config_is_a_warning_naming_what_to_add(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "validate", "--config", str(path))
    assert code == 0 and "OK, 0 source(s)" in out
    assert err.startswith(f"monitor: warning: {path}:") and words in err
    code, out, err = run(capsys, "check", "--config", str(path))
    assert code == 0 and "0 checked" in out and words in err


@pytest.mark.parametrize("channels", ["[hook, hok]", "hok"])
def test_did_you_mean_for_a_channel_a_source_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], channels: str) -> None:
    path = write(tmp_path, f"""
        channels:
          hook:
            type: webhook
            url: https://example.org/hook
        sources:
          - id: a
            url: https://example.org/a
            channels: {channels}
    """)
    code, _, err = run(capsys, "validate", "--config", str(path))
    assert code == 2
    assert err == (f"{path}:8: source a: unknown channel 'hok' (did you mean 'hook'?); "
                   "define it under 'channels:'\n")
    code, _, err = run(capsys, "check", "--config", str(path))
    assert code == 2 and "did you mean 'hook'?" in err


def test_did_you_mean_for_the_channel_test_alert_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, """
        channels:
          newsroom:
            type: webhook
            url: https://example.org/hook
    """)
    code, _, err = run(capsys, "test-alert", "newsrom", "--config", str(path))
    assert code == 2
    assert "no channel 'newsrom' (did you mean 'newsroom'?)" in err
