"""monitor/config/discovery.py: a listing's keys, read into Discovery, each mistake on its line."""

from __future__ import annotations

from pathlib import Path

from test_loader import line_of, only_problem, problems, write

from monitor.config import loader as cfg
from monitor.core.model import KEEP_FOUND, Discovery, Follow
from monitor.core.schedule import Schedule

HEAD = """
channels:
  team:
    type: webhook
    url: http://127.0.0.1:9/hook
sources:
"""


def config(tmp_path: Path, sources: str) -> Path:
    return write(tmp_path, HEAD + sources)


def test_a_listing_is_read_with_every_key(tmp_path: Path) -> None:
    path = config(tmp_path, r"""
  - id: press
    url: https://ministry.example/press/
    discover: links
    match: "/press/\\d{4}/"
    max_new: 5
    baseline_watch: 0
    tags: [ministry]
    follow:
      interval: 1h
      tags: [press]
      channels: [team]
      selector: article
      ignore: [.share]
      keep: 30d
    exclude: [press.old-statement-1a2b3c]
""")
    source = cfg.load(path).sources[0]
    assert source.discover == Discovery(
        kind="links", match=r"/press/\d{4}/", max_new=5, baseline_watch=0,
        follow=Follow(schedule=Schedule(every=3600), tags=("press",), channels=("team",),
                      selector="article", ignore=(".share",), keep=30 * 86400.0),
        exclude=("press.old-statement-1a2b3c",))
    assert source.tags == ("ministry",) and source.listing is None


def test_defaults_follow_the_design(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: feed
    url: https://ngo.example/feed.xml
    discover: feed
  - id: plain
    url: https://ngo.example/statement
""")
    listing, plain = cfg.load(path).sources
    assert listing.discover == Discovery(kind="feed")
    assert (listing.discover.max_new, listing.discover.baseline_watch) == (50, 20)
    assert listing.discover.follow.keep == KEEP_FOUND == 90 * 86400
    assert listing.discover.follow.schedule is None  # the settings' default_interval
    assert plain.discover is None


def test_an_unknown_kind_names_the_three(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: feed
    url: https://ngo.example/feed.xml
    discover: rss
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, "discover: rss")
    assert "feed, sitemap, links" in problem.message and "'rss'" in problem.message


def test_listing_keys_without_discover_say_to_add_it(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: page
    url: https://ngo.example/page
    max_new: 3
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, "max_new")
    assert "discover: feed" in problem.message and "remove 'max_new'" in problem.message


def test_a_bad_regex_is_a_config_error_not_a_crash_later(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: press
    url: https://ministry.example/press/
    discover: links
    match: "/press/(["
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, "match:")
    assert "not a regular expression" in problem.message


def test_counts_must_be_whole_and_positive(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: press
    url: https://ministry.example/press/
    discover: sitemap
    max_new: 0
    baseline_watch: -1
""")
    found = problems(path)
    assert [p.line for p in found] == [line_of(path, "max_new"), line_of(path, "baseline_watch")]
    assert "at least 1" in found[0].message and "at least 0" in found[1].message


def test_follow_is_checked_like_a_source(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: press
    url: https://ministry.example/press/
    discover: feed
    follow:
      interval: often
      channels: [taem]
      selector: "div["
      keep: forever
      tag: [x]
""")
    found = {p.line: p.message for p in problems(path)}
    assert "is not valid: use 30s" in found[line_of(path, "interval: often")]
    assert "unknown channel 'taem'" in found[line_of(path, "channels: [taem]")]
    assert "did you mean 'team'" in found[line_of(path, "channels: [taem]")]
    assert "not a CSS selector" in found[line_of(path, 'selector: "div["')]
    assert "'keep' must be a duration" in found[line_of(path, "keep: forever")]
    assert "unknown 'follow' key 'tag'" in found[line_of(path, "tag: [x]")]
    assert len(found) == 5


def test_a_listing_selector_belongs_under_follow(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: press
    url: https://ministry.example/press/
    discover: links
    selector: article
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, "selector:") and "under 'follow:'" in problem.message


def test_exclude_names_only_this_listings_articles(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: press
    url: https://ministry.example/press/
    discover: links
    exclude: [press.fine-1a2b3c, other.article-1a2b3c]
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, "exclude:")
    assert "'other.article-1a2b3c'" in problem.message and "begin with 'press.'" in problem.message


def test_a_configured_id_may_not_take_a_listings_namespace(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: press
    url: https://ministry.example/press/
    discover: links
  - id: press.statement
    url: https://ministry.example/press/statement
  - id: press-archive
    url: https://ministry.example/press/archive
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, "- id: press.statement")
    assert "begins with 'press.'" in problem.message and "rename it" in problem.message


def test_a_listing_id_leaves_room_for_its_articles(tmp_path: Path) -> None:
    long_id = "l" * 95
    path = config(tmp_path, f"""
  - id: {long_id}
    url: https://ministry.example/press/
    discover: links
  - id: {long_id}-page
    url: https://ministry.example/press/page
""")
    problem = only_problem(path)
    assert problem.line == line_of(path, f"- id: {long_id}\n".strip())
    assert "at most 91 characters" in problem.message


def test_an_id_is_matched_whole(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: "evil\\n"
    url: https://ministry.example/press/
    discover: feed
""")
    assert "must be letters, digits" in only_problem(path).message


def yaml_block(path: Path, after: str) -> str:
    """The first ```yaml block after the line ``after`` in ``path``."""
    text = path.read_text(encoding="utf-8").split(after, 1)[1]
    return text.split("```yaml\n", 1)[1].split("```", 1)[0]


ROOT = Path(__file__).resolve().parent.parent


def test_the_examples_in_readme_and_docs_load_as_written(tmp_path: Path) -> None:
    channel = "channels:\n  newsroom: {type: webhook, url: 'http://127.0.0.1:9/hook'}\n"
    readme = write(tmp_path, channel + yaml_block(ROOT / "README.md", "### Listings"),
                   "readme.yaml")
    docs = write(tmp_path, channel + yaml_block(ROOT / "docs" / "discovery.md",
                                                "## The `discover:`"), "docs.yaml")
    for path in (readme, docs):
        [listing] = cfg.load(path).sources
        assert listing.discover is not None and listing.discover.kind == "links"
        assert listing.discover.follow.schedule == Schedule(every=3600)
    docs_listing = cfg.load(docs).sources[0].discover
    assert docs_listing is not None and docs_listing.match == r"/en/press/20\d\d/"
    assert docs_listing.follow.keep == 90 * 86400.0


def test_keep_zero_checks_an_article_for_as_long_as_it_is_watched(tmp_path: Path) -> None:
    path = config(tmp_path, """
  - id: feed
    url: https://ngo.example/feed.xml
    discover: feed
    follow: {keep: 0s}
""")
    listing = cfg.load(path).sources[0].discover
    assert listing is not None and listing.follow.keep == 0
