"""The source id rule, in one place: config checks it, the store relies on it.

An id names ``snapshots/<id>.md`` and the path in a commit, so it is matched
whole: a trailing newline would split a fast-import stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_ID = 100
HASH_HEX = 6  # a found article's id ends in -<the first 6 hex of sha256(its URL)>
# listing + "." + one slug character + "-" + the hash must fit in MAX_ID.
MAX_LISTING_ID = MAX_ID - HASH_HEX - 3


def valid_source_id(source_id: Any) -> bool:
    return isinstance(source_id, str) and SOURCE_ID.fullmatch(source_id) is not None


def listing_namespace_clash(source_id: str, listing_ids: Iterable[str]) -> str | None:
    """The listing whose found articles' ids ``source_id`` would take, if any.

    A listing's articles are named ``<listing-id>.<slug>-<hash>``; a configured
    source named like that could be taken for one of them (and be paused or
    restored with them), so the config refuses it.
    """
    for listing in listing_ids:
        if source_id.startswith(f"{listing}."):
            return listing
    return None


def listing_id_problem(listing_id: str) -> str | None:
    """Why a listing's id leaves no room for its articles' ids, or None when it does."""
    if len(listing_id) > MAX_LISTING_ID:
        return (f"a listing's id may be at most {MAX_LISTING_ID} characters, so that its "
                f"articles' ids ({listing_id}.<slug>-<hash>) fit in {MAX_ID}: shorten it")
    return None
