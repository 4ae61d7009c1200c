"""``archives:`` in sources.yaml (monitor/config/loader.py): typed, each problem at its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from monitor.config import loader as cfg
from monitor.config.problems import ConfigError, Problem
from monitor.core.model import PermaConfig, WaybackConfig

SOURCES = """
sources:
  - id: a
    url: https://example.org/a
"""


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_TEST_IA_ACCESS", "ia-access-1234")
    monkeypatch.setenv("MONITOR_TEST_IA_SECRET", "ia-secret-5678")
    monkeypatch.setenv("MONITOR_TEST_PERMA", "perma-key-9012")


def write(tmp_path: Path, archives: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(textwrap.dedent(SOURCES).lstrip("\n") + textwrap.dedent(archives),
                    encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


def only_problem(path: Path) -> Problem:
    with pytest.raises(ConfigError) as caught:
        cfg.load(path, strict_secrets=True)
    [problem] = caught.value.problems
    assert str(problem) == f"{path}:{problem.line}: {problem.message}"
    return problem


def test_archives_load_into_typed_values(tmp_path: Path) -> None:
    path = write(tmp_path, """
        archives:
          wayback: {access_key: "${MONITOR_TEST_IA_ACCESS}", secret: "${MONITOR_TEST_IA_SECRET}"}
          perma:
            api_key: ${MONITOR_TEST_PERMA}
            folder: 123
            base_url: http://127.0.0.1:8999/
            events: [changed, removed, restored]
            per_minute: 3
        """)
    wayback, perma = cfg.load(path, strict_secrets=True).archives
    assert wayback == WaybackConfig(access_key="ia-access-1234", secret="ia-secret-5678",
                                    line=wayback.line)
    assert wayback.base_url == "https://web.archive.org"
    assert wayback.events == ("baseline", "changed", "removed")
    assert wayback.per_minute == 7
    assert isinstance(perma, PermaConfig)
    assert (perma.api_key, perma.folder, perma.base_url, perma.events, perma.per_minute) == (
        "perma-key-9012", 123, "http://127.0.0.1:8999", ("changed", "removed", "restored"), 3)
    for secret in ("ia-access-1234", "ia-secret-5678", "perma-key-9012"):
        assert secret not in repr((wayback, perma))


def test_no_archives_is_none(tmp_path: Path) -> None:
    assert cfg.load(write(tmp_path, "")).archives == ()


def test_an_unknown_service_gets_a_did_you_mean_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, """
        archives:
          waybak:
            access_key: ${MONITOR_TEST_IA_ACCESS}
        """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "waybak")
    assert "unknown archive 'waybak' (did you mean 'wayback'?)" in problem.message
    assert "known: wayback, perma" in problem.message


def test_an_unknown_key_gets_a_did_you_mean_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, """
        archives:
          perma:
            api_key: ${MONITOR_TEST_PERMA}
            fodler: 12
        """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "fodler")
    assert "unknown key 'fodler' (did you mean 'folder'?)" in problem.message


def test_a_secret_written_into_the_file_is_refused_without_repeating_it(tmp_path: Path) -> None:
    path = write(tmp_path, """
        archives:
          wayback:
            access_key: ${MONITOR_TEST_IA_ACCESS}
            secret: hunter2-literal
        """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "hunter2-literal")
    assert "'secret' must come from the environment" in problem.message
    assert "${WAYBACK_SECRET}" in problem.message
    assert "hunter2-literal" not in problem.message


def test_a_missing_key_names_the_service_line_and_what_it_needs(tmp_path: Path) -> None:
    path = write(tmp_path, """
        archives:
          wayback:
            access_key: ${MONITOR_TEST_IA_ACCESS}
        """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "wayback:")
    assert "needs 'secret'" in problem.message and "archive.org/account/s3.php" in problem.message


def test_an_unset_variable_is_named_once(tmp_path: Path) -> None:
    path = write(tmp_path, """
        archives:
          perma: {api_key: "${MONITOR_TEST_NEVER_SET_VARIABLE}"}
        """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "perma:")
    assert "MONITOR_TEST_NEVER_SET_VARIABLE is not set" in problem.message


@pytest.mark.parametrize(("setting", "words"), [
    ("events: [changed, failing]", "'events' must be a list of: baseline, changed"),
    ("base_url: ftp://archive.example", "'base_url' must be an http:// or https:// URL"),
    ("per_minute: 0", "'per_minute' must be a whole number, at least 1"),
    ("folder: twelve", "'folder' must be a whole number"),
])
def test_bad_values_are_named_at_their_line(tmp_path: Path, setting: str, words: str) -> None:
    path = write(tmp_path, f"""
        archives:
          perma:
            api_key: ${{MONITOR_TEST_PERMA}}
            {setting}
        """)
    problem = only_problem(path)
    assert problem.line == line_of(path, setting.split(":")[0] + ":")
    assert words in problem.message


def test_archives_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, """
        archives: [wayback]
        """)
    problem = only_problem(path)
    assert problem.line == line_of(path, "archives:")
    assert "'archives' must be a mapping" in problem.message
