"""Serving the app: ``monitor serve`` (uvicorn's loop), or beside the daemon's checks.

Inside ``monitor run`` the server shares the daemon's event loop and leaves
its signals alone: SIGTERM stops the daemon, which then stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Generator
from typing import Any

import uvicorn

from monitor.core.model import Config
from monitor.web.app import create_app


class _QuietServer(uvicorn.Server):
    """A uvicorn server that installs no signal handlers: its owner stops it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _config(config: Config, host: str, port: int,
            status: Callable[[], dict[str, Any]] | None) -> uvicorn.Config:
    return uvicorn.Config(create_app(config, status=status), host=host, port=port,
                          log_level="warning", access_log=False, lifespan="off",
                          proxy_headers=False, server_header=False)


def serve(config: Config, host: str, port: int) -> None:
    """``monitor serve``: until Ctrl-C or SIGTERM."""
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    uvicorn.Server(_config(config, host, port, None)).run()


async def serve_beside(config: Config, status: Callable[[], dict[str, Any]],
                       stopping: asyncio.Event) -> None:
    """Serve ``settings.web`` in this loop until ``stopping`` is set."""
    web = config.settings.web
    server = _QuietServer(_config(config, web.host, web.port, status))
    task = asyncio.ensure_future(server.serve())
    await stopping.wait()
    server.should_exit = True
    await task
