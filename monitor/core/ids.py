"""The source id rule, in one place: config checks it, the store relies on it.

An id names ``snapshots/<id>.md`` and the path in a commit, so it is matched
whole: a trailing newline would split a fast-import stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


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
