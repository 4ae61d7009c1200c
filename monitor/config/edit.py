"""Edits to ``sources.yaml`` that keep the user's comments and layout (``monitor add``).

Every edit takes a lock beside the file, reads it afresh, writes a temporary
file, syncs it and renames it over the old one: a write that fails part-way
(a full disk, a file size limit) leaves the old file whole, a running daemon
never reloads half a file, and two concurrent edits both land.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import stat
from collections.abc import Iterator
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from monitor.config import loader as config_module
from monitor.config.problems import ConfigError, Problem
from monitor.config.values import slug_from_url
from monitor.store.files import atomic_write


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the edit lock of a sources file (``.<name>.lock`` beside it)."""
    with open(path.with_name(f".{path.name}.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def add_source(path: Path, url: str, *, source_id: str | None = None,
               every: str | None = None) -> int:
    """Append a source and return its line; refuses anything the config would reject."""
    with locked(path):
        if path.exists():
            config_module.load(path)  # refuse to edit a file that is already broken
        yaml = YAML(typ="rt")
        yaml.indent(mapping=2, sequence=4, offset=2)
        original = path.read_bytes() if path.exists() else None
        mode = stat.S_IMODE(path.stat().st_mode) if original is not None else 0o644
        data = yaml.load(original.decode("utf-8")) if original else None
        if data is None:
            data = CommentedMap()
        sources = data.get("sources")
        if sources is None:
            sources = data["sources"] = CommentedSeq()
        source_id = source_id or slug_from_url(url)
        existing = {entry.get("id") for entry in sources if isinstance(entry, dict)}
        if source_id in existing:
            raise ConfigError([Problem(path, 0, f"a source with id '{source_id}' already "
                                                "exists: choose another with --id")])
        entry = CommentedMap(id=source_id, url=url)
        if every:
            entry["interval"] = every
        sources.append(entry)
        text = io.StringIO()
        yaml.dump(data, text)
        atomic_write(path, text.getvalue().encode("utf-8"), mode)
        try:
            config = config_module.load(path, locate=True)
        except ConfigError:
            if original is None:
                path.unlink()
            else:
                atomic_write(path, original, mode)
            raise
    return config.source(source_id).line
