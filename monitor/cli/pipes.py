"""Output whose reader may stop reading: ``monitor diff … | head`` must end quietly.

Python ignores SIGPIPE, so a closed pipe turns every later write into a
``BrokenPipeError`` and, at exit, into "Exception ignored … BrokenPipeError".
The guard swallows that, points the file descriptor at /dev/null (so the
interpreter's last flush succeeds) and lets the command finish its work: a
``monitor check | head -3`` still commits and delivers everything, and exits
with its usual code.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO, cast


class PipeGuard:
    """A text stream that goes quiet, instead of raising, once its reader has gone."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._silence()
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._silence()

    def __getattr__(self, name: str) -> Any:  # isatty, encoding, fileno…
        return getattr(self.stream, name)

    def _silence(self) -> None:
        self.broken = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self.stream.fileno())
            finally:
                os.close(devnull)


@contextlib.contextmanager
def guarded_output() -> Iterator[tuple[PipeGuard, PipeGuard]]:
    """stdout and stderr guarded for the length of one command."""
    out, err = sys.stdout, sys.stderr
    guards = PipeGuard(out), PipeGuard(err)
    sys.stdout, sys.stderr = cast(TextIO, guards[0]), cast(TextIO, guards[1])
    try:
        yield guards
    finally:
        for guard in guards:
            guard.flush()
        sys.stdout, sys.stderr = out, err
