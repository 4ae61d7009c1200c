"""monitor/config.py and ``monitor validate``: typed values, and every problem as FILE:LINE."""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import Project

from monitor.cli.main import main
from monitor.config import loader as cfg
from monitor.config import values
from monitor.config.problems import ConfigError, Problem
from monitor.core.schedule import Schedule

UNSET = "MONITOR_TEST_NEVER_SET_VARIABLE"


def write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``path`` containing ``needle``."""
    hits = [number for number, line in
            enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} is not in {path}"
    return hits[occurrence - 1]


def problems(path: Path, *, strict_secrets: bool = False) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        cfg.load(path, strict_secrets=strict_secrets)
    assert caught.value.problems, "a ConfigError must list at least one problem"
    for problem in caught.value.problems:
        assert problem.file == path
        assert str(problem) == f"{path}:{problem.line}: {problem.message}"
    return caught.value.problems


def only_problem(path: Path, *, strict_secrets: bool = False) -> Problem:
    found = problems(path, strict_secrets=strict_secrets)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


# --- a valid config -----------------------------------------------------------

VALID = """
settings:
  snapshots: data/snaps
  alerts: out/alerts
  state: db/state.db
  concurrency: 8
  per_host_concurrency: 2
  per_host_delay: 500ms
  timeout: 15s
  max_bytes: 2MB
  retries: 3
  retry_backoff: 250ms
  max_redirects: 5
  confirm_removal: 3
  failing_after: 4
  default_interval: 12h
  lock_timeout: 10m
  delivery_timeout: 5s
  user_agent: test-agent/1.0
  workers: 2
channels:
  hook:
    type: webhook
    url: ${MONITOR_TEST_HOOK_BASE}/hooks/monitor
    secret: ${MONITOR_TEST_SECRET}
    headers:
      X-Team: research
  archive:
    type: webhook
    url: http://127.0.0.1:9/archive
sources:
  - id: every-hour
    url: https://example.org/news/a.html
    interval: 1h
    channels: [hook]
    tags: [uk, xinjiang]
  - id: on-cron
    url: https://example.org/news/b
    interval: "cron: 30 6 * * *"
  - id: adaptive.one_2
    url: http://example.org/c?x=1
    interval: adaptive
    channels: archive
  - id: default
    url: https://example.org/d
"""


def test_valid_config_loads_into_typed_values(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_SECRET", "s3cret-value")
    monkeypatch.setenv("MONITOR_TEST_HOOK_BASE", "https://hooks.example.net")
    path = write(tmp_path / "conf", VALID)
    monkeypatch.chdir(tmp_path)  # paths must follow the config's folder, not the cwd

    config = cfg.load(Path("conf/sources.yaml"))

    root = (tmp_path / "conf").resolve()
    assert config.root.resolve() == root
    s = config.settings
    assert s.snapshots == root / "data" / "snaps"
    assert s.alerts == root / "out" / "alerts"
    assert s.state == root / "db" / "state.db"
    assert s.snapshots.is_absolute() and s.state.is_absolute()
    assert (s.concurrency, s.per_host_concurrency, s.retries, s.max_redirects) == (8, 2, 3, 5)
    assert (s.confirm_removal, s.failing_after, s.workers) == (3, 4, 2)
    assert s.per_host_delay == pytest.approx(0.5)
    assert s.timeout == pytest.approx(15.0)
    assert s.retry_backoff == pytest.approx(0.25)
    assert s.lock_timeout == pytest.approx(600.0)
    assert s.delivery_timeout == pytest.approx(5.0)
    assert s.max_bytes == 2_000_000
    assert s.default_interval == Schedule(every=12 * 3600)
    assert s.user_agent == "test-agent/1.0"

    assert set(config.channels) == {"hook", "archive"}
    hook = config.channels["hook"]
    assert hook.type == "webhook"
    assert hook.options["url"] == "https://hooks.example.net/hooks/monitor"
    assert hook.options["secret"] == "s3cret-value"
    assert hook.options["headers"] == {"X-Team": "research"}
    assert type(hook.options["headers"]) is dict  # plain, not ruamel's round-trip map

    assert [src.id for src in config.sources] == ["every-hour", "on-cron", "adaptive.one_2",
                                                  "default"]
    hourly = config.source("every-hour")
    assert hourly.url == "https://example.org/news/a.html"
    assert hourly.schedule == Schedule(every=3600)
    assert hourly.channels == ("hook",)
    assert hourly.tags == ("uk", "xinjiang")
    assert hourly.line == 0  # the fast parse keeps no line numbers...
    located = cfg.load(Path("conf/sources.yaml"), locate=True)
    assert located.source("every-hour").line == line_of(path, "id: every-hour")
    # ...and is otherwise the same config as the round-trip parse.
    assert [replace(src, line=0) for src in located.sources] == config.sources
    assert (located.settings, located.channels) == (config.settings, config.channels)
    assert config.source("on-cron").schedule == Schedule(cron="30 6 * * *")
    adaptive = config.source("adaptive.one_2")
    assert adaptive.schedule == Schedule(adaptive=True)
    assert adaptive.channels == ("archive",)  # a single name is a one-item list
    default = config.source("default")
    assert default.schedule == Schedule(every=12 * 3600)  # settings.default_interval
    assert default.channels == () and default.tags == ()

    assert [c.name for c in config.channels_for(hourly)] == ["hook"]
    assert [c.name for c in config.channels_for(default)] == ["hook", "archive"]
    with pytest.raises(KeyError):
        config.source("no-such-source")


def test_defaults_when_settings_and_channels_are_absent(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: only
            url: https://example.org/only
    """)
    config = cfg.load(path)
    root = tmp_path.resolve()
    s = config.settings
    assert s.snapshots == root / "snapshots"
    assert s.alerts == root / "alerts"
    assert s.state == root / ".monitor" / "state.db"
    assert (s.concurrency, s.per_host_concurrency, s.retries) == (32, 4, 1)
    assert (s.confirm_removal, s.failing_after) == (2, 3)
    assert s.timeout == 30.0 and s.max_bytes == 10_000_000 and s.per_host_delay == 0.0
    assert s.default_interval == Schedule(every=6 * 3600)
    assert config.channels == {}
    assert config.source("only").schedule == Schedule(every=6 * 3600)
    assert config.channels_for(config.source("only")) == []


