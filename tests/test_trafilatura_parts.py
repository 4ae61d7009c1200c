"""trafilatura's internals that extraction relies on are still there, in the shape used.

These are not trafilatura's public API: an upgrade that moves or reshapes one
must fail here, loudly, and not as a wrong title or author on a real page.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

from lxml.html import fromstring

from monitor.extract import trafilatura_parts as parts


def test_the_pinned_releases_are_the_ones_installed() -> None:
    major, minor = (int(n) for n in version("trafilatura").split(".")[:2])
    assert (major, minor) == (2, 3), "a new trafilatura: re-read trafilatura_parts, re-run bench"
    assert version("htmldate").startswith("1.")


def test_each_part_takes_the_arguments_metadata_passes() -> None:
    expected = {
        "prune_unwanted_nodes": ["tree", "nodelist"],
        "normalize_authors": ["current_authors", "author_string"],
        "examine_meta": ["tree"],
        "extract_meta_json": ["tree", "metadata"],
        "extract_title": ["tree"],
        "extract_url": ["tree"],
        "line_processing": ["line"],
        "trim": ["string"],
        "load_html": ["htmlobject"],
        "find_date": ["htmlobject"],
    }
    for name, leading in expected.items():
        parameters = list(inspect.signature(getattr(parts, name)).parameters)
        assert parameters[:len(leading)] == leading, name
    assert all(isinstance(xpath, str) or callable(xpath) for xpath in parts.AUTHOR_DISCARD_XPATHS)


def test_the_parts_still_read_a_page() -> None:
    tree = parts.load_html("<html><head><title>Factories | Site</title>"
                           '<meta name="author" content="Ana Reyes"></head>'
                           "<body><h1>Factories</h1><p>Text.</p></body></html>")
    assert tree is not None
    assert parts.extract_title(tree) == "Factories"
    assert parts.trim("  a \n b  ") == "a b"
    assert parts.as_list("x") == ["x"]
    assert parts.normalize_authors(None, "ana reyes") == "Ana Reyes"
    assert parts.find_date(fromstring(
        '<html><head><meta property="article:published_time" content="2024-03-05">'
        "</head><body></body></html>"), extensive_search=False) == "2024-03-05"
