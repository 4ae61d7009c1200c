"""Alerts: built from an event, written durably, then delivered to channels.

The outbox in the state database is the source of truth. An alert is in the
outbox (in the same transaction as the state change that caused it) before it
is written to ``alerts/`` and before any channel sees it; each channel's
delivery is marked only after the receiver said 2xx. A crash between the two
can cause one repeat, which carries the same ``id`` and ``Idempotency-Key``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from ulid import ULID

from monitor.channels import REGISTRY, Channel, DeliveryError
from monitor.compare import Diff
from monitor.config import ChannelConfig, Config, Source
from monitor.store import Store

ALERT_EVENTS = ("changed", "removed", "restored", "moved", "failing", "recovered")


def new_alert_id() -> str:
    return str(ULID())


def build_alert(*, alert_id: str, event: str, source: Source, title: str, detected_at: str,
                revision: str | None, previous_revision: str | None, reason: str | None = None,
                diff: Diff | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": alert_id,
        "event": event,
        "reason": reason,
        "source_id": source.id,
        "url": source.url,
        "title": title,
        "detected_at": detected_at,
        "revision": revision,
        "previous_revision": previous_revision,
        "diff": diff.as_dict() if diff else None,
        "tags": list(source.tags),
        **extra,
    }


def make_channel(config: ChannelConfig) -> Channel:
    return REGISTRY[config.type](config.name, config.options)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def write_alert_files(store: Store) -> int:
    """Write every outbox alert that has no file in ``alerts/`` yet."""
    alerts = store.alerts_without_file()
    for alert in alerts:
        store.write_alert_file(alert)
    return len(alerts)


async def deliver_pending(store: Store, config: Config) -> DeliveryReport:
    """Try every pending delivery once; failures stay pending for the next run."""
    report = DeliveryReport()
    pending = store.pending_deliveries()
    if not pending:
        return report
    channels = {name: make_channel(cfg) for name, cfg in config.channels.items()}
    timeout = httpx.Timeout(config.settings.delivery_timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                 headers={"User-Agent": config.settings.user_agent}) as client:
        for alert, name, _attempts in pending:
            channel = channels.get(name)
            if channel is None:
                error = f"channel '{name}' is no longer in {config.path.name}; kept pending"
            else:
                error = await _send(channel, alert, client)
            store.mark_delivery(alert["id"], name, error=error)
            if error is None:
                report.delivered += 1
            else:
                report.failed += 1
                report.errors.append(f"{alert['source_id']} {alert['event']} → {name}: {error}")
    return report


async def _send(channel: Channel, alert: dict[str, Any], client: httpx.AsyncClient) -> str | None:
    """Deliver one alert; the error in words (never with the channel's URL) or None."""
    try:
        await channel.send(alert, client)
    except DeliveryError as exc:
        return str(exc)
    except httpx.TimeoutException:
        return "timed out"
    except httpx.ConnectError:
        return "cannot connect"
    except httpx.HTTPError as exc:
        return type(exc).__name__
    return None


SAMPLE_BEFORE = ("A petition supporting this initiative has collected more than 100,000 "
                 "signatures, which means that it will be examined for debate in Parliament.")
SAMPLE_AFTER = ("A petition supporting this initiative has collected more than 10,000 "
                "signatures, which means that it may be examined for debate in Parliament.")


def sample_alert() -> dict[str, Any]:
    """A realistic ``changed`` alert built from a real diff, for ``monitor test-alert``."""
    from monitor.compare import diff_documents
    from monitor.config import Schedule
    from monitor.extract import Document

    title = "UK accuses China of ‘gross’ human rights violations against Uighurs"
    before = Document(title=title, paragraphs=(SAMPLE_BEFORE,))
    after = Document(title=title, paragraphs=(SAMPLE_AFTER,))
    source = Source(id="test-alert", url="https://www.bbc.co.uk/news/uk-53463003",
                    schedule=Schedule(every=3600), tags=("test",))
    from monitor.store import now_iso

    return build_alert(alert_id=new_alert_id(), event="changed", source=source, title=title,
                       detected_at=now_iso(), revision=None, previous_revision=None,
                       diff=diff_documents(before, after), test=True)


async def send_test_alert(config: Config, names: list[str]) -> dict[str, str | None]:
    """Send one sample alert to each named channel; the error per channel, or None."""
    alert = sample_alert()
    timeout = httpx.Timeout(config.settings.delivery_timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                 headers={"User-Agent": config.settings.user_agent}) as client:
        return {name: await _send(make_channel(config.channels[name]), alert, client)
                for name in names}