def test_absolute_setting_paths_stay_where_they_are(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    path = write(tmp_path / "conf", f"""
        settings:
          snapshots: {elsewhere / "snaps"}
          state: {elsewhere / "state.db"}
    """)
    config = cfg.load(path)
    assert config.settings.snapshots == (elsewhere / "snaps").resolve()
    assert config.settings.state == (elsewhere / "state.db").resolve()
    assert config.sources == []


def test_empty_file_is_a_valid_config_with_nothing_to_watch(tmp_path: Path) -> None:
    config = cfg.load(write(tmp_path, ""))
    assert config.sources == [] and config.channels == {}


# --- each problem: FILE:LINE and a fix ----------------------------------------


def test_unknown_top_level_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, """
        settings:
          timeout: 5s
        source:
          - id: a
            url: https://example.org/a
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "source:")
    assert "unknown top-level key 'source'" in problem.message
    assert "did you mean 'sources'?" in problem.message
    assert "allowed: settings, channels, sources" in problem.message


def test_unknown_setting_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, """
        settings:
          retries: 2
          timout: 5s
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "timout")
    assert "unknown setting 'timout'" in problem.message
    assert "did you mean 'timeout'?" in problem.message


@pytest.mark.parametrize(("setting", "value", "expected"), [
    ("timeout", "fast", "is not a duration such as 30s"),
    ("max_bytes", "huge", "is not a size such as 10MB"),
    ("retries", "true", "is not a whole number"),  # a YAML bool is not a count
    ("retries", "1.5", "is not a whole number"),
    ("concurrency", "0", "must be at least 1"),
    ("default_interval", "0s", "is not an interval"),
    ("per_host_delay", "soon", "is not a duration"),
])
def test_bad_setting_value_names_the_setting_and_the_expected_form(
        tmp_path: Path, setting: str, value: str, expected: str) -> None:
    path = write(tmp_path, f"""
        settings:
          workers: 1
          {setting}: {value}
    """)
    problem = only_problem(path)
    assert problem.line == 3
    assert f"setting '{setting}'" in problem.message
    assert expected in problem.message


