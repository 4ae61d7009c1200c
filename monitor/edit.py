"""Edits to ``sources.yaml`` that keep the user's comments and layout (``monitor add``)."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from monitor import config as config_module
from monitor.config import ConfigError, Problem


def add_source(path: Path, url: str, *, source_id: str | None = None,
               every: str | None = None) -> int:
    """Append a source and return its line; refuses anything the config would reject."""
    if path.exists():
        config_module.load(path)  # refuse to edit a file that is already broken
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(path.read_text(encoding="utf-8")) if path.exists() else None
    if data is None:
        data = CommentedMap()
    sources = data.get("sources")
    if sources is None:
        sources = data["sources"] = CommentedSeq()
    source_id = source_id or config_module.slug_from_url(url)
    existing = {entry.get("id") for entry in sources if isinstance(entry, dict)}
    if source_id in existing:
        raise ConfigError([Problem(path, 0, f"a source with id '{source_id}' already exists: "
                                            "choose another with --id")])
    entry = CommentedMap(id=source_id, url=url)
    if every:
        entry["interval"] = every
    sources.append(entry)
    original = path.read_text(encoding="utf-8") if path.exists() else None
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    try:
        config = config_module.load(path, locate=True)
    except ConfigError:
        if original is None:
            path.unlink()
        else:
            path.write_text(original, encoding="utf-8")
        raise
    return config.source(source_id).line
