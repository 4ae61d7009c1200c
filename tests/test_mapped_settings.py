"""config/mapped_settings.py: settings written as a mapping, each mistake at its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_loader import line_of, only_problem, write

from monitor.config import loader as cfg
from monitor.config.mapped_settings import web_settings
from monitor.core.model import WebSettings


def test_web_defaults_to_off_on_localhost() -> None:
    assert web_settings({}) == WebSettings(port=0, host="127.0.0.1", base_url="",
                                           preview_private=False)


def test_web_reads_every_key() -> None:
    assert web_settings({"port": 8321, "host": "0.0.0.0",
                         "base_url": "https://monitor.example.org/",
                         "preview_private": True}) == WebSettings(
        8321, "0.0.0.0", "https://monitor.example.org", True)


@pytest.mark.parametrize("value", [{"port": 70000}, {"port": "http"}, {"base_url": "ftp://x"},
                                   {"host": "a b"}, {"prot": 80}, "8080",
                                   {"preview_private": "yes please"}])
def test_a_bad_web_mapping_is_refused(value: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        web_settings(value)


def test_a_bad_web_setting_names_its_line_and_the_shape(tmp_path: Path) -> None:
    path = write(tmp_path, """
settings:
  web: {port: 8080, basse_url: https://m.example}
sources: []
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, "web:")
    assert "keys: port, host, base_url, preview_private" in problem.message


def test_web_in_a_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, """
settings:
  web: {port: 8321, base_url: "https://m.example"}
sources: []
""")
    assert cfg.load(path).settings.web == WebSettings(port=8321, base_url="https://m.example")


def test_a_setting_whose_extra_is_missing_says_how_to_add_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """find_spec is the one thing replaced: an install without the extra cannot be made
    beside this one in a test."""
    from monitor.config import mapped_settings

    monkeypatch.setattr(mapped_settings, "find_spec", lambda name: None)
    path = write(tmp_path, """
settings:
  web: {port: 8080}
sources: []
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, "web:")
    assert "pip install 'monitor[web]'" in problem.message
    off = write(tmp_path, "settings:\n  web: {port: 0}\nsources: []\n", "off.yaml")
    assert cfg.load(off).settings.web.port == 0  # no port: nothing needs the extra