def test_selector_and_ignore_are_css(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: a
            url: https://example.org/a
            selector: div.article__body
            ignore: [".newsletter", "aside#related"]
          - id: b
            url: https://example.org/b
            ignore: figure
    """)
    config = cfg.load(path)
    assert config.source("a").selector == "div.article__body"
    assert config.source("a").ignore == (".newsletter", "aside#related")
    assert (config.source("b").selector, config.source("b").ignore) == (None, ("figure",))


def test_a_broken_css_selector_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: a
            url: https://example.org/a
            selector: "div..body"
          - id: b
            url: https://example.org/b
            selector: [one, two]
    """)
    first, second = problems(path)
    assert first.line == line_of(path, "div..body")
    assert "'selector': 'div..body' is not a CSS selector" in first.message
    assert second.line == line_of(path, "[one, two]")
    assert "'selector' must be a CSS selector" in second.message


def test_unknown_source_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: a
            url: https://example.org/a
            intervall: 1h
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "intervall")
    assert "unknown source key 'intervall'" in problem.message
    assert "did you mean 'interval'?" in problem.message


def test_missing_id_points_at_the_entry_and_proposes_one(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: first
            url: https://example.org/first
          - url: https://www.example.org/news/uk-story.html
            interval: 1h
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "uk-story.html")
    assert "has no 'id'" in problem.message
    assert "id: example-uk-story" in problem.message


@pytest.mark.parametrize("bad_id", ["my story!", "-leading-dash", "a/b", "x" * 101, "123",
                                    "evil\\n", "evil\\t", "tail\\r"])
def test_bad_id_characters(tmp_path: Path, bad_id: str) -> None:
    # 123 is an int in YAML; escapes such as \\n need double quotes
    value = bad_id if bad_id == "123" else f'"{bad_id}"' if "\\" in bad_id else f"'{bad_id}'"
    path = write(tmp_path, f"""
        sources:
          - url: https://example.org/a
            id: {value}
    """)
    problem = only_problem(path)
    assert problem.line == 3
    assert "must be letters, digits, '.', '_' or '-'" in problem.message


def test_duplicate_id_names_the_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: same
            url: https://example.org/one
          - id: other
            url: https://example.org/two
          - id: same
            url: https://example.org/three
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "id: same", occurrence=2)
    assert "duplicate source id 'same'" in problem.message
    assert f"(first on line {line_of(path, 'id: same')})" in problem.message


@pytest.mark.parametrize("url", ["ftp://example.org/file.txt", "example.org/news/a",
                                 "https://", "mailto:news@example.org"])
def test_bad_url(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, f"""
        sources:
          - id: bad-url
            url: {url}
    """)
    problem = only_problem(path)
    assert problem.line == 3
    assert "source bad-url: 'url' must be an http:// or https:// address" in problem.message
    assert repr(url) in problem.message


def test_missing_url_points_at_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: no-url
            tags: [x]
    """)
    problem = only_problem(path)
    assert problem.line == 2
    assert "source no-url has no 'url': add the page's address" in problem.message


@pytest.mark.parametrize("interval", ["soon", "0s", "-5m", "5 minutes", "true"])
def test_bad_interval(tmp_path: Path, interval: str) -> None:
    path = write(tmp_path, f"""
        sources:
          - id: a
            url: https://example.org/a
            interval: {interval}
    """)
    problem = only_problem(path)
    assert problem.line == 4
    assert "interval" in problem.message and "is not valid" in problem.message
    assert "30s, 15m, 6h, 1d" in problem.message and "adaptive" in problem.message


@pytest.mark.parametrize("cron", ["61 * * * *", "* * *", "every monday", ""])
def test_bad_cron(tmp_path: Path, cron: str) -> None:
    path = write(tmp_path, f"""
        sources:
          - id: a
            url: https://example.org/a
            interval: "cron: {cron}"
    """)
    problem = only_problem(path)
    assert problem.line == 4
    assert "is not valid" in problem.message
    assert "cron:" in problem.message


def test_unknown_channel_referenced_by_a_source(tmp_path: Path) -> None:
    path = write(tmp_path, """
        channels:
          hook:
            type: webhook
            url: https://example.org/hook
        sources:
          - id: a
            url: https://example.org/a
            channels: [hook, hok]
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "channels: [hook, hok]")
    assert "source a: unknown channel 'hok'" in problem.message
    assert "did you mean 'hook'?" in problem.message
    assert "define it under 'channels:'" in problem.message


