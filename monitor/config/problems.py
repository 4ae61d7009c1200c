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
    """Collects problems (and warnings) while walking the parsed YAML with its line numbers.

    ``strict_secrets``: an unset ``${NAME}`` is a problem (``monitor validate``).
    Otherwise it is the caller's to warn about, naming what goes without it: one
    channel's secret must not stop every command, nor the checks of other sources.
    """

    def __init__(self, path: Path, *, strict_secrets: bool = True):
        self.path = path
        self.strict_secrets = strict_secrets
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.path, line, message))

    def unset(self, line: int, value: Any, what: str, aside: str = "") -> tuple[str, ...]:
        """The ``${NAME}`` references in ``value`` that the environment lacks; unless
        strict, each is warned about here: "``what`` until it is exported``aside``"."""
        names = unset_names(value)
        if names and not self.strict_secrets:
            one = len(names) == 1
            self.warn(line, f"environment variable {', '.join(names)} "
                            f"{'is' if one else 'are'} not set: {what} until "
                            f"{'it is' if one else 'they are'} exported{aside}")
        return names

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
                if self.strict_secrets:
                    self.error(line, f"environment variable {name} is not set: export it "
                                     "before running monitor (secrets live in the environment)")
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


def unset_names(value: Any) -> tuple[str, ...]:
    """Each ``${NAME}`` in ``value`` (a string, or lists and mappings of them) that is
    not in the environment, in order, once."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return tuple(dict.fromkeys(name for item in value for name in unset_names(item)))
    if not isinstance(value, str):
        return ()
    return tuple(dict.fromkeys(name for name in ENV_REF.findall(value)
                               if name not in os.environ))


def secrets_in(raw_url: str) -> tuple[tuple[str, str], ...]:
    """The values that ${NAME} references in a URL expanded to, longest first."""
    names = dict.fromkeys(ENV_REF.findall(raw_url))
    found = [(name, os.environ[name]) for name in names if os.environ.get(name)]
    return tuple(sorted(found, key=lambda pair: len(pair[1]), reverse=True))
