"""Edits to sources.yaml (monitor.config.edit): comments, quotes and long lines survive,
and nothing the config would refuse is ever left in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import loader
from monitor.config.edit import (
    NewSource,
    add_sources,
    remove_source,
    rename_source,
    set_enabled,
)
from monitor.config.problems import ConfigError

TEXT = """\
# the watch list of the Xinjiang desk
settings:
  default_interval: 6h   # quiet sources
sources:
  # --- government ---
  - id: 'ministry'
    url: "https://gov.example/statement?id=12&lang=en"
    tags: ["gov"]
  - id: ngo   # from the coalition
    url: https://ngo.example/press
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    written = tmp_path / "sources.yaml"
    written.write_text(TEXT)
    return written


def test_pause_and_resume_touch_only_one_key(path: Path) -> None:
    assert set_enabled(path, "ngo", False)
    paused = path.read_text()
    assert paused == TEXT.replace("    url: https://ngo.example/press\n",
                                  "    url: https://ngo.example/press\n    enabled: false\n")
    assert not set_enabled(path, "ngo", False)
    assert set_enabled(path, "ngo", True)
    assert path.read_text() == TEXT


def test_remove_keeps_the_comments_of_the_others(path: Path) -> None:
    remove_source(path, "ngo")
    text = path.read_text()
    assert "# the watch list of the Xinjiang desk" in text and "# --- government ---" in text
    assert "default_interval: 6h   # quiet sources" in text
    assert "\"https://gov.example/statement?id=12&lang=en\"" in text
    assert [s.id for s in loader.load(path).sources] == ["ministry"]
    remove_source(path, "ministry")
    assert loader.load(path).sources == []


def test_rename_and_unknown_ids(path: Path) -> None:
    rename_source(path, "ngo", "coalition")
    assert [s.id for s in loader.load(path).sources] == ["ministry", "coalition"]
    assert "# from the coalition" in path.read_text()
    with pytest.raises(ConfigError, match="no source with id 'ngoo'"):
        rename_source(path, "ngoo", "x")
    with pytest.raises(ConfigError, match="already exists"):
        rename_source(path, "coalition", "ministry")


def test_import_gives_colliding_ids_a_number(path: Path) -> None:
    outcomes = add_sources(path, [NewSource("https://ngo.example/2024/press"),
                                  NewSource("https://ngo.example/2025/press"),
                                  NewSource("https://ngo.example/press?utm_campaign=x")])
    assert [o.id for o in outcomes] == ["ngo-press", "ngo-press-2", None]
    assert outcomes[2].skipped == ("https://ngo.example/press?utm_campaign=x is already "
                                   "watched as ngo")
    config = loader.load(path, locate=True)
    assert outcomes[1].line == config.source("ngo-press-2").line > 0


def test_an_edit_the_config_refuses_leaves_the_file_alone(path: Path) -> None:
    with pytest.raises(ConfigError):
        add_sources(path, [NewSource("https://a.example/x", every="every so often")],
                    strict=True)
    assert path.read_text() == TEXT
