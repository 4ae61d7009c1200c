"""Serving the app: ``monitor serve`` (uvicorn's loop), or beside the daemon's checks.

Inside ``monitor run`` the server shares the daemon's event loop and leaves
its signals alone: SIGTERM stops the daemon, which then stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
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


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound here, not by uvicorn, whose failure to bind would exit the whole process."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


async def serve_beside(config: Config, status: Callable[[], dict[str, Any]],
                       stopping: asyncio.Event) -> None:
    """Serve ``settings.web`` in this loop until ``stopping`` is set.

    A port that cannot be had is logged and the daemon goes on checking.
    """
    web = config.settings.web
    try:
        sock = listening_socket(web.host, web.port)
    except OSError as exc:
        logging.getLogger("monitor").error("the web view cannot listen on %s:%d (%s): checks "
                                           "go on without it", web.host, web.port,
                                           exc.strerror or exc)
        return
    server = _QuietServer(_config(config, web.host, web.port, status))
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    await stopping.wait()
    server.should_exit = True
    await task
    sock.close()
