"""Edits to sources.yaml (monitor.config.edit): comments, quotes and long lines survive,
and nothing the config would refuse is ever left in the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import loader
from monitor.config.edit import (
    NewSource,
    add_sources,
    remove_source,
    rename_source,
    set_enabled,
    set_excluded,
)
from monitor.config.problems import ConfigError
from monitor.core.ids import MAX_LISTING_ID

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


LISTINGS = """\
sources:
  # --- listings ---
  - id: press   # the ministry's feed
    url: https://gov.example/feed.xml
    discover: feed
    follow: {interval: 1h}
  # --- ngos ---
  - id: ngo
    url: https://ngo.example/press
  - id: last
    url: https://ngo.example/feed
    discover: feed   # at the end
# the end of the list
"""


def test_exclude_adds_and_takes_out_found_ids_keeping_every_comment(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(LISTINGS)
    for listing in ("press", "last"):
        first, second = f"{listing}.a-story-1a2b3c", f"{listing}.b-story-4d5e6f"
        assert set_excluded(path, listing, first, True)
        assert set_excluded(path, listing, second, True)
        assert not set_excluded(path, listing, second, True)
        text = path.read_text()
        block = f"    exclude:\n      - {first}\n      - {second}\n"
        assert block in text
        # The comment lines after the listing stay after it, not above its new key.
        after = "  # --- ngos ---\n" if listing == "press" else "# the end of the list\n"
        assert text.index(block) + len(block) == text.index(after)
        source = loader.load(path).source(listing)
        assert source.discover is not None and source.discover.exclude == (first, second)
        assert set_excluded(path, listing, first, False)
        assert not set_excluded(path, listing, first, False)
        assert set_excluded(path, listing, second, False)
        assert path.read_text() == LISTINGS  # the key goes with its last id


def test_exclude_refuses_what_is_not_an_article_of_the_listing(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(LISTINGS)
    with pytest.raises(ConfigError, match="not an article of this listing"):
        set_excluded(path, "press", "last.a-story-1a2b3c", True)
    with pytest.raises(ConfigError, match="no source with id 'pres'"):
        set_excluded(path, "pres", "pres.a-story-1a2b3c", True)
    assert path.read_text() == LISTINGS


def test_pause_keeps_the_comment_below_the_entry_where_it_was(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(LISTINGS)
    assert set_enabled(path, "ngo", False) and set_enabled(path, "press", False)
    text = path.read_text()
    assert "    follow: {interval: 1h}\n    enabled: false\n  # --- ngos ---\n" not in text
    assert "  - id: press   # the ministry's feed\n    url: https://gov.example/feed.xml\n" \
           "    enabled: false\n" in text
    assert set_enabled(path, "last", False)
    assert "    enabled: false\n    discover: feed   # at the end\n# the end of the list\n" \
        in path.read_text()
    for source_id in ("ngo", "press", "last"):
        assert set_enabled(path, source_id, True)
    assert path.read_text() == LISTINGS


def test_a_listing_is_added_with_discover_and_an_id_that_leaves_room_for_its_articles(
        path: Path) -> None:
    path.write_text(TEXT + "  - id: ngo-feed.old\n    url: https://ngo.example/old\n")
    outcomes = add_sources(path, [
        NewSource("https://ngo.example/feed", name="NGO news", discover="feed"),
        NewSource("https://gov.example/feeds/" + "x" * 120, discover="feed"),
        NewSource("https://gov.example/feed", id="g" * (MAX_LISTING_ID + 1), discover="feed")])
    # 'ngo-feed' would give its articles the namespace 'ngo-feed.' that a source has.
    assert outcomes[0].id == "ngo-feed-2"
    assert outcomes[1].id is not None and len(outcomes[1].id) <= MAX_LISTING_ID
    assert outcomes[2].id is None and f"at most {MAX_LISTING_ID} characters" in (
        outcomes[2].skipped or "")
    text = path.read_text()
    assert "  - id: ngo-feed-2\n    url: https://ngo.example/feed\n    discover: feed\n" \
           "    name: NGO news\n" in text
    config = loader.load(path)
    listing = config.source("ngo-feed-2")
    assert listing.discover is not None and listing.discover.kind == "feed"
    assert config.source(outcomes[1].id).discover is not None


def test_adds_from_several_processes_at_once_all_land(path: Path) -> None:
    """The CLI and the web view may add at the same moment: each add takes the file's
    lock, re-reads it and renames a whole new file over it, so none is lost."""
    adds = [subprocess.Popen([sys.executable, "-m", "monitor", "add",
                              f"https://news.example/{n}/story", "--id", f"story-{n}",
                              "--config", str(path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for n in range(4)]
    for add in adds:
        _, err = add.communicate(timeout=120)
        assert add.returncode == 0, err
    ids = [source.id for source in loader.load(path).sources]
    assert ids[:2] == ["ministry", "ngo"]
    assert sorted(ids[2:]) == [f"story-{n}" for n in range(4)]
    assert path.read_text().startswith("# the watch list of the Xinjiang desk")