def test_unknown_channel_type(tmp_path: Path) -> None:
    path = write(tmp_path, """
        channels:
          hook:
            url: https://example.org/hook
            type: webhok
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "type: webhok")
    assert "channel 'hook': unknown type 'webhok'" in problem.message
    assert "did you mean 'webhook'?" in problem.message
    known = problem.message.split("known: ")[1]
    assert {"webhook", "slack", "email", "matrix"} <= set(known.split(", "))


def test_channel_without_type(tmp_path: Path) -> None:
    path = write(tmp_path, """
        channels:
          hook:
            url: https://example.org/hook
    """)
    problem = only_problem(path)
    assert problem.line == 2
    assert "channel 'hook' has no 'type'" in problem.message and "webhook" in problem.message


def test_unknown_channel_key(tmp_path: Path) -> None:
    path = write(tmp_path, """
        channels:
          hook:
            type: webhook
            url: https://example.org/hook
            secrett: abc
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "secrett")
    assert "channel 'hook' (webhook): unknown key 'secrett'" in problem.message
    assert "did you mean 'secret'?" in problem.message
    assert "allowed: url, secret, headers" in problem.message


def test_missing_webhook_url(tmp_path: Path) -> None:
    path = write(tmp_path, """
        channels:
          hook:
            type: webhook
            secret: abc
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "hook:")
    assert "channel 'hook' (webhook): 'url' is required" in problem.message


def test_webhook_url_must_be_http(tmp_path: Path) -> None:
    path = write(tmp_path, """
        channels:
          hook:
            type: webhook
            url: ftp://example.org/hook
    """)
    problem = only_problem(path)
    assert "'url' must start with http:// or https://" in problem.message


def test_unset_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UNSET, raising=False)
    path = write(tmp_path, f"""
        channels:
          hook:
            type: webhook
            url: https://example.org/hook
            secret: ${{{UNSET}}}
    """)
    problem = only_problem(path, strict_secrets=True)
    assert problem.line == line_of(path, "secret:")
    assert f"environment variable {UNSET} is not set" in problem.message
    assert "export it" in problem.message


def test_unset_environment_variable_in_a_source_url(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UNSET, raising=False)
    path = write(tmp_path, f"""
        sources:
          - id: a
            url: https://example.org/a?token=${{{UNSET}}}
    """)
    found = problems(path, strict_secrets=True)
    assert any(p.line == 3 and f"environment variable {UNSET} is not set" in p.message
               for p in found), [str(p) for p in found]


def test_environment_variables_expand_inside_webhook_headers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_TOKEN", "tok-123")
    path = write(tmp_path, """
        channels:
          hook:
            type: webhook
            url: https://example.org/hook
            headers:
              Authorization: Bearer ${MONITOR_TEST_TOKEN}
    """)
    config = cfg.load(path)
    assert config.channels["hook"].options["headers"] == {"Authorization": "Bearer tok-123"}


@pytest.mark.parametrize(("text", "line", "words"), [
    ("settings:\n  timeout: 5s\n\tretries: 2\n", 3,
     "a tab is not allowed for indentation: indent with spaces"),
    ("settings:\n  timeout: 5s\n retries: 2\n", 3,
     "this line is indented less than line 2 above it (1 space, not 2): "
     "line it up with 'timeout'"),
    ("settings:\n  timeout: 5s\n    retries: 2\n", 3,
     "this line is indented more than line 2 above it (4 spaces, not 2)"),
    ("sources:\n  - id: a\n    url: https://example.org/a\n"
     "    interval: cron: \"0 * * * *\"\n", 4,
     "this value holds ': ', which YAML reads as another key: put the value in quotes, "
     "as interval: 'cron: \"0 * * * *\"'"),
    ("settings:\n  timeout: 5s\n  timeout: 6s\n", 3,
     "'timeout' is given twice in the same block (first on line 2): keep one"),
    ("sources:\n  - id: a\n    url https://example.org/a\n    interval: 1h\n", 3,
     "a ':' is missing on this line: write it as 'url: https://example.org/a'"),
    ("settings\n  timeout: 5s\n", 1, "a ':' is missing on this line: write it as 'settings:'"),
    ("sources:\n  - id: a\n    url: \"https://example.org/a\n    interval: 1h\n", 3,
     "the quote (\") that starts this value is never closed"),
    ("sources:\n  - id: 'a\n    url: https://example.org/a\n", 2,
     "the quote (') that starts this value is never closed"),
    ("sources:\n  - id: a\n    name: \"x\n    url: \"https://example.org/a\"\n", 3,
     "the quote (\") that starts this value is not closed on its line"),
    ("sources:\n  - id: a\n    name: 'Reuters' report'\n", 3,
     "there is text after the closing quote"),
    ("sources:\n  - id: a\n    tags: [a, b\n  - id: b\n    url: https://example.org/b\n", 3,
     "the '[' on this line is never closed: end it with ']'"),
    ("sources:\n  -id: a\n   url: https://example.org/a\n", 2,
     "a '-' that starts a list item needs a space after it: write '- id: a'"),
    ("sources:\n  - id: a\n    url: https://example.org/a\n  tags: [y]\n", 4,
     "this line is indented like the list items ('- ') at 2 spaces but is not one: "
     "indent it to 4"),
    ("settings:\n  timeout: 5s\n  - retries\n", 3,
     "a list item ('- ...') among the 'key: value' lines under 'settings'"),
    ("sources:\n  - id: @a\n", 2, "a value cannot start with '@' (YAML reserves it): "
                                   "put the value in quotes, as - id: '@a'"),
    ("sources: []\n---\nsettings: {}\n", 2, "a second document starts here"),
])
def test_yaml_syntax_errors_in_plain_words_at_a_line_of_the_file(
        tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    problem = only_problem(path)
    assert (problem.line, problem.message[:len(words)]) == (line, words)
    assert 1 <= problem.line <= len(text.splitlines())
    for jargon in ("<block", "scalar", "token", "mapping values", "expected"):
        assert jargon not in problem.message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "- id: a\n- id: b\n"))
    assert problem.line == 1
    assert "expected a mapping" in problem.message


def test_sections_of_the_wrong_shape(tmp_path: Path) -> None:
    path = write(tmp_path, """
        settings: [timeout]
        channels: webhook
        sources:
          id: a
          url: https://example.org/a
    """)
    found = problems(path)
    assert [p.line for p in found] == [1, 2, 3]
    assert "'settings' must be a mapping" in found[0].message
    assert "'channels' must be a mapping" in found[1].message
    assert "'sources' must be a list" in found[2].message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "sources.yaml"
    found = problems(path)
    assert len(found) == 1
    assert "no such file" in found[0].message
    assert "--config" in found[0].message
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+: no such file.*", str(found[0]))


MANY_PROBLEMS = """
settings:
  timeout: fast
  retrys: 2
channels:
  hook:
    type: webhook
    urll: https://example.org/hook
sources:
  - id: ok
    url: https://example.org/ok
  - id: ok
    url: ftp://example.org/two
    intervall: 1h
  - url: https://example.org/three
    interval: sometimes
    channels: [nope]
"""


def test_every_problem_in_a_file_is_reported_in_line_order(tmp_path: Path) -> None:
    path = write(tmp_path, MANY_PROBLEMS)
    found = problems(path)
    lines = [p.line for p in found]
    assert lines == sorted(lines)
    by_line: dict[int, list[str]] = {}
    for p in found:
        by_line.setdefault(p.line, []).append(p.message)

    def expect(needle: str, fragment: str, occurrence: int = 1) -> None:
        line = line_of(path, needle, occurrence)
        assert any(fragment in m for m in by_line.get(line, [])), (line, fragment, by_line)

    expect("timeout: fast", "setting 'timeout'")
    expect("retrys", "unknown setting 'retrys'")
    expect("urll", "unknown key 'urll'")
    expect("hook:", "'url' is required")
    expect("id: ok", "duplicate source id 'ok'", occurrence=2)
    expect("ftp://", "must be an http:// or https:// address")
    expect("intervall", "unknown source key 'intervall'")
    expect("url: https://example.org/three", "has no 'id'")
    expect("interval: sometimes", "'sometimes' is not valid")
    expect("channels: [nope]", "unknown channel 'nope'")
    assert len(found) == 10, [str(p) for p in found]


# --- monitor validate ------------------------------------------------------------


def test_validate_exits_2_and_prints_every_problem(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MANY_PROBLEMS)
    expected = [str(p) for p in problems(path)]

    code = main(["validate", "--config", str(path)])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    printed = err.splitlines()
    assert printed == expected
    assert len(printed) == 10
    for line in printed:
        assert re.match(rf"{re.escape(str(path))}:\d+: \S", line), line


def test_validate_ok_for_a_good_file(project: Project) -> None:
    project.write({"one": "/one", "two": "/two"})
    result = project.run("validate")
    assert result.code == 0, result.err
    assert "OK" in result.out
    assert "2 source(s)" in result.out and "1 channel(s)" in result.out
    assert result.err == ""


def test_validate_uses_sources_yaml_in_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "sources:\n  - id: a\n    url: https://example.org/a\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 0
    assert "OK, 1 source(s), 0 channel(s)" in capsys.readouterr().out


def test_validate_missing_file_exits_2(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "missing.yaml"
    assert main(["validate", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:")
    assert "no such file" in err


def test_validate_yaml_error_exits_2(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("settings:\n  timeout: 5s\n retries: 2\n", encoding="utf-8")
    assert main(["validate", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (f"{path}:3: this line is indented less than line 2 "
                                       "above it (1 space, not 2): line it up with 'timeout', "
                                       "or with a key further out\n")


# --- parse_duration / parse_size / parse_schedule ------------------------------


def test_cron_written_as_the_error_message_suggests_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: a
            url: https://example.org/a
            interval: 'cron: "0 * * * *"'
    """)
    assert cfg.load(path).source("a").schedule == Schedule(cron="0 * * * *")


