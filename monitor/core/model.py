"""The configuration as typed values: settings, channels and sources.

``monitor.config`` reads ``sources.yaml`` into these; every other stage only
reads them. Each setting is declared once, here, with what it expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from monitor.core.schedule import Schedule

DEFAULT_USER_AGENT = (
    "monitor/0.1 (article change tracker; +https://github.com/monitor-bot/monitor)"
)


def setting(default: Any, kind: str, expected: str, *, minimum: float | None = None,
            folder_default: str | None = None) -> Any:
    """One setting: its default, what the config parses it as, and the words for a fix.

    ``kind`` names the parser (``monitor.config`` has one per kind); ``expected``
    completes "is not ..." in a config error; ``folder_default`` is the path,
    relative to sources.yaml, of a path setting left out.
    """
    metadata = {"kind": kind, "expected": expected, "minimum": minimum,
                "folder_default": folder_default}
    if callable(default):
        return field(default_factory=default, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class TimestampAuthority:
    """An RFC 3161 time-stamping service, and the CA file its tokens are checked against."""

    url: str
    ca_file: Path | None = None


@dataclass(frozen=True)
class WebSettings:
    """``settings.web``: the review pages and API (``monitor serve``, or inside ``run``)."""

    port: int = 0  # monitor run serves the web view on this port; 0: it does not
    host: str = "127.0.0.1"  # another address exposes it: put it behind TLS (docs/web.md)
    base_url: str = ""  # where people reach it: alerts link their diff there
    preview_private: bool = False  # /preview may fetch private and loopback addresses


@dataclass(frozen=True)
class Settings:
    """The ``settings:`` block. Every key is declared here once, README lists them all."""

    snapshots: Path = setting(None, "path", "a folder path", folder_default="snapshots")
    alerts: Path = setting(None, "path", "a folder path", folder_default="alerts")
    state: Path = setting(None, "path", "a file path", folder_default=".monitor/state.db")
    concurrency: int = setting(32, "int", "a whole number such as 32", minimum=1)
    per_host_concurrency: int = setting(4, "int", "a whole number such as 4", minimum=1)
    per_host_delay: float = setting(0.0, "duration", "a duration such as 0s, 500ms or 2s",
                                    minimum=0)
    timeout: float = setting(30.0, "duration", "a duration such as 30s", minimum=0.001)
    max_bytes: int = setting(10_000_000, "size", "a size such as 10MB", minimum=1)
    retries: int = setting(1, "int", "a whole number such as 1", minimum=0)
    retry_backoff: float = setting(1.0, "duration", "a duration such as 1s", minimum=0)
    max_redirects: int = setting(10, "int", "a whole number such as 10", minimum=0)
    confirm_removal: int = setting(2, "int", "a whole number such as 2", minimum=1)
    failing_after: int = setting(3, "int", "a whole number such as 3", minimum=1)
    default_interval: Schedule = setting(lambda: Schedule(every=6 * 3600), "schedule",
                                         "an interval such as 6h, or cron: \"0 * * * *\"")
    lock_timeout: float = setting(600.0, "duration", "a duration such as 10m", minimum=0)
    delivery_timeout: float = setting(15.0, "duration", "a duration such as 15s", minimum=0.001)
    user_agent: str = setting(DEFAULT_USER_AGENT, "header",
                              "one line of text (it is sent as a header)")
    # extraction processes; 0 = one per core
    workers: int = setting(0, "int", "a whole number (0 = one per core)", minimum=0)
    # 0: one per core (up to 4) from 500 sources, else 1
    fetch_processes: int = setting(0, "int", "a whole number (0 = automatic)", minimum=0)
    # refuse private, loopback and link-local addresses
    block_private: bool = setting(False, "bool", "true or false")
    # re-check a page that seems gone this soon (daemon, --due)
    confirm_after: float = setting(600.0, "duration", "a duration such as 10m", minimum=0)
    # how long SIGTERM waits for in-flight checks
    shutdown_timeout: float = setting(10.0, "duration", "a duration such as 10s", minimum=0)
    # 0: no HTTP health endpoint; else 127.0.0.1:<port>
    health_port: int = setting(0, "int", "a port number such as 8321 (0 = off)", minimum=0)
    # skip pages that robots.txt disallows for our User-Agent
    respect_robots: bool = setting(False, "bool", "true or false")
    # pages of a PDF source that are read; later pages are not watched
    pdf_max_pages: int = setting(500, "int", "a whole number of pages such as 500", minimum=1)
    # raw captures, the signed log: keep and back up (not rebuildable)
    evidence: Path = setting(None, "path", "a folder path", folder_default="evidence")
    # keep each committed fetch as a WARC capture under evidence/captures/
    captures: bool = setting(True, "bool", "true or false")
    # the Ed25519 key that signs the evidence log (MONITOR_SIGNING_KEY wins when set)
    signing_key: Path = setting(None, "path", "a file path", folder_default="signing.key")
    # RFC 3161 authorities that timestamp the latest checkpoint, at most every 10 minutes
    timestamp_authorities: tuple[TimestampAuthority, ...] = setting(
        (), "authorities", "a list of {url: https://..., ca_file: tsa.pem}")
    # changed alerts in 6 h before one 'changing-constantly' (0: off)
    storm_after: int = setting(5, "int", "a whole number such as 5 (0 = never hold alerts back)",
                               minimum=0)
    # the web view: {port, host, base_url, preview_private}
    web: WebSettings = setting(WebSettings, "web", "a mapping such as {port: 8080, base_url: "
                               "https://monitor.example.org} (keys: port, host, base_url, "
                               "preview_private)")


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    type: str
    options: dict[str, Any]
    # each ${NAME} its settings name that is not set: its deliveries wait, untried
    missing_secrets: tuple[str, ...] = ()


#: the committed outcomes whose page a web archive can be asked to keep
ARCHIVE_EVENTS: tuple[str, ...] = ("baseline", "changed", "removed", "restored", "moved")
DEFAULT_ARCHIVE_EVENTS: tuple[str, ...] = ("baseline", "changed", "removed")


@dataclass(frozen=True, kw_only=True)
class ArchiveConfig:
    """A web archive that committed pages are submitted to (``archives:`` in sources.yaml).

    One per service: the mapping's key is the service, so one account each.
    ``per_minute`` is the account's capture rate (SPN2 allows about 7 a minute).
    """

    service: str
    base_url: str
    events: tuple[str, ...] = DEFAULT_ARCHIVE_EVENTS
    per_minute: int = 7
    line: int = 0  # in sources.yaml; 0 when loaded without line numbers

    def secrets(self) -> tuple[str, ...]:
        """The values that must never be kept or shown (errors, logs, stored rows)."""
        return ()


@dataclass(frozen=True, kw_only=True)
class WaybackConfig(ArchiveConfig):
    """Internet Archive's Save Page Now 2, with the account's S3-style keys."""

    service: str = "wayback"
    base_url: str = "https://web.archive.org"
    access_key: str = field(repr=False)
    secret: str = field(repr=False)

    def secrets(self) -> tuple[str, ...]:
        return (self.access_key, self.secret, f"{self.access_key}:{self.secret}")


@dataclass(frozen=True, kw_only=True)
class PermaConfig(ArchiveConfig):
    """Perma.cc, with an API key and the folder that its archives go into."""

    service: str = "perma"
    base_url: str = "https://api.perma.cc"
    per_minute: int = 10
    api_key: str = field(repr=False)
    folder: int | None = None

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)


DiscoveryKind = Literal["feed", "sitemap", "links"]
DISCOVERY_KINDS: tuple[str, ...] = ("feed", "sitemap", "links")
KEEP_FOUND = 90 * 86400.0  # seconds: `follow.keep` left out


@dataclass(frozen=True)
class Follow:
    """What a listing gives every article it finds (its ``follow:`` block)."""

    schedule: Schedule | None = None  # None: settings.default_interval
    tags: tuple[str, ...] = ()  # empty: the listing's own
    channels: tuple[str, ...] = ()  # empty: the listing's own
    selector: str | None = None
    ignore: tuple[str, ...] = ()
    keep: float = KEEP_FOUND  # stop checking an unchanged article this long after it was found


@dataclass(frozen=True)
class Discovery:
    """A source that is a listing (``discover:``): its articles become sources of their own."""

    kind: DiscoveryKind
    match: str | None = None  # a regex searched in each found URL
    max_new: int = 50  # new articles watched per check; the rest wait
    baseline_watch: int = 20  # on the first check, the newest this many are watched
    follow: Follow = field(default_factory=Follow)
    exclude: tuple[str, ...] = ()  # ids of found articles that are paused or removed


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
    # (NAME, value) of each ${NAME} in the URL or a header value: only the request
    # may carry the value
    url_secrets: tuple[tuple[str, str], ...] = ()
    enabled: bool = True  # false: paused (not checked; its pending alerts still go out)
    name: str | None = None  # shown instead of the page's title
    notes: str | None = None  # for people: `list --long` and the web
    user_agent: str | None = None  # instead of settings.user_agent for this source
    headers: tuple[tuple[str, str], ...] = ()  # sent with each request, values expanded
    # each ${NAME} in the URL or headers that is not set: this source's checks fail
    missing_secrets: tuple[str, ...] = ()
    discover: Discovery | None = None  # a listing: the articles it names are watched too
    listing: str | None = None  # a found article: the id of the listing that found it

    def request_headers(self) -> dict[str, str]:
        """What this source adds to each request: its headers and its User-Agent."""
        sent = dict(self.headers)
        if self.user_agent:
            sent["User-Agent"] = self.user_agent
        return sent

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
    archives: tuple[ArchiveConfig, ...] = ()
    # what is worth saying but does not stop a command: "FILE:LINE: text" each
    warnings: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def active_sources(self) -> list[Source]:
        """The sources that are checked: all but the paused (``enabled: false``)."""
        return [source for source in self.sources if source.enabled]

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def channels_for(self, source: Source) -> list[ChannelConfig]:
        names = source.channels or tuple(self.channels)
        return [self.channels[name] for name in names]
