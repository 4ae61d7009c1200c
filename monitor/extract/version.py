"""Which extraction cut a snapshot, so that a new one re-cuts quietly.

Every change to what extraction takes (a new field, a furniture rule, a new
trafilatura or htmldate release) makes the next check compare the stored
text, cut the old way, with a text cut the new way. Without a version that
would alert ``changed`` on every source at once. With it, the pipeline sees
that the stored text came from another extractor and commits the new cut as
``rescoped`` (reason ``extractor-upgrade``), without an alert, as it does for
a changed ``selector``.

Raise ``REVISION`` with every change to monitor's own extraction that changes
what a page gives. The libraries' versions are read from their installed
metadata, not by importing them: the main process never loads trafilatura.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

# 2: the visible headline and byline beside the stated title and author; trafilatura's
#    fallback extractors on; asides kept for them.
# 3: the standfirst; invisible characters and presentation forms out before extraction,
#    text compared folded (NFKC); the page's modified date.
# 4: htmldate is told the page's own URL, not its canonical.
# 5: no byline from the site's navigation or a "Follow @handle" button; captions kept;
#    the blocks of the article's container that trafilatura dropped put back.
# 6: an article cut into chunks put back whole; a section named by its heading's anchor
#    is no menu; text inside a link is a teaser's; where trafilatura took text from all
#    over the page, the article is where most of it sits.
REVISION = 6
LIBRARIES = ("trafilatura", "htmldate")


@cache
def extractor_version() -> str:
    """``monitor-extract 2; trafilatura 2.3.0; htmldate 1.9.4``, say."""
    parts = [f"monitor-extract {REVISION}"]
    for name in LIBRARIES:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} unknown")
    return "; ".join(parts)