# --- Schedule.next_due -------------------------------------------------------------

T0 = datetime(2026, 3, 4, 10, 7, 30, tzinfo=UTC)  # a Wednesday


def test_next_due_for_an_interval() -> None:
    assert Schedule(every=3600).next_due(T0) == T0 + timedelta(hours=1)
    assert Schedule(every=0.5).next_due(T0) == T0 + timedelta(milliseconds=500)
    assert Schedule(every=86400 * 7).next_due(T0) == T0 + timedelta(weeks=1)


def test_next_due_for_adaptive_is_hourly_for_now() -> None:
    assert Schedule(adaptive=True).next_due(T0) == T0 + timedelta(hours=1)


@pytest.mark.parametrize(("cron", "last", "due"), [
    ("0 * * * *", T0, datetime(2026, 3, 4, 11, 0, tzinfo=UTC)),
    ("*/15 * * * *", T0, datetime(2026, 3, 4, 10, 15, tzinfo=UTC)),
    ("30 6 * * *", T0, datetime(2026, 3, 5, 6, 30, tzinfo=UTC)),
    ("0 0 1 * *", T0, datetime(2026, 4, 1, 0, 0, tzinfo=UTC)),
    ("0 9 * * mon", T0, datetime(2026, 3, 9, 9, 0, tzinfo=UTC)),
    # exactly on a fire time: the next one, never the same instant again
    ("0 * * * *", datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
     datetime(2026, 3, 4, 11, 0, tzinfo=UTC)),
])
def test_next_due_for_cron(cron: str, last: datetime, due: datetime) -> None:
    nxt = Schedule(cron=cron).next_due(last)
    assert nxt == due
    assert nxt > last


