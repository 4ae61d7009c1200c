"""The pieces of trafilatura's internals that extraction uses, gathered in one place.

``metadata.py`` runs trafilatura's own steps for the three fields we keep
(title, author, date) at half the cost of ``extract_metadata``, which means
calling functions that are not trafilatura's public API. They are imported
here only, pyproject.toml pins trafilatura to the minor release they were
read from (2.3) and htmldate to its 1.x line, and
``tests/test_trafilatura_parts.py`` fails on an upgrade that moves or
reshapes one, so a new release is a reviewed change, never a silent break.
"""

from __future__ import annotations

from htmldate import find_date
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url
from trafilatura.utils import as_list, line_processing, load_html, trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

__all__ = [
    "AUTHOR_DISCARD_XPATHS", "as_list", "examine_meta", "extract_meta_json", "extract_title",
    "extract_url", "find_date", "line_processing", "load_html", "normalize_authors",
    "prune_unwanted_nodes", "trim",
]
