"""The configuration as typed values: settings, channels and sources.

``monitor.config`` reads ``sources.yaml`` into these; every other stage only
reads them. Each setting is declared once, here, with what it expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.core.schedule import Schedule

DEFAULT_USER_AGENT = (
    "monitor/0.1 (article change tracker; +https://github.com/monitor-bot/monitor)"
)


@dataclass(frozen=True)
class Settings:
    snapshots: Path
    alerts: Path
    state: Path
    concurrency: int = 32
    per_host_concurrency: int = 4
    per_host_delay: float = 0.0
    timeout: float = 30.0
    max_bytes: int = 10_000_000
    retries: int = 1
    retry_backoff: float = 1.0
    max_redirects: int = 10
    confirm_removal: int = 2
    failing_after: int = 3
    default_interval: Schedule = field(default_factory=lambda: Schedule(every=6 * 3600))
    lock_timeout: float = 600.0
    delivery_timeout: float = 15.0
    user_agent: str = DEFAULT_USER_AGENT
    workers: int = 0  # extraction processes; 0 = one per core
    fetch_processes: int = 0  # 0: one per core (up to 4) from 500 sources, else 1
    block_private: bool = False  # refuse private, loopback and link-local addresses
    confirm_after: float = 600.0  # re-check a page that seems gone this soon (daemon, --due)
    shutdown_timeout: float = 10.0  # how long SIGTERM waits for in-flight checks
    health_port: int = 0  # 0: no HTTP health endpoint; else 127.0.0.1:<port>
    respect_robots: bool = False  # skip pages that robots.txt disallows for our User-Agent
    storm_after: int = 5  # changed alerts in 6 h before one 'changing-constantly' (0: off)


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    type: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    schedule: Schedule
    channels: tuple[str, ...] = ()  # empty: every channel
    tags: tuple[str, ...] = ()
    selector: str | None = None  # CSS: the article is what these elements hold
    ignore: tuple[str, ...] = ()  # CSS: elements that are never the article
    line: int = 0  # in sources.yaml; 0 unless loaded with locate=True
    # (NAME, value) of each ${NAME} in the URL: only the request may carry the value
    url_secrets: tuple[tuple[str, str], ...] = ()

    def shown(self, text: str) -> str:
        """``text`` (a URL, an error) as it may be kept or shown: ${NAME}, not its value."""
        for name, value in self.url_secrets:
            text = text.replace(value, f"${{{name}}}")
        return text

    def actual(self, url: str) -> str:
        """A URL kept in its shown form, with the values put back: what is requested."""
        for name, value in self.url_secrets:
            url = url.replace(f"${{{name}}}", value)
        return url


@dataclass(frozen=True)
class Config:
    path: Path
    settings: Settings
    channels: dict[str, ChannelConfig]
    sources: list[Source]

    @property
    def root(self) -> Path:
        return self.path.parent

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def channels_for(self, source: Source) -> list[ChannelConfig]:
        names = source.channels or tuple(self.channels)
        return [self.channels[name] for name in names]
