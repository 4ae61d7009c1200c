"""Config problems as ``FILE:LINE: message``, collected while the YAML is walked."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ConfigError(Exception):
    """The config cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Checker:
    """Collects problems while walking the parsed YAML with its line numbers."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def has_section(self, raw: Any, shape: type, parent: Any, key: str, message: str) -> bool:
        """Whether a top-level section is there to read: absent is no problem, the
        wrong shape is one (``message``, at the section's line)."""
        if raw is None:
            return False
        if not isinstance(raw, shape):
            self.error(self.key_line(parent, key), message)
            return False
        return True

    @staticmethod
    def key_line(mapping: Any, key: Any) -> int:
        return _line(mapping, lambda lc: lc.key(key))

    @staticmethod
    def item_line(seq: Any, index: int) -> int:
        return _line(seq, lambda lc: lc.item(index))

    def expand_env(self, value: Any, line: int) -> Any:
        if isinstance(value, dict):
            return {k: self.expand_env(v, line) for k, v in value.items()}
        if isinstance(value, list):
            return [self.expand_env(v, line) for v in value]
        if not isinstance(value, str):
            return value

        def replace(match: re.Match[str]) -> str:
            name = match[1]
            if name not in os.environ:
                self.error(line, f"environment variable {name} is not set: export it "
                                 f"before running monitor (secrets live in the environment)")
                return ""
            return os.environ[name]

        return ENV_REF.sub(replace, value)


def _line(node: Any, position: Callable[[Any], Any]) -> int:
    """The 1-based line of a key or item; 0 (unknown) for the C parser's plain dicts
    and lists, which carry no line numbers."""
    try:
        return int(position(node.lc)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return node.lc.line + 1 if hasattr(node, "lc") else 0


def secrets_in(raw_url: str) -> tuple[tuple[str, str], ...]:
    """The values that ${NAME} references in a URL expanded to, longest first."""
    names = dict.fromkeys(ENV_REF.findall(raw_url))
    found = [(name, os.environ[name]) for name in names if os.environ.get(name)]
    return tuple(sorted(found, key=lambda pair: len(pair[1]), reverse=True))