def test_next_due_for_cron_keeps_the_timezone_of_last_checked() -> None:
    plus_two = timezone(timedelta(hours=2))
    last = datetime(2026, 3, 4, 8, 0, tzinfo=plus_two)
    nxt = Schedule(cron="0 9 * * *").next_due(last)
    assert nxt == datetime(2026, 3, 4, 9, 0, tzinfo=plus_two)
    assert nxt - last == timedelta(hours=1)


def test_cron_day_of_week_numbers_follow_crontab() -> None:
    sunday_noon = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert sunday_noon.strftime("%A") == "Sunday"
    assert Schedule(cron="0 9 * * 1").next_due(sunday_noon) == datetime(
        2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday
    assert Schedule(cron="0 9 * * 0").next_due(sunday_noon) == datetime(
        2026, 3, 8, 9, 0, tzinfo=UTC)  # next Sunday
    assert values.parse_schedule("cron: 0 9 * * 7") == Schedule(cron="0 9 * * 7")


def test_cron_can_be_its_own_source_key(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: a
            url: https://example.org/a
            cron: "0 9 * * 1-5"
    """)
    assert cfg.load(path).source("a").schedule == Schedule(cron="0 9 * * 1-5")


def test_interval_and_cron_together_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: a
            url: https://example.org/a
            interval: 1h
            cron: "0 * * * *"
    """)
    assert any(p.line == line_of(path, "cron:") and "not both" in p.message
               for p in problems(path))


def test_weekday_ranges_and_steps_follow_crontab() -> None:
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert Schedule(cron="0 9 * * 1-5").next_due(saturday).strftime("%A") == "Monday"
    assert Schedule(cron="0 9 * * */3").next_due(saturday).strftime("%A") == "Sunday"
    with pytest.raises(ValueError):
        values.parse_schedule("cron: 0 9 * * 8")


def test_block_private_is_a_boolean_setting(tmp_path: Path) -> None:
    path = write(tmp_path, """
        settings:
          block_private: true
    """)
    assert cfg.load(path).settings.block_private is True
    path = write(tmp_path, """
        settings:
          block_private: sometimes
    """)
    assert any("true or false" in p.message for p in problems(path))


def test_channel_file_options_resolve_against_the_config_folder(tmp_path: Path) -> None:
    path = write(tmp_path / "project", """
        channels:
          mail:
            type: email
            host: 127.0.0.1
            from: monitor@example.org
            to: [desk@example.org]
            ca_file: certs/ca.pem
    """)
    options = cfg.load(path).channels["mail"].options
    assert options["ca_file"] == str((tmp_path / "project" / "certs" / "ca.pem").resolve())


@pytest.mark.parametrize("bad_url", [
    "http://example.org/a\\r\\nX-Injected: 1", "http://example.org/a\\tb",
    "http://example.org:99999/a", "http://example.org/a b", "http://example.org/" + "a" * 9000])
def test_urls_the_fetcher_cannot_request_are_refused(tmp_path: Path, bad_url: str) -> None:
    path = write(tmp_path, f"""
        sources:
          - id: a
            url: "{bad_url}"
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "url:")
    assert "'url' must be an http:// or https:// address" in problem.message


def test_a_user_agent_must_be_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, """
        settings:
          user_agent: "monitor\\r\\nX-Injected: 1"
    """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "user_agent") and "one line of text" in problem.message


def test_the_store_refuses_an_id_that_would_break_a_commit(tmp_path: Path) -> None:
    from monitor.core.document import Document, Snapshot
    from monitor.store.records import Change
    from monitor.store.store import Store

    store = Store(tmp_path / "snapshots", tmp_path / "state.db", tmp_path / "alerts")
    store.open()
    bad = Change("evil\n", "baseline", Snapshot(Document(title="t"), url="https://e.org/"), {})
    with pytest.raises(ValueError, match="not a valid source id"):
        store.commit([bad])
    assert store.head() is None and not list((tmp_path / "snapshots").glob("*fast_import*"))
    store.close()


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
    for i in range(8)) + "sources: *i\n"


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    assert len(BOMB) < 500  # stands for 10^9 nodes
    path = write(tmp_path, BOMB)
    problem = only_problem(path)
    assert "expand to more than 10,000 nodes" in problem.message and problem.line > 1


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = write(tmp_path, """
        sources:
          - id: a
            url: https://example.org/a
            tags: &uk [uk, xinjiang]
          - id: b
            url: https://example.org/b
            tags: *uk
    """)
    assert cfg.load(path).source("b").tags == ("uk", "xinjiang")


def test_deep_nesting_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources: " + "[" * 50_000 + "]" * 50_000 + "\n")
    problem = only_problem(path)
    assert "nested more than 100 levels deep" in problem.message


def test_readme_settings_block_lists_every_setting_once(tmp_path: Path) -> None:
    """Each setting is declared once (core/model.py); README's example shows them all."""
    from dataclasses import fields

    from monitor.core.model import Settings

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("\nsettings:", 1)[1].split("\nchannels:", 1)[0]
    keys = [line.split(":")[0].strip() for line in block.splitlines()
            if line.startswith("  ") and not line.strip().startswith("#")]
    assert sorted(keys) == sorted(f.name for f in fields(Settings))
    assert len(keys) == len(set(keys))
    # "defaults shown": the example's values are the defaults
    (tmp_path / "shown.yaml").write_text("settings:" + block + "\n", encoding="utf-8")
    (tmp_path / "empty.yaml").write_text("sources: []\n", encoding="utf-8")
    assert cfg.load(tmp_path / "shown.yaml").settings == cfg.load(tmp_path / "empty.yaml").settings
